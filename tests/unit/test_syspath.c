/*
 * test_syspath.c - which mount paths beadm consolidate moves under a BE
 * (be_syspath.c), and the mountpoint a moved dataset inherits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "be_syspath.h"

static void
system_trees_and_below_are_system(void **state)
{
	const char *yes[] = { "/usr", "/usr/src", "/usr/ports", "/var",
	    "/var/log", "/var/lib", "/tmp", "/etc", "/opt", "/opt/x/y",
	    "/usr/local", NULL };

	(void)state;
	for (int i = 0; yes[i] != NULL; i++)
		assert_true(be_syspath_is_system(yes[i]));
}

static void
shared_and_other_paths_are_not(void **state)
{
	const char *no[] = { "/", "/home", "/home/alice", "/root", "/srv",
	    "/usr/home", "/usr/home/alice", "/var/lib/vz", "/var/lib/docker",
	    "/var/lib/libvirt/images", "/usrx", "/variable", "/x220",
	    "/rpool/data", "none", "legacy", "", "usr", NULL };

	(void)state;
	for (int i = 0; no[i] != NULL; i++)
		assert_false(be_syspath_is_system(no[i]));
}

static void
shared_trees_are_whole_components(void **state)
{
	(void)state;
	assert_true(be_syspath_is_shared("/usr/home"));
	assert_true(be_syspath_is_shared("/var/lib/vz/images"));
	assert_false(be_syspath_is_shared("/usr/homes"));
	assert_false(be_syspath_is_shared("/var/lib"));
}

static void
inherited_mountpoints_follow_zfs(void **state)
{
	char buf[64];

	(void)state;
	assert_true(be_syspath_inherited("/", "usr", buf, sizeof (buf)));
	assert_string_equal(buf, "/usr");
	assert_true(be_syspath_inherited("/usr", "src", buf, sizeof (buf)));
	assert_string_equal(buf, "/usr/src");
	assert_true(be_syspath_inherited("none", "tmp", buf, sizeof (buf)));
	assert_string_equal(buf, "none");
	assert_true(be_syspath_inherited("legacy", "tmp", buf, sizeof (buf)));
	assert_string_equal(buf, "legacy");
	assert_false(be_syspath_inherited("/usr", "src", buf, 5));
}

static void
mount_refuses_what_the_running_system_is_made_of(void **state)
{
	const char *refused[] = { "/", "/etc", "/etc/ssh", "/usr", "/usr/local",
	    "/var", "/var/lib/dpkg", "/boot", "/boot/efi", "/dev", "/proc",
	    "/sys", "/bin", "/sbin", "/lib", "/lib64", "/home", "/root", "/run",
	    "/srv", "/opt", "/tmp", "/var/tmp", NULL };
	const char *fine[] = { "/mnt", "/mnt/be2", "/media", "/media/x",
	    "/tmp/beadm.Ab12Cd", "/var/tmp/be", "/home/admin/be", "/srv/be",
	    "/run/be", "/opt/be", "/etcetera", "/usrx", "/variant", NULL };

	(void)state;
	for (int i = 0; refused[i] != NULL; i++)
		assert_true(be_syspath_mount_refused(refused[i]));
	for (int i = 0; fine[i] != NULL; i++)
		assert_false(be_syspath_mount_refused(fine[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(system_trees_and_below_are_system),
		cmocka_unit_test(shared_and_other_paths_are_not),
		cmocka_unit_test(shared_trees_are_whole_components),
		cmocka_unit_test(inherited_mountpoints_follow_zfs),
		cmocka_unit_test(mount_refuses_what_the_running_system_is_made_of),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
