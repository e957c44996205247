/*
 * test_kernel_select.c - which of a BE's kernels get boot entries and
 * which boots by default (kernel_select.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel_select.h"

/* Three kernels, newest first as ksel_sort leaves them. */
static const char *const three[] = { "6.1.0-12-amd64", "6.1.0-10-amd64",
    "6.1.0-9-amd64" };

static int
choose(const char *pin, const char *add, const char *omit, unsigned keep,
    bool *e)
{
	struct ksel_settings s = { .keep = keep, .pin = pin, .add = add,
	    .omit = omit };

	return (ksel_choose(three, 3, &s, e));
}

static void
the_newest_two_by_default(void **state)
{
	bool e[3];

	(void)state;
	assert_int_equal(choose("", "", "", 2, e), 0);
	assert_true(e[0] && e[1] && !e[2]);
}

static void
keep_changes_how_many(void **state)
{
	bool e[3];

	(void)state;
	assert_int_equal(choose("", "", "", 1, e), 0);
	assert_true(e[0] && !e[1] && !e[2]);
	assert_int_equal(choose("", "", "", 3, e), 0);
	assert_true(e[0] && e[1] && e[2]);
}

static void
added_ones_join_omitted_ones_leave(void **state)
{
	bool e[3];

	(void)state;
	assert_int_equal(choose("", "6.1.0-9-amd64", "", 2, e), 0);
	assert_true(e[0] && e[1] && e[2]);
	/* The newest omitted: the next two take its place. */
	assert_int_equal(choose("", "", "6.1.0-12-amd64", 2, e), 1);
	assert_true(!e[0] && e[1] && e[2]);
	assert_int_equal(choose("", "", "6.1.0-12-amd64,6.1.0-10-amd64,"
	    "6.1.0-9-amd64", 2, e), -1);
	assert_true(!e[0] && !e[1] && !e[2]);
}

static void
the_pinned_one_always_and_by_default(void **state)
{
	bool e[3];

	(void)state;
	assert_int_equal(choose("6.1.0-9-amd64", "", "", 1, e), 2);
	assert_true(e[0] && !e[1] && e[2]);
	/* Even when omitted. */
	assert_int_equal(choose("6.1.0-9-amd64", "", "6.1.0-9-amd64", 1, e),
	    2);
	assert_true(e[2]);
	/* A pin on a kernel that is gone: the newest again. */
	assert_int_equal(choose("5.10.0-1-amd64", "", "", 2, e), 0);
}

static void
newest_is_debian_order(void **state)
{
	const char *v[] = { "6.1.0-9-amd64", "6.1.0-12-amd64", "6.1.0-10-amd64",
	    "5.10.0-28-amd64", "6.1.0-10~bpo-amd64" };

	(void)state;
	ksel_sort(v, 5);
	assert_string_equal(v[0], "6.1.0-12-amd64");
	assert_string_equal(v[1], "6.1.0-10-amd64");
	assert_string_equal(v[2], "6.1.0-10~bpo-amd64");
	assert_string_equal(v[3], "6.1.0-9-amd64");
	assert_string_equal(v[4], "5.10.0-28-amd64");
}

static void
keep_is_one_to_the_most(void **state)
{
	const char *bad[] = { "0", "-1", "+2", " 2", "2 ", "2x", "17", "1.5",
	    "99999999999999999999", NULL };
	unsigned k = 0;
	size_t i;

	(void)state;
	assert_true(ksel_parse_keep("", &k));
	assert_int_equal(k, KSEL_KEEP_DEFAULT);
	assert_true(ksel_parse_keep("1", &k));
	assert_int_equal(k, 1);
	assert_true(ksel_parse_keep("16", &k));
	assert_int_equal(k, 16);
	for (i = 0; bad[i] != NULL; i++)
		assert_false(ksel_parse_keep(bad[i], &k));
}

static void
lists_add_and_remove_whole_items(void **state)
{
	char buf[64];

	(void)state;
	assert_true(ksel_list_add("", "a", buf, sizeof (buf)));
	assert_string_equal(buf, "a");
	assert_true(ksel_list_add("a,b", "b", buf, sizeof (buf)));
	assert_string_equal(buf, "a,b");
	assert_true(ksel_list_add("a,b", "c", buf, sizeof (buf)));
	assert_string_equal(buf, "a,b,c");
	assert_true(ksel_list_remove("a,ab,b", "a", buf, sizeof (buf)));
	assert_string_equal(buf, "ab,b");
	assert_true(ksel_list_remove(",a,,b,", "b", buf, sizeof (buf)));
	assert_string_equal(buf, "a");
	assert_true(ksel_list_has("x,6.1,y", "6.1"));
	assert_false(ksel_list_has("x,6.1.0,y", "6.1"));
	assert_false(ksel_list_has("", ""));
	assert_false(ksel_list_add("abc", "defg", buf, 8));
}

static void
never_more_than_the_most(void **state)
{
	const char *v[KSEL_MAX + 5];
	char names[KSEL_MAX + 5][8];
	bool e[KSEL_MAX + 5];
	struct ksel_settings s = { .keep = 1, .pin = "k40", .add = "",
	    .omit = "" };
	char add[KSEL_LIST_MAX] = "";
	size_t i, n = KSEL_MAX + 5, count = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof (names[i]), "k%zu", 99 - i);
		v[i] = names[i];
		strcat(add, names[i]);
		strcat(add, ",");
	}
	s.add = add;
	s.pin = names[n - 1];
	assert_int_equal(ksel_choose(v, n, &s, e), (int)(n - 1));
	for (i = 0; i < n; i++)
		count += e[i];
	assert_int_equal(count, KSEL_MAX);
	assert_true(e[n - 1] && e[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_newest_two_by_default),
		cmocka_unit_test(keep_changes_how_many),
		cmocka_unit_test(added_ones_join_omitted_ones_leave),
		cmocka_unit_test(the_pinned_one_always_and_by_default),
		cmocka_unit_test(newest_is_debian_order),
		cmocka_unit_test(keep_is_one_to_the_most),
		cmocka_unit_test(lists_add_and_remove_whole_items),
		cmocka_unit_test(never_more_than_the_most),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
