/*
 * test_kstore.c - the content-addressed kernel store and its reference
 * counts (kstore.c), on a temporary directory standing in for an ESP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "esp_io.h"
#include "kstore.h"
#include "sdboot_entry.h"

#define	SHA_ABC	\
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define	SHA_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fixture {
	char root[64];		/* the ESP */
	char src[64];		/* where kernels come from */
};

static int
remove_one(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return (remove(path));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof (*f));

	if (f == NULL)
		return (-1);
	strcpy(f->root, "/tmp/beadm-kstore-esp-XXXXXX");
	strcpy(f->src, "/tmp/beadm-kstore-src-XXXXXX");
	if (mkdtemp(f->root) == NULL || mkdtemp(f->src) == NULL)
		return (-1);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = nftw(f->root, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	rc |= nftw(f->src, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return (rc);
}

/* A source file named name with content, and its hash. */
static void
make_source(struct fixture *f, const char *name, const char *content,
    char path[PATH_MAX], char hex[KSTORE_HASH_LEN + 1])
{
	FILE *fp;

	snprintf(path, PATH_MAX, "%s/%s", f->src, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	if (hex != NULL)
		assert_int_equal(kstore_hash_file(path, hex, NULL), 0);
}

/* An entry file naming linux and initrd in the store. */
static void
write_entry(const char *root, const char *file, const char *linux_hex,
    const char *initrd_hex)
{
	struct sdb_entry e;
	char text[8192], rel[512];
	int len;

	memset(&e, 0, sizeof (e));
	strcpy(e.title, file);
	kstore_entry_path(linux_hex, e.linux_path, sizeof (e.linux_path));
	kstore_entry_path(initrd_hex, e.initrd_path, sizeof (e.initrd_path));
	strcpy(e.options, "root=ZFS=rpool/ROOT/x");
	len = sdb_entry_render(&e, text, sizeof (text));
	assert_true(len > 0);
	assert_int_equal(esp_mkdirs(root, SDB_ENTRIES_DIR), 0);
	snprintf(rel, sizeof (rel), "%s/%s", SDB_ENTRIES_DIR, file);
	assert_int_equal(esp_write(root, rel, text, (size_t)len), 0);
}

static void
hashes_known_content(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], hex[KSTORE_HASH_LEN + 1];
	uint64_t size;

	make_source(f, "abc", "abc", path, NULL);
	assert_int_equal(kstore_hash_file(path, hex, &size), 0);
	assert_string_equal(hex, SHA_ABC);
	assert_int_equal(size, 3);
	make_source(f, "empty", "", path, NULL);
	assert_int_equal(kstore_hash_file(path, hex, &size), 0);
	assert_string_equal(hex, SHA_EMPTY);
	assert_int_equal(size, 0);
	assert_int_equal(kstore_hash_file("/nonexistent/vmlinuz", hex, &size),
	    ENOENT);
}

static void
names_store_paths_for_entries(void **state)
{
	char buf[128];

	(void)state;
	kstore_entry_path(SHA_ABC, buf, sizeof (buf));
	assert_string_equal(buf, "/beadm/store/" SHA_ABC);
}

static void
puts_each_content_once(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], hex[KSTORE_HASH_LEN + 1], **names;
	size_t n, len;
	char *back;

	make_source(f, "vmlinuz", "abc", path, hex);
	assert_false(kstore_has(f->root, hex));
	assert_int_equal(kstore_put(f->root, hex, path), 0);
	assert_true(kstore_has(f->root, hex));
	assert_int_equal(esp_read(f->root, KSTORE_DIR "/" SHA_ABC, &back,
	    &len), 0);
	assert_string_equal(back, "abc");
	free(back);

	/* Already there: not copied again (the source now differs). */
	make_source(f, "vmlinuz", "changed", path, NULL);
	assert_int_equal(kstore_put(f->root, hex, path), 0);
	assert_int_equal(esp_read(f->root, KSTORE_DIR "/" SHA_ABC, &back,
	    &len), 0);
	assert_string_equal(back, "abc");
	free(back);

	assert_int_equal(esp_list(f->root, KSTORE_DIR, &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], SHA_ABC);
	esp_names_free(names, n);

	assert_int_equal(kstore_put(f->root, "../../etc", path), EINVAL);
	assert_int_equal(kstore_put(f->root, "BA7816BF8F01CFEA414140DE5DAE2223"
	    "B00361A396177A9CB410FF61F20015AD", path), EINVAL);
	assert_false(kstore_has(f->root, "abc"));
}

/*
 * Store: k (kernel), i (initrd), orphan, and a temporary file a crash left.
 * Entries: two of beadm's naming k and i, one foreign entry and one
 * temporary entry naming orphan, which do not count.
 */
