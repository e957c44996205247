/*
 * test_efivar.c - loader variables as efivarfs holds them (efivar.c),
 * against a plain directory named by BEADM_TEST_EFIVARS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "efivar.h"

#define	ONESHOT	"LoaderEntryOneShot"

static void
encodes_attributes_utf16_and_nul(void **state)
{
	static const uint8_t want[] = { 0x07, 0, 0, 0, 'a', 0, 'b', 0, 0, 0 };
	uint8_t buf[32];

	(void)state;
	assert_int_equal(efivar_encode("ab", buf, sizeof (buf)),
	    (int)sizeof (want));
	assert_memory_equal(buf, want, sizeof (want));
	assert_int_equal(efivar_encode("", buf, sizeof (buf)), 6);
	assert_int_equal(efivar_encode("ab", buf, 9), -1);
	assert_int_equal(efivar_encode("caf\xc3\xa9", buf, sizeof (buf)), -1);
}

static void
decodes_what_it_encodes(void **state)
{
	static const uint8_t odd[] = { 7, 0, 0, 0, 'a' };
	static const uint8_t wide[] = { 7, 0, 0, 0, 'a', 0, 0xe9, 0, 0x3a,
	    0x26 };
	static const uint8_t no_nul[] = { 7, 0, 0, 0, 'h', 0, 'i', 0 };
	uint8_t buf[64];
	char s[16];
	int len;

	(void)state;
	len = efivar_encode("beadm-be2@*", buf, sizeof (buf));
	assert_true(efivar_decode(buf, (size_t)len, s, sizeof (s)));
	assert_string_equal(s, "beadm-be2@*");
	assert_false(efivar_decode(odd, sizeof (odd), s, sizeof (s)));
	assert_false(efivar_decode(odd, 3, s, sizeof (s)));
	assert_true(efivar_decode(wide, sizeof (wide), s, sizeof (s)));
	assert_string_equal(s, "a??");
	assert_true(efivar_decode(no_nul, sizeof (no_nul), s, sizeof (s)));
	assert_string_equal(s, "hi");
	assert_false(efivar_decode(buf, (size_t)len, s, 4));
}

static char *
make_dir(void)
{
	char *dir = strdup("/tmp/beadm-efivar-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(setenv("BEADM_TEST_EFIVARS", dir, 1), 0);
	return (dir);
}

static void
remove_dir(char *dir)
{
	assert_int_equal(rmdir(dir), 0);
	free(dir);
	(void) unsetenv("BEADM_TEST_EFIVARS");
}

static void
set_get_delete_round_trip(void **state)
{
	char *dir = make_dir();
	char path[PATH_MAX], got[64], where[PATH_MAX];
	struct stat st;

	(void)state;
	assert_true(efivar_available(where, sizeof (where)));
	assert_string_equal(where, dir);
	assert_int_equal(efivar_get_string(ONESHOT, got, sizeof (got)),
	    ENOENT);
	assert_int_equal(efivar_set_string(ONESHOT, "beadm-be2-old@*"), 0);
	snprintf(path, sizeof (path), "%s/%s-%s", dir, ONESHOT,
	    EFIVAR_LOADER_GUID);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4 + 2 * 16);
	assert_int_equal(efivar_get_string(ONESHOT, got, sizeof (got)), 0);
	assert_string_equal(got, "beadm-be2-old@*");

	/* A shorter value replaces the longer one entirely. */
	assert_int_equal(efivar_set_string(ONESHOT, "beadm-be1@*"), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4 + 2 * 12);
	assert_int_equal(efivar_get_string(ONESHOT, got, sizeof (got)), 0);
	assert_string_equal(got, "beadm-be1@*");
	assert_int_equal(efivar_get_string(ONESHOT, got, 4), ERANGE);

	assert_int_equal(efivar_delete(ONESHOT), 0);
	assert_int_equal(efivar_get_string(ONESHOT, got, sizeof (got)),
	    ENOENT);
	assert_int_equal(efivar_delete(ONESHOT), 0);
	remove_dir(dir);
}

static void
rejects_bad_names_and_missing_dirs(void **state)
{
	char *dir = make_dir();
	char where[PATH_MAX];

	(void)state;
	assert_int_equal(efivar_set_string("../etc/passwd", "x"), EINVAL);
	assert_int_equal(efivar_set_string("", "x"), EINVAL);
	assert_int_equal(efivar_set_string(ONESHOT, "caf\xc3\xa9"), EINVAL);
	assert_int_equal(setenv("BEADM_TEST_EFIVARS", "/nonexistent/efivars",
	    1), 0);
	assert_false(efivar_available(where, sizeof (where)));
	assert_int_equal(efivar_set_string(ONESHOT, "x"), ENODEV);
	assert_int_equal(setenv("BEADM_TEST_EFIVARS", dir, 1), 0);
	remove_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_attributes_utf16_and_nul),
		cmocka_unit_test(decodes_what_it_encodes),
		cmocka_unit_test(set_get_delete_round_trip),
		cmocka_unit_test(rejects_bad_names_and_missing_dirs),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
