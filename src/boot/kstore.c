/*
 * kstore.c - the content-addressed store of kernels and initrds on an ESP
 * (beadm/store/<sha256>).
 *
 * Ten BEs usually boot the same two kernels, and an ESP is small, so each
 * image is stored once, named by its content.  A store file's reference
 * count is never written down: it is counted from the entries each time,
 * so no crash between writing an entry and updating a count can make a
 * kernel that is still needed look unused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "esp_io.h"
#include "kstore.h"
#include "sdboot_entry.h"

#define	HASH_CHUNK	(1024 * 1024)
#define	STORE_PREFIX	"/" KSTORE_DIR "/"

static bool
is_hash(const char *s)
{
	size_t i;

	for (i = 0; i < KSTORE_HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (false);
	return (s[i] == '\0');
}

static void
to_hex(const unsigned char *md, unsigned len, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * len] = '\0';
}

/* Feed fd to ctx to its end; *size gets the bytes read. */
static int
digest_fd(EVP_MD_CTX *ctx, int fd, uint64_t *size)
{
	char *buf = malloc(HASH_CHUNK);
	int err = 0;

	if (buf == NULL)
		return (ENOMEM);
	*size = 0;
	for (;;) {
		ssize_t n = read(fd, buf, HASH_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			err = EIO;
			break;
		}
		*size += (uint64_t)n;
	}
	free(buf);
	return (err);
}

int
kstore_hash_file(const char *path, char hex[KSTORE_HASH_LEN + 1],
    uint64_t *size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx;
	uint64_t got;
	int fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (errno);
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		(void) close(fd);
		return (ENOMEM);
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		err = EIO;
	else
		err = digest_fd(ctx, fd, &got);
	if (err == 0 && (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 != KSTORE_HASH_LEN))
		err = EIO;
	EVP_MD_CTX_free(ctx);
	(void) close(fd);
	if (err != 0)
		return (err);
	to_hex(md, mdlen, hex);
	if (size != NULL)
		*size = got;
	return (0);
}

void
kstore_entry_path(const char *hex, char *buf, size_t sz)
{
	(void) snprintf(buf, sz, "%s%s", STORE_PREFIX, hex);
}

/* beadm/store/<name> on the ESP. */
static int
store_rel(const char *name, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "%s/%s", KSTORE_DIR, name);

	return (n >= 0 && (size_t)n < sz ? 0 : ENAMETOOLONG);
}

bool
kstore_has(const char *root, const char *hex)
{
	char rel[sizeof (KSTORE_DIR) + KSTORE_HASH_LEN + 1];

	if (!is_hash(hex) || store_rel(hex, rel, sizeof (rel)) != 0)
		return (false);
	return (esp_exists(root, rel));
}

/*
 * The caller hashed src; a file that changed since then would be stored
 * under the wrong name, which is why kernels are hashed from the BE's
 * /boot right before they are stored.
 */
int
kstore_put(const char *root, const char *hex, const char *src)
{
	char rel[sizeof (KSTORE_DIR) + KSTORE_HASH_LEN + 1];
	int err;

	if (!is_hash(hex))
		return (EINVAL);
	if ((err = store_rel(hex, rel, sizeof (rel))) != 0)
		return (err);
	if (esp_exists(root, rel))
		return (0);
	if ((err = esp_mkdirs(root, KSTORE_DIR)) != 0)
		return (err);
	return (esp_copy(root, rel, src));
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return (len >= slen && strcmp(s + len - slen, suffix) == 0);
}

/* An entry file of beadm's, as opposed to another tool's or a temporary. */
static bool
is_beadm_entry(const char *file)
{
	return ((strncmp(file, "beadm-", 6) == 0 ||
	    strncmp(file, "beadm~", 6) == 0) && has_suffix(file, ".conf"));
}

/* The hash in an entry's "/beadm/store/<hash>" path, or NULL. */
static const char *
path_hash(const char *path)
{
	size_t plen = strlen(STORE_PREFIX);

	if (strncmp(path, STORE_PREFIX, plen) != 0 || !is_hash(path + plen))
		return (NULL);
	return (path + plen);
}

static int
ref_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct kstore_ref *)elem)->hash));
}

static void
count_ref(struct kstore_ref *refs, size_t n, const char *hash)
{
	struct kstore_ref *r;

	/* A hash that is not in the store counts for nothing here. */
	if (hash != NULL &&
	    (r = bsearch(hash, refs, n, sizeof (*refs), ref_cmp)) != NULL)
		r->refs++;
}

