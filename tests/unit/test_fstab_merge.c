/*
 * test_fstab_merge.c - beadm install --copy-config's fstab: the new
 * system's own lines, then the running system's lines for what lies outside
 * every BE, none cut, whatever their length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fstab_merge.h"

#define	MARK	"# Copied from the running system by beadm install " \
		"--copy-config:\n"

static void
keeps_what_lies_outside_the_bes(void **state)
{
	static const char running[] =
	    "# /etc/fstab: static file system information.\n"
	    "rpool/ROOT/debian / zfs defaults 0 0\n"
	    "rpool/ROOT/debian/var /var zfs defaults 0 0\n"
	    "rpool/ROOTS/x /x zfs defaults 0 0\n"
	    "UUID=1234-ABCD /boot/efi vfat umask=0077 0 1\n"
	    "\t/dev/zvol/rpool/swap none swap sw 0 0\n"
	    "rpool/home /home zfs defaults 0 0\n"
	    "tmpfs /tmp tmpfs defaults 0 0";
	static const char mine[] = "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n"
	    "proc /tmp tmpfs defaults 0 0";
	size_t added;
	char *out;

	(void)state;
	out = fstab_merge(running, mine, "rpool/ROOT", &added);
	assert_non_null(out);
	assert_string_equal(out, "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n"
	    "proc /tmp tmpfs defaults 0 0\n" MARK
	    "rpool/ROOTS/x /x zfs defaults 0 0\n"
	    "UUID=1234-ABCD /boot/efi vfat umask=0077 0 1\n"
	    "\t/dev/zvol/rpool/swap none swap sw 0 0\n"
	    "rpool/home /home zfs defaults 0 0\n");
	assert_int_equal(added, 4);
	free(out);
}

static void
a_long_line_is_compared_and_copied_whole(void **state)
{
	char running[3000], mine[3000], *out;
	size_t added;

	(void)state;
	/* Two mount points alike in their first 1500 bytes only. */
	memset(running, 'a', sizeof (running));
	memcpy(running, "/dev/sdb1 /", 11);
	memcpy(running + 2000, "X ext4 defaults 0 2\n", 21);
	memcpy(mine, running, sizeof (running));
	mine[2000] = 'Y';
	out = fstab_merge(running, mine, "", &added);
	assert_non_null(out);
	assert_int_equal(added, 1);
	assert_string_equal(out + strlen(mine) + strlen(MARK), running);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_what_lies_outside_the_bes),
		cmocka_unit_test(a_long_line_is_compared_and_copied_whole),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
