/*
 * test_platform.c - os-release parsing and where a release stands among
 * those beadm supports and tests (be_platform.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "be_platform.h"

static struct be_os_release
parse(const char *text)
{
	struct be_os_release os;
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(be_os_release_parse(f, &os), 0);
	fclose(f);
	return (os);
}

/* The files as Debian 13's base-files and Debian 12's ship them. */
static void
parses_debian_os_release(void **state)
{
	struct be_os_release os;

	(void)state;
	os = parse("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\n"
	    "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\n"
	    "VERSION=\"13 (trixie)\"\nVERSION_CODENAME=trixie\n"
	    "DEBIAN_VERSION_FULL=13.2\nID=debian\n"
	    "HOME_URL=\"https://www.debian.org/\"\n");
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.version_id, "13");
	assert_string_equal(os.pretty_name, "Debian GNU/Linux 13 (trixie)");
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_TESTED);

	os = parse("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	    "VERSION_ID=\"12\"\nID=debian\n");
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_TESTED);
}

static void
unquotes_as_os_release_says(void **state)
{
	struct be_os_release os;

	(void)state;
	os = parse("ID='debian'\nPRETTY_NAME=\"a \\\"b\\\" \\\\ \\$c\"\n");
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.pretty_name, "a \"b\" \\ $c");
	/* Comments, blank lines and lines without '=' are skipped. */
	os = parse("# ID=ubuntu\n\nnonsense\nID=debian\n");
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.version_id, "");
}

/* A value too long for its field is dropped, never cut. */
static void
drops_values_that_do_not_fit(void **state)
{
	char text[512];
	struct be_os_release os;

	(void)state;
	snprintf(text, sizeof (text), "ID=debian\nVERSION_ID=%0*d\n", 40, 13);
	os = parse(text);
	assert_string_equal(os.version_id, "");
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_UNKNOWN);
}

static void
places_debian_releases(void **state)
{
	struct be_os_release os = { .id = "debian" };

	(void)state;
	strcpy(os.version_id, "11");
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_OLDER);
	strcpy(os.version_id, "14");
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_NEWER);
	/* testing and sid have no VERSION_ID. */
	os.version_id[0] = '\0';
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_UNKNOWN);
	strcpy(os.id, "ubuntu");
	strcpy(os.version_id, "24.04");
	assert_int_equal(be_support_debian(&os), BE_SUPPORT_UNKNOWN);
}

static void
places_proxmox_releases(void **state)
{
	(void)state;
	assert_int_equal(be_support_pve("9.0.11"), BE_SUPPORT_UNTESTED);
	assert_int_equal(be_support_pve("8.4.1"), BE_SUPPORT_UNTESTED);
	assert_int_equal(be_support_pve("7.4-19"), BE_SUPPORT_OLDER);
	assert_int_equal(be_support_pve("7.4.19"), BE_SUPPORT_OLDER);
	assert_int_equal(be_support_pve("10.0.1"), BE_SUPPORT_NEWER);
	assert_int_equal(be_support_pve(""), BE_SUPPORT_UNKNOWN);
	assert_int_equal(be_support_pve(NULL), BE_SUPPORT_UNKNOWN);
}

/* Versions as /sys/module/zfs/version, `zfs version` and Proxmox show them. */
static void
places_openzfs_releases(void **state)
{
	(void)state;
	assert_int_equal(be_support_openzfs("2.3.9-1"), BE_SUPPORT_TESTED);
	assert_int_equal(be_support_openzfs("2.1.11-1"), BE_SUPPORT_TESTED);
	assert_int_equal(be_support_openzfs("zfs-kmod-2.1.11-1"),
	    BE_SUPPORT_TESTED);
	assert_int_equal(be_support_openzfs("zfs-2.2.7-pve1"),
	    BE_SUPPORT_UNTESTED);
	assert_int_equal(be_support_openzfs("2.0.7-1"), BE_SUPPORT_OLDER);
	assert_int_equal(be_support_openzfs("0.8.6"), BE_SUPPORT_OLDER);
	assert_int_equal(be_support_openzfs("2.4.0-rc1"), BE_SUPPORT_NEWER);
	assert_int_equal(be_support_openzfs("3.0.0"), BE_SUPPORT_NEWER);
	assert_int_equal(be_support_openzfs("2"), BE_SUPPORT_UNKNOWN);
	assert_int_equal(be_support_openzfs("v2.3"), BE_SUPPORT_UNKNOWN);
}

static void
tells_openzfs_series_apart(void **state)
{
	(void)state;
	assert_true(be_openzfs_same_series("2.3.9-1", "2.3.9"));
	assert_true(be_openzfs_same_series("zfs-kmod-2.3.4-pve1", "2.3.9"));
	assert_false(be_openzfs_same_series("2.1.11-1", "2.3.9"));
	assert_false(be_openzfs_same_series("2.3.9", "2.30.1"));
	assert_false(be_openzfs_same_series("", "2.3.9"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_debian_os_release),
		cmocka_unit_test(unquotes_as_os_release_says),
		cmocka_unit_test(drops_values_that_do_not_fit),
		cmocka_unit_test(places_debian_releases),
		cmocka_unit_test(places_proxmox_releases),
		cmocka_unit_test(places_openzfs_releases),
		cmocka_unit_test(tells_openzfs_series_apart),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