/* Count the store files one entry file names: once each, however many of
 * its lines name the same one. */
static int
count_entry(const char *root, const char *file, struct kstore_ref *refs,
    size_t n)
{
	char rel[sizeof (SDB_ENTRIES_DIR) + 256 + 1];
	struct sdb_entry *e;
	const char *lh, *ih;
	size_t len;
	char *text;
	int err;

	if ((size_t)snprintf(rel, sizeof (rel), "%s/%s", SDB_ENTRIES_DIR,
	    file) >= sizeof (rel))
		return (0);
	if ((err = esp_read(root, rel, &text, &len)) != 0)
		return (err == ENOENT ? 0 : err);
	if ((e = malloc(sizeof (*e))) == NULL) {
		free(text);
		return (ENOMEM);
	}
	sdb_entry_parse(text, e);
	free(text);
	lh = path_hash(e->linux_path);
	ih = path_hash(e->initrd_path);
	count_ref(refs, n, lh);
	if (ih != NULL && (lh == NULL || strcmp(lh, ih) != 0))
		count_ref(refs, n, ih);
	free(e);
	return (0);
}

/* The store's files, sorted by hash, every count 0. */
static int
store_files(const char *root, struct kstore_ref **refsp, size_t *np)
{
	struct kstore_ref *refs;
	char **names;
	size_t n, m = 0;
	int err;

	if ((err = esp_list(root, KSTORE_DIR, &names, &n)) != 0)
		return (err);
	if ((refs = calloc(n > 0 ? n : 1, sizeof (*refs))) == NULL) {
		esp_names_free(names, n);
		return (ENOMEM);
	}
	/* Temporary files and anything not named by a hash are not stored
	 * files; esp_list sorted the rest by hash already. */
	for (size_t i = 0; i < n; i++) {
		if (!is_hash(names[i]))
			continue;
		(void) memcpy(refs[m].hash, names[i], KSTORE_HASH_LEN + 1);
		m++;
	}
	esp_names_free(names, n);
	*refsp = refs;
	*np = m;
	return (0);
}

int
kstore_refs(const char *root, struct kstore_ref **refsp, size_t *np)
{
	struct kstore_ref *refs;
	char **entries;
	size_t n, nent;
	int err;

	*refsp = NULL;
	*np = 0;
	if ((err = store_files(root, &refs, &n)) != 0)
		return (err);
	if ((err = esp_list(root, SDB_ENTRIES_DIR, &entries, &nent)) != 0) {
		free(refs);
		return (err);
	}
	for (size_t i = 0; i < nent && err == 0; i++)
		if (is_beadm_entry(entries[i]))
			err = count_entry(root, entries[i], refs, n);
	esp_names_free(entries, nent);
	if (err != 0) {
		/* A count missing an entry could make gc delete a kernel. */
		free(refs);
		return (err);
	}
	*refsp = refs;
	*np = n;
	return (0);
}

/* Delete the temporary files a crash left in the store. */
static int
gc_temporaries(const char *root, size_t *freed)
{
	char rel[sizeof (KSTORE_DIR) + 256 + 1];
	char **names;
	size_t n;
	int err;

	if ((err = esp_list(root, KSTORE_DIR, &names, &n)) != 0)
		return (err);
	for (size_t i = 0; i < n && err == 0; i++) {
		if (!has_suffix(names[i], ESP_TMP_SUFFIX))
			continue;
		if ((err = store_rel(names[i], rel, sizeof (rel))) == 0 &&
		    (err = esp_unlink(root, rel)) == 0)
			(*freed)++;
	}
	esp_names_free(names, n);
	return (err);
}

int
kstore_gc(const char *root, size_t *freed)
{
	char rel[sizeof (KSTORE_DIR) + KSTORE_HASH_LEN + 1];
	struct kstore_ref *refs;
	size_t n, count = 0;
	int err;

	if ((err = kstore_refs(root, &refs, &n)) != 0)
		goto out;
	for (size_t i = 0; i < n && err == 0; i++) {
		if (refs[i].refs != 0)
			continue;
		if ((err = store_rel(refs[i].hash, rel, sizeof (rel))) == 0 &&
		    (err = esp_unlink(root, rel)) == 0)
			count++;
	}
	free(refs);
	if (err == 0)
		err = gc_temporaries(root, &count);
out:
	if (freed != NULL)
		*freed = count;
	return (err);
}
