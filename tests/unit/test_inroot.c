/*
 * test_inroot.c - paths inside an untrusted tree (util/inroot.c): absolute
 * links and ".." stay inside it, a directory to mount on is walked
 * component by component, never through a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "inroot.h"
#include "unit_tree.h"

static char root[] = "/tmp/beadm-test-inroot.XXXXXX";
static char host[] = "/tmp/beadm-test-inroot-host.XXXXXX";

static void
at(char *buf, size_t sz, const char *top, const char *rel)
{
	snprintf(buf, sz, "%s/%s", top, rel);
}

static int
setup(void **state)
{
	char p[4096], q[4096];
	FILE *f;

	(void)state;
	if (mkdtemp(root) == NULL || mkdtemp(host) == NULL)
		return (-1);
	at(p, sizeof (p), root, "etc");
	(void) mkdir(p, 0755);
	at(p, sizeof (p), root, "etc/passwd");
	if ((f = fopen(p, "w")) == NULL)
		return (-1);
	fputs("the tree's", f);
	fclose(f);
	at(p, sizeof (p), host, "etc");
	(void) mkdir(p, 0755);
	at(p, sizeof (p), host, "etc/passwd");
	if ((f = fopen(p, "w")) == NULL)
		return (-1);
	fputs("the host's", f);
	fclose(f);
	/* boot -> the host's etc, by absolute path; up -> ../../.. */
	at(p, sizeof (p), root, "boot");
	at(q, sizeof (q), host, "etc");
	if (symlink(q, p) != 0)
		return (-1);
	at(p, sizeof (p), root, "up");
	if (symlink("../../../../..", p) != 0)
		return (-1);
	at(p, sizeof (p), root, "var");
	(void) mkdir(p, 0755);
	at(p, sizeof (p), root, "var/log");
	return (symlink(host, p));
}

static int
teardown(void **state)
{
	(void)state;
	return (unit_rm_tree(root) | unit_rm_tree(host));
}

static void
links_and_dots_stay_inside(void **state)
{
	char buf[4096], want[4096];
	ssize_t n;
	int fd;

	(void)state;
	/* ../../etc/passwd from inside is the tree's own. */
	assert_true((fd = inroot_open_file(root, "../../../etc/passwd")) >= 0);
	n = read(fd, buf, sizeof (buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	assert_string_equal(buf, "the tree's");
	assert_true((fd = inroot_open_file(root, "up/etc/passwd")) >= 0);
	close(fd);
	/* boot names the host's etc by absolute path: inside, there is
	 * no such directory. */
	assert_int_equal(inroot_realpath(root, "boot", buf, sizeof (buf)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(inroot_open(root, "boot/passwd", O_RDONLY), -1);
	at(want, sizeof (want), root, "etc");
	assert_int_equal(inroot_realpath(root, "/etc", buf, sizeof (buf)), 0);
	assert_string_equal(buf, want);
	/* A directory is not a regular file. */
	assert_int_equal(inroot_open_file(root, "etc"), -1);
	assert_int_equal(errno, EINVAL);
}

static void
dirs_are_walked_without_links(void **state)
{
	char p[4096];
	struct stat st;

	(void)state;
	assert_int_equal(inroot_dirs(root, "var/log/journal", true), -1);
	assert_int_equal(errno, ELOOP);
	at(p, sizeof (p), host, "journal");
	assert_int_equal(stat(p, &st), -1);	/* nothing made on the host */
	assert_int_equal(inroot_dirs(root, "var/../etc", true), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(inroot_dirs(root, "etc/passwd/x", false), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(inroot_dirs(root, "srv/a/b", false), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(inroot_dirs(root, "/srv/a/b", true), 0);
	at(p, sizeof (p), root, "srv/a/b");
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(links_and_dots_stay_inside),
		cmocka_unit_test(dirs_are_walked_without_links),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
