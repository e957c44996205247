/*
 * test_name.c - the BE and snapshot name rules (be_name.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "be.h"

static void
accepts_ordinary_names(void **state)
{
	const char *ok[] = { "default", "pve-1", "11.0-CURRENT", "be_2",
	    "a", "Z9", NULL };

	(void)state;
	for (int i = 0; ok[i] != NULL; i++)
		assert_true(be_name_valid(ok[i], NULL));
}

static void
rejects_each_bad_name_with_its_reason(void **state)
{
	static const struct {
		const char *name, *why;
	} bad[] = {
		{ "", "the name is empty" },
		{ "foo bar", "the name contains a space" },
		{ "a/b", "the name contains '/'" },
		{ "a@b", "the name contains '@'" },
		{ "-rf", "the name starts with '-'" },
		{ ".", "the name starts with '.'" },
		{ "..", "the name starts with '.'" },
		{ ".hidden", "the name starts with '.'" },
		{ "new\nline", "the name contains a control character" },
		{ "tab\there", "the name contains a control character" },
		{ "quo\"te", "the name contains a character other than "
		    "letters, digits, '.', '_' and '-'" },
		{ "a:b", "the name contains a character other than "
		    "letters, digits, '.', '_' and '-'" },
		{ "boot+3", "the name contains a character other than "
		    "letters, digits, '.', '_' and '-'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
		const char *why = NULL;

		assert_false(be_name_valid(bad[i].name, &why));
		assert_string_equal(why, bad[i].why);
	}
}

static void
limits_the_length(void **state)
{
	char name[BE_NAME_MAX + 2];
	const char *why;

	(void)state;
	memset(name, 'a', BE_NAME_MAX);
	name[BE_NAME_MAX] = '\0';
	assert_true(be_name_valid(name, NULL));
	name[BE_NAME_MAX] = 'a';
	name[BE_NAME_MAX + 1] = '\0';
	assert_false(be_name_valid(name, &why));
	assert_string_equal(why, "the name is too long");
}

static void
snapshot_names_allow_colons(void **state)
{
	(void)state;
	assert_true(be_snapname_valid("2026-11-23-14:31:02-123456", NULL));
	assert_false(be_snapname_valid("a b", NULL));
	assert_false(be_snapname_valid("a@b", NULL));
	assert_false(be_snapname_valid("", NULL));
}

static void
splits_be_at_snapshot(void **state)
{
	char be[BE_NAME_MAX + 1], snap[BE_NAME_MAX + 1];

	(void)state;
	assert_true(be_split_snapshot("default@before", be, sizeof (be), snap,
	    sizeof (snap)));
	assert_string_equal(be, "default");
	assert_string_equal(snap, "before");
	assert_true(be_split_snapshot("plain", be, sizeof (be), snap,
	    sizeof (snap)));
	assert_string_equal(be, "plain");
	assert_string_equal(snap, "");
	assert_false(be_split_snapshot("toolongforthebuffer@x", be, 5, snap,
	    sizeof (snap)));
}

static void
auto_snapshot_names_differ_within_a_second(void **state)
{
	struct timespec t1 = { 1795000000, 1000 }, t2 = { 1795000000, 2000 };
	char a[64], b[64];

	(void)state;
	be_auto_snapname(a, sizeof (a), &t1);
	be_auto_snapname(b, sizeof (b), &t2);
	assert_string_not_equal(a, b);
	assert_true(be_snapname_valid(a, NULL));
	assert_string_equal(a, "2026-11-18-11:06:40-000001");
}

static void
path_within_means_itself_or_below_a_slash(void **state)
{
	(void)state;
	assert_true(be_path_within("/usr", "/usr"));
	assert_true(be_path_within("/usr/src", "/usr"));
	assert_false(be_path_within("/usrx", "/usr"));
	assert_false(be_path_within("/us", "/usr"));
	assert_true(be_path_within("rpool/ROOT/a/var", "rpool/ROOT/a"));
	assert_false(be_path_within("rpool/ROOT/ab", "rpool/ROOT/a"));
	assert_false(be_path_within("rpool/ROOT", "rpool/ROOT/a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_ordinary_names),
		cmocka_unit_test(rejects_each_bad_name_with_its_reason),
		cmocka_unit_test(limits_the_length),
		cmocka_unit_test(snapshot_names_allow_colons),
		cmocka_unit_test(splits_be_at_snapshot),
		cmocka_unit_test(auto_snapshot_names_differ_within_a_second),
		cmocka_unit_test(path_within_means_itself_or_below_a_slash),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
