/*
 * test_mounttab.c - the mount table as util/mounttab.c reads it: fields
 * decoded whole, however long or odd the path; the latest mount on a
 * directory is the one seen there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mounttab.h"

static void
parse(const char *text, struct mounttab *t)
{
	char *copy = strdup(text);

	assert_non_null(copy);
	assert_int_equal(mounttab_parse(copy, t), 0);
}

static void
decodes_the_kernels_escapes_in_every_field(void **state)
{
	struct mounttab t;

	(void)state;
	parse("rpool/ROOT/debian / zfs rw,relatime 0 0\n"
	    "rpool/ROOT/my\\040be /tmp/beadm.x/a\\011b\\012c\\134d zfs rw 0 0\n"
	    "/dev/vda1 /boot/efi vfat rw 0 0\n", &t);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[1].source, "rpool/ROOT/my be");
	assert_string_equal(t.v[1].dir, "/tmp/beadm.x/a\tb\nc\\d");
	assert_string_equal(t.v[1].type, "zfs");
	assert_true(mounttab_is_zfs(&t.v[1]));
	assert_false(mounttab_is_zfs(&t.v[2]));
	mounttab_free(&t);
}

static void
keeps_what_is_no_escape_and_skips_what_is_no_mount(void **state)
{
	struct mounttab t;

	(void)state;
	/* \000 would be a NUL, \400 is past a byte, \9 no octal. */
	parse("a\\000 /x\\400\\9 zfs rw 0 0\n"
	    "too short\n"
	    "\n"
	    "last /no/newline zfs", &t);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[0].source, "a\\000");
	assert_string_equal(t.v[0].dir, "/x\\400\\9");
	assert_string_equal(t.v[1].dir, "/no/newline");
	assert_string_equal(t.v[1].type, "zfs");
	mounttab_free(&t);
}

static void
a_long_path_is_kept_whole(void **state)
{
	char *text, dir[9000];
	struct mounttab t;

	(void)state;
	memset(dir, 'd', sizeof (dir));
	dir[0] = '/';
	dir[sizeof (dir) - 1] = '\0';
	text = malloc(sizeof (dir) + 64);
	assert_non_null(text);
	snprintf(text, sizeof (dir) + 64, "tank/x %s zfs rw 0 0\n", dir);
	assert_int_equal(mounttab_parse(text, &t), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].dir, dir);
	mounttab_free(&t);
}

static void
the_latest_mount_hides_the_earlier_ones(void **state)
{
	const struct mounttab_entry *e;
	struct mounttab t;

	(void)state;
	parse("pool/a /mnt zfs rw 0 0\n"
	    "pool/b /srv zfs rw 0 0\n"
	    "pool/a /other zfs rw 0 0\n"
	    "tmpfs /mnt tmpfs rw 0 0\n"
	    "pool/c /srv zfs rw 0 0\n", &t);
	e = mounttab_at(&t, "/mnt");
	assert_non_null(e);
	assert_string_equal(e->type, "tmpfs");
	assert_string_equal(mounttab_at(&t, "/srv")->source, "pool/c");
	assert_null(mounttab_at(&t, "/nowhere"));
	assert_string_equal(mounttab_zfs_of(&t, "pool/a")->dir, "/other");
	assert_null(mounttab_zfs_of(&t, "tmpfs"));
	mounttab_free(&t);
}

static void
reads_this_processes_table(void **state)
{
	struct mounttab t;

	(void)state;
	/* Whatever this runs in (a chroot, a VM): its table is not empty,
	 * and every mount point in it is an absolute path. */
	assert_int_equal(mounttab_read(&t), 0);
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++)
		assert_int_equal(t.v[i].dir[0], '/');
	assert_ptr_equal(mounttab_at(&t, t.v[t.n - 1].dir), &t.v[t.n - 1]);
	mounttab_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_the_kernels_escapes_in_every_field),
		cmocka_unit_test(keeps_what_is_no_escape_and_skips_what_is_no_mount),
		cmocka_unit_test(a_long_path_is_kept_whole),
		cmocka_unit_test(the_latest_mount_hides_the_earlier_ones),
		cmocka_unit_test(reads_this_processes_table),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
