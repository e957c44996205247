/*
 * test_esp_io.c - crash-safe file operations below an ESP (esp_io.c), in a
 * temporary directory standing in for the mount point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "esp_io.h"

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
setup_root(void **state)
{
	char *root = strdup("/tmp/beadm-esp-XXXXXX");

	if (root == NULL || mkdtemp(root) == NULL)
		return (-1);
	*state = root;
	return (0);
}

static int
teardown_root(void **state)
{
	int rc = nftw(*state, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	free(*state);
	return (rc);
}

static void
assert_content(const char *root, const char *rel, const char *want)
{
	size_t len;
	char *buf;

	assert_int_equal(esp_read(root, rel, &buf, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(buf, want);
	free(buf);
}

static void
assert_names(const char *root, const char *rel, const char **want,
    size_t nwant)
{
	char **names;
	size_t n;

	assert_int_equal(esp_list(root, rel, &names, &n), 0);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	esp_names_free(names, n);
}

static void
writes_replaces_and_reads(void **state)
{
	const char *root = *state;
	const char *only[] = { "a.conf" };

	assert_int_equal(esp_mkdirs(root, "loader/entries"), 0);
	assert_int_equal(esp_write(root, "loader/entries/a.conf", "old", 3), 0);
	assert_content(root, "loader/entries/a.conf", "old");
	assert_int_equal(esp_write(root, "loader/entries/a.conf",
	    "new content", 11), 0);
	assert_content(root, "loader/entries/a.conf", "new content");
	assert_int_equal(esp_write(root, "loader/entries/a.conf", "", 0), 0);
	assert_content(root, "loader/entries/a.conf", "");
	/* No temporary file is left behind. */
	assert_names(root, "loader/entries", only, 1);
	assert_int_equal(esp_write(root, "missing/a.conf", "x", 1), ENOENT);
	assert_int_equal(esp_read(root, "loader/entries/b.conf", &(char *){0},
	    &(size_t){0}), ENOENT);
}

static void
copies_large_files(void **state)
{
	const char *root = *state;
	size_t len = 3 * 1024 * 1024 + 12345, got;
	char src[PATH_MAX], *data, *back;
	FILE *f;

	data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	snprintf(src, sizeof (src), "%s/source", root);
	f = fopen(src, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(esp_copy(root, "copy", src), 0);
	assert_int_equal(esp_read(root, "copy", &back, &got), 0);
	assert_int_equal(got, len);
	assert_memory_equal(back, data, len);
	free(back);
	free(data);
	assert_false(esp_exists(root, "copy" ESP_TMP_SUFFIX));
	assert_int_equal(esp_copy(root, "copy2", "/nonexistent/src"), ENOENT);
	assert_false(esp_exists(root, "copy2"));
}

/* copy_file_range(2) cannot copy from procfs (EXDEV, or 0 on some
 * kernels): the read/write fallback has to. */
static void
copies_where_copy_file_range_cannot(void **state)
{
	const char *root = *state;
	char want[4096], *back;
	size_t wlen, got;
	FILE *f;

	f = fopen("/proc/self/cmdline", "r");
	assert_non_null(f);
	wlen = fread(want, 1, sizeof (want), f);
	assert_int_equal(fclose(f), 0);
	assert_true(wlen > 0);
	assert_int_equal(esp_copy(root, "cmdline", "/proc/self/cmdline"), 0);
	assert_int_equal(esp_read(root, "cmdline", &back, &got), 0);
	assert_int_equal(got, wlen);
	assert_memory_equal(back, want, wlen);
	free(back);
}

static void
unlinks_and_tolerates_missing_files(void **state)
{
	const char *root = *state;

	assert_int_equal(esp_unlink(root, "nope"), 0);
	assert_int_equal(esp_unlink(root, "no/such/dir/file"), 0);
	assert_int_equal(esp_write(root, "f", "x", 1), 0);
	assert_true(esp_exists(root, "f"));
	assert_int_equal(esp_unlink(root, "f"), 0);
	assert_false(esp_exists(root, "f"));
	assert_int_equal(esp_unlink("/nonexistent/esp", "f"), ENOENT);
}

static void
rejects_paths_leaving_the_esp(void **state)
{
	const char *root = *state;
	const char *bad[] = { "../x", "a/../b", "..", "a/..", "/etc/passwd" };
	char **names;
	size_t n;

	for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
		assert_int_equal(esp_write(root, bad[i], "x", 1), EINVAL);
		assert_int_equal(esp_unlink(root, bad[i]), EINVAL);
		assert_int_equal(esp_mkdirs(root, bad[i]), EINVAL);
		assert_int_equal(esp_list(root, bad[i], &names, &n), EINVAL);
		assert_false(esp_exists(root, bad[i]));
	}
	/* Dots inside a name are just a name. */
	assert_int_equal(esp_write(root, "a..b", "x", 1), 0);
	assert_int_equal(esp_write(root, "...", "x", 1), 0);
	assert_true(esp_exists(root, "..."));
	/* A file name is needed to write. */
	assert_int_equal(esp_write(root, "", "x", 1), EINVAL);
	assert_int_equal(esp_write(root, "dir/", "x", 1), EINVAL);
}