static void
make_store(struct fixture *f, char k[KSTORE_HASH_LEN + 1],
    char i[KSTORE_HASH_LEN + 1], char orphan[KSTORE_HASH_LEN + 1])
{
	char path[PATH_MAX];

	make_source(f, "vmlinuz", "kernel", path, k);
	assert_int_equal(kstore_put(f->root, k, path), 0);
	make_source(f, "initrd", "initrd", path, i);
	assert_int_equal(kstore_put(f->root, i, path), 0);
	make_source(f, "old", "old kernel", path, orphan);
	assert_int_equal(kstore_put(f->root, orphan, path), 0);
	assert_int_equal(esp_write(f->root, KSTORE_DIR "/" SHA_ABC
	    ESP_TMP_SUFFIX, "partial", 7), 0);

	write_entry(f->root, "beadm-be1@6.1.0-56-amd64.conf", k, i);
	write_entry(f->root, "beadm~try-be2@6.1.0-56-amd64+2-1.conf", k, i);
	write_entry(f->root, "proxmox-6.8.12-4-pve.conf", orphan, orphan);
	write_entry(f->root, "beadm-be3@6.1.0-56-amd64.conf" ESP_TMP_SUFFIX,
	    orphan, orphan);
}

static unsigned
refs_of(const struct kstore_ref *refs, size_t n, const char *hex)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(refs[j].hash, hex) == 0)
			return (refs[j].refs);
	fail_msg("%s is not in the store", hex);
	return (0);
}

static void
counts_references_from_entries(void **state)
{
	struct fixture *f = *state;
	char k[KSTORE_HASH_LEN + 1], i[KSTORE_HASH_LEN + 1];
	char orphan[KSTORE_HASH_LEN + 1];
	struct kstore_ref *refs;
	size_t n;

	make_store(f, k, i, orphan);
	assert_int_equal(kstore_refs(f->root, &refs, &n), 0);
	assert_int_equal(n, 3);
	assert_true(strcmp(refs[0].hash, refs[1].hash) < 0);
	assert_true(strcmp(refs[1].hash, refs[2].hash) < 0);
	assert_int_equal(refs_of(refs, n, k), 2);
	assert_int_equal(refs_of(refs, n, i), 2);
	assert_int_equal(refs_of(refs, n, orphan), 0);
	free(refs);
}

static void
gc_deletes_only_orphans_and_temporaries(void **state)
{
	struct fixture *f = *state;
	char k[KSTORE_HASH_LEN + 1], i[KSTORE_HASH_LEN + 1];
	char orphan[KSTORE_HASH_LEN + 1];
	size_t freed;

	make_store(f, k, i, orphan);
	assert_int_equal(kstore_gc(f->root, &freed), 0);
	assert_int_equal(freed, 2);
	assert_true(kstore_has(f->root, k));
	assert_true(kstore_has(f->root, i));
	assert_false(kstore_has(f->root, orphan));
	assert_false(esp_exists(f->root, KSTORE_DIR "/" SHA_ABC
	    ESP_TMP_SUFFIX));
	/* Entries are never the store's to delete. */
	assert_true(esp_exists(f->root,
	    SDB_ENTRIES_DIR "/proxmox-6.8.12-4-pve.conf"));
	assert_int_equal(kstore_gc(f->root, &freed), 0);
	assert_int_equal(freed, 0);

	/* With the last entry naming them gone, k and i go too. */
	assert_int_equal(esp_unlink(f->root,
	    SDB_ENTRIES_DIR "/beadm-be1@6.1.0-56-amd64.conf"), 0);
	assert_int_equal(kstore_gc(f->root, NULL), 0);
	assert_true(kstore_has(f->root, k));
	assert_int_equal(esp_unlink(f->root,
	    SDB_ENTRIES_DIR "/beadm~try-be2@6.1.0-56-amd64+2-1.conf"), 0);
	assert_int_equal(kstore_gc(f->root, &freed), 0);
	assert_int_equal(freed, 2);
	assert_false(kstore_has(f->root, k));
}

static void
gc_of_an_empty_esp_does_nothing(void **state)
{
	struct fixture *f = *state;
	struct kstore_ref *refs;
	size_t freed = 99, n;

	assert_int_equal(kstore_refs(f->root, &refs, &n), 0);
	assert_int_equal(n, 0);
	free(refs);
	assert_int_equal(kstore_gc(f->root, &freed), 0);
	assert_int_equal(freed, 0);
	assert_int_not_equal(kstore_gc("/nonexistent/esp", &freed), 0);
}

#define	STORE_TEST(f)	\
	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(hashes_known_content),
		STORE_TEST(names_store_paths_for_entries),
		STORE_TEST(puts_each_content_once),
		STORE_TEST(counts_references_from_entries),
		STORE_TEST(gc_deletes_only_orphans_and_temporaries),
		STORE_TEST(gc_of_an_empty_esp_does_nothing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
