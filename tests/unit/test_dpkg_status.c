/*
 * test_dpkg_status.c - Debian version ordering (dpkg_version.c) and the
 * installed packages of a dpkg status file (dpkg_status.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dpkg_status.h"
#include "dpkg_version.h"

static int
sign(int x)
{
	return ((x > 0) - (x < 0));
}

/* Cases from dpkg's own test suite (lib/dpkg/t/t-version.c) and policy. */
static void
orders_versions_as_dpkg_does(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "0", "0", 0 }, { "0", "00", 0 }, { "1", "0", 1 },
		{ "1.0", "1.0-0", 0 },		/* an empty revision is 0 */
		{ "0:1.0", "1.0", 0 },		/* a missing epoch is 0 */
		{ "1:0.1", "2.0", 1 },		/* the epoch wins */
		{ "1:1.0", "2:0.1", -1 },
		{ "1.0~rc1", "1.0", -1 },	/* ~ sorts before the end */
		{ "1.0~~", "1.0~", -1 },
		{ "1.0~~a", "1.0~~", 1 },
		{ "1.0~", "1.0", -1 },
		{ "1.0a", "1.0", 1 },		/* letters after the end */
		{ "1.0+b1", "1.0a", 1 },	/* non-letters after letters */
		{ "1.0-1", "1.0-2", -1 },
		{ "1.0-10", "1.0-9", 1 },	/* numbers, not strings */
		{ "2.30-1", "2.3-1", 1 },
		{ "1.2.3-1ubuntu1", "1.2.3-1", 1 },
		{ "1.2.3-1~deb12u1", "1.2.3-1", -1 },
		{ "7.88.1-10+deb12u5", "7.88.1-10+deb12u4", 1 },
		{ "1:2.3-4-5", "1:2.3-4-6", -1 },	/* last '-' splits */
		{ "0.0~git20230101", "0.0", -1 },
		{ "a", "b", -1 }, { "Z", "a", -1 },
		{ "0001", "1", 0 }, { "1.01", "1.1", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
		int got = sign(dpkg_version_compare(cases[i].a, cases[i].b));
		int back = sign(dpkg_version_compare(cases[i].b, cases[i].a));

		if (got != cases[i].want || back != -cases[i].want)
			fail_msg("%s vs %s: got %d/%d, want %d", cases[i].a,
			    cases[i].b, got, back, cases[i].want);
	}
}

static const char status_text[] =
    "Package: zlib1g\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "Description: compression library - runtime\n"
    " zlib is a library implementing the deflate compression method\n"
    " Package: not-a-package\n"
    "\n"
    "Package: zlib1g\n"
    "Status: install ok installed\n"
    "Architecture: i386\n"
    "Multi-Arch: same\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "\n"
    "Package: old-config\n"
    "Status: deinstall ok config-files\n"
    "Architecture: all\n"
    "Version: 1.0\n"
    "\n"
    "Package: gone\n"
    "Status: purge ok not-installed\n"
    "Architecture: amd64\n"
    "\n"
    "Package: half\n"
    "Status: install reinstreq half-installed\n"
    "Architecture: amd64\n"
    "Version: 2\n"
    "\n"
    "\n"
    "package: bash\n"
    "status: hold ok installed\n"
    "architecture: amd64\n"
    "version: 5.2.15-2+b2\n"
    "\n"
    "Package: leaving\n"
    "Status: deinstall ok installed\n"
    "Architecture: all\n"
    "Version: 3\n";	/* no blank line at the end */

static void
reads_only_installed_packages(void **state)
{
	struct dpkg_status st;
	FILE *f = fmemopen((void *)status_text, strlen(status_text), "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(dpkg_status_read(f, &st), 0);
	fclose(f);
	assert_int_equal(st.n, 4);
	assert_string_equal(st.v[0].name, "bash");
	assert_string_equal(st.v[0].version, "5.2.15-2+b2");
	assert_string_equal(st.v[0].arch, "amd64");
	/* Removed, but still installed until dpkg acts on it. */
	assert_string_equal(st.v[1].name, "leaving");
	assert_string_equal(st.v[2].name, "zlib1g:amd64");
	assert_string_equal(st.v[2].version, "1:1.2.13.dfsg-1");
	assert_string_equal(st.v[3].name, "zlib1g:i386");
	dpkg_status_free(&st);
}

static void
reads_an_empty_file(void **state)
{
	struct dpkg_status st;
	FILE *f = fmemopen((void *)"\n", 1, "r");

	(void)state;
	assert_int_equal(dpkg_status_read(f, &st), 0);
	fclose(f);
	assert_int_equal(st.n, 0);
	dpkg_status_free(&st);
}

struct seen {
	char lines[16][128];
	int n;
};

static void
record(enum dpkg_change c, const struct dpkg_pkg *old,
    const struct dpkg_pkg *new, void *arg)
{
	static const char *word[] = { "added", "removed", "upgraded",
	    "downgraded" };
	struct seen *s = arg;

	snprintf(s->lines[s->n++], sizeof (s->lines[0]), "%s %s %s %s",
	    word[c], old ? old->name : new->name, old ? old->version : "-",
	    new ? new->version : "-");
}

static void
diffs_two_package_sets(void **state)
{
	static const char old_text[] =
	    "Package: a\nStatus: install ok installed\nVersion: 1.0\n\n"
	    "Package: b\nStatus: install ok installed\nVersion: 2.0~rc1\n\n"
	    "Package: c\nStatus: install ok installed\nVersion: 1:0.9\n\n"
	    "Package: d\nStatus: install ok installed\nVersion: 4\n\n"
	    "Package: e\nStatus: install ok installed\nVersion: 5\n";
	static const char new_text[] =
	    "Package: e\nStatus: install ok installed\nVersion: 5\n\n"
	    "Package: c\nStatus: install ok installed\nVersion: 2.0\n\n"
	    "Package: b\nStatus: install ok installed\nVersion: 2.0\n\n"
	    "Package: f\nStatus: install ok installed\nVersion: 6\n\n"
	    "Package: d\nStatus: deinstall ok config-files\nVersion: 4\n";
	struct dpkg_status old, new;
	struct seen s = { .n = 0 };
	FILE *f;

	(void)state;
	f = fmemopen((void *)old_text, strlen(old_text), "r");
	assert_int_equal(dpkg_status_read(f, &old), 0);
	fclose(f);
	f = fmemopen((void *)new_text, strlen(new_text), "r");
	assert_int_equal(dpkg_status_read(f, &new), 0);
	fclose(f);
	dpkg_status_diff(&old, &new, record, &s);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.lines[0], "removed a 1.0 -");
	assert_string_equal(s.lines[1], "upgraded b 2.0~rc1 2.0");
	assert_string_equal(s.lines[2], "downgraded c 1:0.9 2.0");
	assert_string_equal(s.lines[3], "removed d 4 -");
	assert_string_equal(s.lines[4], "added f - 6");
	dpkg_status_free(&old);
	dpkg_status_free(&new);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orders_versions_as_dpkg_does),
		cmocka_unit_test(reads_only_installed_packages),
		cmocka_unit_test(reads_an_empty_file),
		cmocka_unit_test(diffs_two_package_sets),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