static void
does_not_follow_symbolic_links(void **state)
{
	const char *root = *state;
	char link[PATH_MAX];

	snprintf(link, sizeof (link), "%s/escape", root);
	assert_int_equal(symlink("/tmp", link), 0);
	assert_int_not_equal(esp_write(root, "escape/beadm-escaped", "x", 1),
	    0);
	assert_int_equal(access("/tmp/beadm-escaped", F_OK), -1);
}

static void
lists_names_sorted(void **state)
{
	const char *root = *state;
	const char *want[] = { "C", "a", "a.b", "b", "sub" };
	const char *files[] = { "d/b", "d/a", "d/C", "d/a.b" };
	char **names;
	size_t n;

	assert_int_equal(esp_mkdirs(root, "d/sub"), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(esp_write(root, files[i], "x", 1), 0);
	assert_names(root, "d", want, 5);
	/* A missing directory is empty; a missing ESP is an error. */
	assert_names(root, "nothing/here", NULL, 0);
	assert_int_equal(esp_list("/nonexistent/esp", "", &names, &n),
	    ENOENT);
	assert_int_equal(n, 0);
}

static void
makes_directories_like_mkdir_p(void **state)
{
	const char *root = *state;

	assert_int_equal(esp_mkdirs(root, "beadm/store"), 0);
	assert_int_equal(esp_mkdirs(root, "beadm/store"), 0);
	assert_int_equal(esp_mkdirs(root, "a//b/./c/"), 0);
	assert_true(esp_exists(root, "a/b/c"));
	assert_true(esp_exists(root, "beadm/store"));
	assert_true(esp_exists(root, ""));
	assert_false(esp_exists(root, "beadm/nothing"));
	assert_int_equal(esp_write(root, "beadm/file", "x", 1), 0);
	assert_int_equal(esp_mkdirs(root, "beadm/file/sub"), ENOTDIR);
}

/* Run op in a child with BEADM_TEST_CRASH_AT=at; true if it was killed. */
static bool
crashes_at(int at, void (*op)(const char *), const char *root)
{
	char num[16];
	pid_t pid;
	int status;

	snprintf(num, sizeof (num), "%d", at);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setenv("BEADM_TEST_CRASH_AT", num, 1) != 0)
			_exit(2);
		op(root);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGKILL);
		return (true);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return (false);
}

static void
replace_f(const char *root)
{
	if (esp_write(root, "f", "new", 3) != 0)
		_exit(1);
}

static void
a_crash_leaves_the_old_file_or_the_new(void **state)
{
	const char *root = *state;
	size_t len;
	char *buf;
	int at;

	/* Two steps change the ESP: creating the temporary, the rename. */
	for (at = 1; at <= 3; at++) {
		bool killed;

		assert_int_equal(esp_write(root, "f", "old", 3), 0);
		killed = crashes_at(at, replace_f, root);
		assert_int_equal(killed, at <= 2);
		assert_int_equal(esp_read(root, "f", &buf, &len), 0);
		assert_string_equal(buf, at <= 2 ? "old" : "new");
		free(buf);
		/* The temporary exists only once it was created. */
		assert_int_equal(esp_exists(root, "f" ESP_TMP_SUFFIX), at == 2);
		assert_int_equal(esp_unlink(root, "f" ESP_TMP_SUFFIX), 0);
	}
}

static void
mkdirs_abc(const char *root)
{
	if (esp_mkdirs(root, "a/b/c") != 0)
		_exit(1);
}

static void
a_crash_stops_mkdirs_between_directories(void **state)
{
	const char *root = *state;

	assert_true(crashes_at(2, mkdirs_abc, root));
	assert_true(esp_exists(root, "a"));
	assert_false(esp_exists(root, "a/b"));
	/* Directories that exist are not counted as steps. */
	assert_false(crashes_at(3, mkdirs_abc, root));
	assert_true(esp_exists(root, "a/b/c"));
}

#define	ROOT_TEST(f)	\
	cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		ROOT_TEST(writes_replaces_and_reads),
		ROOT_TEST(copies_large_files),
		ROOT_TEST(copies_where_copy_file_range_cannot),
		ROOT_TEST(unlinks_and_tolerates_missing_files),
		ROOT_TEST(rejects_paths_leaving_the_esp),
		ROOT_TEST(does_not_follow_symbolic_links),
		ROOT_TEST(lists_names_sorted),
		ROOT_TEST(makes_directories_like_mkdir_p),
		ROOT_TEST(a_crash_leaves_the_old_file_or_the_new),
		ROOT_TEST(a_crash_stops_mkdirs_between_directories),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
