/*
 * test_apt_sources.c - the mirror beadm install gives debootstrap, from
 * apt sources in deb822 and one-line form (apt_sources.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "apt_sources.h"

/* Scan text as a deb822 (deb822 true) or one-line file for suite. */
static const char *
scan(struct apt_mirror *m, const char *suite, bool deb822, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	apt_mirror_init(m, suite);
	assert_int_equal(deb822 ? apt_mirror_scan_deb822(m, f) :
	    apt_mirror_scan_list(m, f), 0);
	fclose(f);
	return (m->uri);
}

/* Debian 12's own debian.sources: security comes second, is skipped. */
static void
reads_debian_sources(void **state)
{
	struct apt_mirror m;

	(void)state;
	assert_string_equal(scan(&m, "bookworm", true,
	    "Types: deb deb-src\n"
	    "# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
	    "URIs: http://mirror.example/debian\n"
	    "Suites: bookworm bookworm-updates\n"
	    "Components: main\n"
	    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
	    "\n"
	    "Types: deb\n"
	    "URIs: http://mirror.example/debian-security\n"
	    "Suites: bookworm-security\n"
	    "Components: main\n"), "http://mirror.example/debian");
	assert_int_equal(m.rank, 0);
}

static void
skips_security_only_and_disabled_entries(void **state)
{
	struct apt_mirror m;

	(void)state;
	assert_string_equal(scan(&m, "bookworm", true,
	    "Types: deb\nURIs: http://security.debian.org/\n"
	    "Suites: bookworm-security\nComponents: main\n\n"
	    "Types: deb\nURIs: http://off.example/debian\n"
	    "Suites: bookworm\nComponents: main\nEnabled: no\n\n"
	    "Types: deb-src\nURIs: http://src.example/debian\n"
	    "Suites: bookworm\nComponents: main\n\n"
	    "Types: deb\nURIs: http://on.example/debian\n"
	    "Suites: bookworm\nComponents: main contrib\n"),
	    "http://on.example/debian");
}

/* Field names in any case, values continued on the next lines, blank
 * lines with white space, several URIs (the first counts). */
static void
reads_deb822_details(void **state)
{
	struct apt_mirror m;

	(void)state;
	assert_string_equal(scan(&m, "trixie", true,
	    "types: deb\n"
	    "uris:\n  http://a.example/debian\n  http://b.example/debian\n"
	    "suites: trixie\n"
	    "components: contrib\n main\n"
	    " \t\n"), "http://a.example/debian");
}

/* An entry for the suite asked for beats backports, which beats a
 * third-party suite, whatever the order. */
static void
prefers_the_suite_asked_for(void **state)
{
	struct apt_mirror m;
	const char *text =
	    "Types: deb\nURIs: https://vendor.example/apt\n"
	    "Suites: cloud-sdk-bookworm\nComponents: main\n\n"
	    "Types: deb\nURIs: http://bp.example/debian\n"
	    "Suites: bookworm-backports\nComponents: main contrib\n\n"
	    "Types: deb\nURIs: http://main.example/debian\n"
	    "Suites: bookworm bookworm-updates\nComponents: main\n";

	(void)state;
	assert_string_equal(scan(&m, "bookworm", true, text),
	    "http://main.example/debian");
	/* Another suite: the plain release name wins. */
	assert_string_equal(scan(&m, "trixie", true, text),
	    "http://main.example/debian");
	assert_int_equal(m.rank, 1);
}

static void
reads_one_line_entries(void **state)
{
	struct apt_mirror m;

	(void)state;
	assert_string_equal(scan(&m, "bookworm", false,
	    "# deb http://commented.example/debian bookworm main\n"
	    "deb-src http://src.example/debian bookworm main\n"
	    "deb http://security.debian.org/debian-security "
	    "bookworm-security main\n"
	    "deb http://nomain.example/debian bookworm contrib\n"
	    "deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian "
	    "bookworm main contrib # the mirror\n"
	    "deb http://two.example/debian bookworm main\n"),
	    "http://one.example/debian");
	assert_int_equal(m.rank, 0);
}

static void
finds_nothing_without_a_main_archive(void **state)
{
	struct apt_mirror m;

	(void)state;
	assert_string_equal(scan(&m, "bookworm", false,
	    "deb http://security.debian.org/ bookworm/updates main\n"
	    "deb\n"
	    "deb http://x.example/debian\n"), "");
	assert_int_equal(m.rank, APT_RANK_NONE);
	assert_string_equal(scan(&m, "bookworm", true, ""), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_debian_sources),
		cmocka_unit_test(skips_security_only_and_disabled_entries),
		cmocka_unit_test(reads_deb822_details),
		cmocka_unit_test(prefers_the_suite_asked_for),
		cmocka_unit_test(reads_one_line_entries),
		cmocka_unit_test(finds_nothing_without_a_main_archive),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
