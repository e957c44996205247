/*
 * test_auto_select.c - the settings of checkpoints before apt runs, and
 * which of them retention destroys (be_auto_select.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "be.h"
#include "be_auto.h"

static void
modes_are_off_snapshot_or_create(void **state)
{
	be_auto_mode_t m = BE_AUTO_CREATE;

	(void)state;
	assert_true(be_auto_parse_mode("", &m));
	assert_int_equal(m, BE_AUTO_OFF);
	assert_true(be_auto_parse_mode("off", &m));
	assert_int_equal(m, BE_AUTO_OFF);
	assert_true(be_auto_parse_mode("snapshot", &m));
	assert_int_equal(m, BE_AUTO_SNAPSHOT);
	assert_true(be_auto_parse_mode("create", &m));
	assert_int_equal(m, BE_AUTO_CREATE);
	assert_false(be_auto_parse_mode("on", &m));
	assert_false(be_auto_parse_mode("Snapshot", &m));
	assert_false(be_auto_parse_mode("snapshot ", &m));
}

static void
keep_is_a_positive_whole_number(void **state)
{
	const char *bad[] = { "0", "-1", "+3", " 5", "5 ", "5x", "1.5", "0x10",
	    "10001", "99999999999999999999999", NULL };
	unsigned k = 0;

	(void)state;
	assert_true(be_auto_parse_keep("", &k));
	assert_int_equal(k, BE_AUTO_KEEP_DEFAULT);
	assert_true(be_auto_parse_keep("1", &k));
	assert_int_equal(k, 1);
	assert_true(be_auto_parse_keep("007", &k));
	assert_int_equal(k, 7);
	assert_true(be_auto_parse_keep("10000", &k));
	assert_int_equal(k, 10000);
	for (int i = 0; bad[i] != NULL; i++) {
		k = 42;
		assert_false(be_auto_parse_keep(bad[i], &k));
		assert_int_equal(k, 42);
	}
}

static void
keeps_the_newest_by_creation_then_name(void **state)
{
	/* Listed out of order; b and b-2 were made in the same second. */
	const be_auto_item_t items[] = {
		{ "d@apt-b", 200, false },
		{ "d@apt-a", 100, false },
		{ "d@apt-c", 300, false },
		{ "d@apt-b-2", 200, false },
	};
	bool prune[4];

	(void)state;
	assert_int_equal(be_auto_select(items, 4, 2, prune), 2);
	assert_true(prune[0]);		/* b loses to b-2 by name */
	assert_true(prune[1]);
	assert_false(prune[2]);
	assert_false(prune[3]);
}

static void
pinned_ones_stay_and_still_count(void **state)
{
	const be_auto_item_t items[] = {
		{ "apt-1", 100, true },		/* old, but running */
		{ "apt-2", 200, false },
		{ "apt-3", 300, true },		/* newest, and cloned from */
		{ "apt-4", 250, false },
	};
	bool prune[4];

	(void)state;
	/* keep 2: apt-3 and apt-4 are the newest; apt-2 goes, apt-1 is
	 * pinned. */
	assert_int_equal(be_auto_select(items, 4, 2, prune), 1);
	assert_false(prune[0]);
	assert_true(prune[1]);
	assert_false(prune[2]);
	assert_false(prune[3]);
}

static void
fewer_than_keep_prunes_nothing(void **state)
{
	const be_auto_item_t items[] = {
		{ "apt-1", 100, false },
		{ "apt-2", 200, false },
	};
	bool prune[2] = { true, true };

	(void)state;
	assert_int_equal(be_auto_select(items, 2, 5, prune), 0);
	assert_false(prune[0]);
	assert_false(prune[1]);
	assert_int_equal(be_auto_select(NULL, 0, 1, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes_are_off_snapshot_or_create),
		cmocka_unit_test(keep_is_a_positive_whole_number),
		cmocka_unit_test(keeps_the_newest_by_creation_then_name),
		cmocka_unit_test(pinned_ones_stay_and_still_count),
		cmocka_unit_test(fewer_than_keep_prunes_nothing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
