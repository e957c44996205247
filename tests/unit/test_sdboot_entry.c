/*
 * test_sdboot_entry.c - systemd-boot's names, entries, loader.conf, the
 * command line and the choice of entry (sdboot_entry.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sdboot_entry.h"

static void
reads_beadm_entry_names(void **state)
{
	struct sdb_name nm;

	(void)state;
	assert_true(sdb_name_parse("beadm-be2@6.1.0-56-amd64.conf", &nm));
	assert_int_equal(nm.kind, SDB_NORMAL);
	assert_string_equal(nm.be, "be2");
	assert_string_equal(nm.kver, "6.1.0-56-amd64");
	assert_string_equal(nm.id, "beadm-be2@6.1.0-56-amd64.conf");
	assert_int_equal(nm.tries_left, -1);
	assert_int_equal(nm.tries_done, -1);

	assert_true(sdb_name_parse("beadm~fallback-pve-1@6.8.12-4-pve.conf",
	    &nm));
	assert_int_equal(nm.kind, SDB_FALLBACK);
	assert_string_equal(nm.be, "pve-1");
	assert_string_equal(nm.kver, "6.8.12-4-pve");
}

static void
reads_boot_counters(void **state)
{
	struct sdb_name nm;

	(void)state;
	assert_true(sdb_name_parse("beadm~try-be2@6.1.0-56-amd64+3.conf",
	    &nm));
	assert_int_equal(nm.kind, SDB_TRY);
	assert_string_equal(nm.be, "be2");
	assert_string_equal(nm.kver, "6.1.0-56-amd64");
	assert_string_equal(nm.id, "beadm~try-be2@6.1.0-56-amd64.conf");
	assert_int_equal(nm.tries_left, 3);
	assert_int_equal(nm.tries_done, 0);

	assert_true(sdb_name_parse("beadm~try-be2@6.1.0-56-amd64+0-3.conf",
	    &nm));
	assert_int_equal(nm.kind, SDB_TRY);
	assert_string_equal(nm.id, "beadm~try-be2@6.1.0-56-amd64.conf");
	assert_int_equal(nm.tries_left, 0);
	assert_int_equal(nm.tries_done, 3);
}

static void
foreign_entries_get_id_and_counter_too(void **state)
{
	struct sdb_name nm;

	(void)state;
	assert_true(sdb_name_parse("Proxmox-6.8.12-4-PVE+2-1.conf", &nm));
	assert_int_equal(nm.kind, SDB_FOREIGN);
	assert_string_equal(nm.be, "");
	assert_string_equal(nm.kver, "");
	assert_string_equal(nm.id, "proxmox-6.8.12-4-pve.conf");
	assert_int_equal(nm.tries_left, 2);
	assert_int_equal(nm.tries_done, 1);

	/* A '+' in the middle is part of the name, not a counter. */
	assert_true(sdb_name_parse("debian+3x.conf", &nm));
	assert_string_equal(nm.id, "debian+3x.conf");
	assert_int_equal(nm.tries_left, -1);
	assert_true(sdb_name_parse("a+1-.conf", &nm));
	assert_int_equal(nm.tries_left, -1);
	assert_true(sdb_name_parse("a+-1.conf", &nm));
	assert_int_equal(nm.tries_left, -1);

	/* beadm's prefix without "<BE>@<kver>" is not beadm's. */
	assert_true(sdb_name_parse("beadm-noversion.conf", &nm));
	assert_int_equal(nm.kind, SDB_FOREIGN);
	assert_true(sdb_name_parse("beadm-be@.conf", &nm));
	assert_int_equal(nm.kind, SDB_FOREIGN);
	assert_true(sdb_name_parse("beadm~other-be@6.1.conf", &nm));
	assert_int_equal(nm.kind, SDB_FOREIGN);

	assert_true(sdb_name_parse("LOUD.CONF", &nm));
	assert_string_equal(nm.id, "loud.conf");
	assert_false(sdb_name_parse("beadm-be2@6.1.0.conf.beadm-tmp", &nm));
	assert_false(sdb_name_parse(".conf", &nm));
	assert_false(sdb_name_parse("README", &nm));
}

static void
formats_names_that_parse_back(void **state)
{
	char buf[SDB_FIELD_MAX];
	struct sdb_name nm;

	(void)state;
	assert_true(sdb_name_format(SDB_NORMAL, "be2", "6.1.0-56-amd64", -1,
	    buf, sizeof (buf)));
	assert_string_equal(buf, "beadm-be2@6.1.0-56-amd64.conf");
	assert_true(sdb_name_format(SDB_TRY, "be2", "6.1.0-56-amd64", 3,
	    buf, sizeof (buf)));
	assert_string_equal(buf, "beadm~try-be2@6.1.0-56-amd64+3.conf");
	assert_true(sdb_name_parse(buf, &nm));
	assert_int_equal(nm.kind, SDB_TRY);
	assert_int_equal(nm.tries_left, 3);
	assert_true(sdb_name_format(SDB_FALLBACK, "be1", "6.1.0-55-amd64",
	    -1, buf, sizeof (buf)));
	assert_string_equal(buf, "beadm~fallback-be1@6.1.0-55-amd64.conf");

	/* Only a trial counts down; names with '@' would not parse back. */
	assert_false(sdb_name_format(SDB_NORMAL, "be2", "6.1", 3, buf,
	    sizeof (buf)));
	assert_false(sdb_name_format(SDB_FOREIGN, "be2", "6.1", -1, buf,
	    sizeof (buf)));
	assert_false(sdb_name_format(SDB_NORMAL, "a@b", "6.1", -1, buf,
	    sizeof (buf)));
	/* A version that reads as a counter would not parse back. */
	assert_false(sdb_name_format(SDB_NORMAL, "be2", "6.1+2", -1, buf,
	    sizeof (buf)));

	/* Debian 13's versions carry a '+': a trial's counter still parses
	 * from the last one, and the version keeps the rest. */
	assert_true(sdb_name_format(SDB_TRY, "be2", "6.12.117+deb13-amd64", 2,
	    buf, sizeof (buf)));
	assert_string_equal(buf, "beadm~try-be2@6.12.117+deb13-amd64+2.conf");
	assert_true(sdb_name_parse(buf, &nm));
	assert_int_equal(nm.kind, SDB_TRY);
	assert_string_equal(nm.kver, "6.12.117+deb13-amd64");
	assert_int_equal(nm.tries_left, 2);
	assert_string_equal(nm.id, "beadm~try-be2@6.12.117+deb13-amd64.conf");
	/* As systemd-boot renames it after a failed try. */
	assert_true(sdb_name_parse("beadm~try-be2@6.12.117+deb13-amd64+1-1.conf",
	    &nm));
	assert_string_equal(nm.kver, "6.12.117+deb13-amd64");
	assert_int_equal(nm.tries_left, 1);
	assert_int_equal(nm.tries_done, 1);
	assert_true(sdb_name_format(SDB_NORMAL, "be2", "6.12.117+deb13-amd64",
	    -1, buf, sizeof (buf)));
	assert_true(sdb_name_parse(buf, &nm));
	assert_int_equal(nm.kind, SDB_NORMAL);
	assert_string_equal(nm.kver, "6.12.117+deb13-amd64");
	assert_int_equal(nm.tries_left, -1);
	assert_false(sdb_name_format(SDB_NORMAL, "be2", "6.1", -1, buf, 10));
}

static void
be_pattern_matches_only_its_be(void **state)
{
	char pat[SDB_FIELD_MAX];

	(void)state;
	assert_true(sdb_be_pattern("be2", pat, sizeof (pat)));
	assert_string_equal(pat, "beadm-be2@*");
	assert_int_equal(fnmatch(pat, "beadm-be2@6.1.0-56-amd64.conf", 0), 0);
	assert_int_not_equal(fnmatch(pat, "beadm-be2-old@6.1.0-56-amd64.conf",
	    0), 0);
	assert_int_not_equal(fnmatch(pat, "beadm~try-be2@6.1.conf", 0), 0);
	assert_false(sdb_be_pattern("be*", pat, sizeof (pat)));
	assert_false(sdb_be_pattern("be2", pat, 8));
}

static void
validates_kernel_versions(void **state)
{
	char kver[SDB_KVER_MAX + 2];

	(void)state;
	assert_true(sdb_kver_valid("6.1.0-56-amd64"));
	assert_true(sdb_kver_valid("6.8.12-4-pve"));
	assert_true(sdb_kver_valid("6.9.0~rc1_x"));
	assert_false(sdb_kver_valid(""));
	assert_false(sdb_kver_valid("."));
	assert_false(sdb_kver_valid(".."));
	assert_false(sdb_kver_valid("6.1/../x"));
	/* Debian 13's, and Raspberry Pi OS's: '+' inside is fine... */
	assert_true(sdb_kver_valid("6.12.117+deb13-amd64"));
	assert_true(sdb_kver_valid("6.1+rpt"));
	assert_true(sdb_kver_valid("6.6.51+rpt-rpi-v8"));
	/* ...but not as what systemd-boot reads as a boot counter. */
	assert_false(sdb_kver_valid("6.1+3"));
	assert_false(sdb_kver_valid("6.1+3-0"));
	assert_false(sdb_kver_valid("6.12.117+deb13+2"));
	assert_false(sdb_kver_valid("6.1@x"));
	assert_false(sdb_kver_valid("6.1 x"));
	assert_false(sdb_kver_valid("6.1\n"));
	memset(kver, '1', SDB_KVER_MAX);
	kver[SDB_KVER_MAX] = '\0';
	assert_true(sdb_kver_valid(kver));
	kver[SDB_KVER_MAX] = '1';
	kver[SDB_KVER_MAX + 1] = '\0';
	assert_false(sdb_kver_valid(kver));
}

static int
kver_qsort_cmp(const void *a, const void *b)
{
	return (sdb_kver_cmp(*(const char *const *)a, *(const char *const *)b));
}

static void
sorts_kernel_versions_newest_first(void **state)
{
	const char *v[] = { "6.1.0-9-amd64", "6.1.0-56-amd64",
	    "5.10.0-30-amd64", "6.1.0-10-amd64" };

	(void)state;
	qsort(v, 4, sizeof (v[0]), kver_qsort_cmp);
	assert_string_equal(v[0], "6.1.0-56-amd64");
	assert_string_equal(v[1], "6.1.0-10-amd64");
	assert_string_equal(v[2], "6.1.0-9-amd64");
	assert_string_equal(v[3], "5.10.0-30-amd64");
	assert_true(sdb_kver_cmp("6.1.0-56-amd64", "6.1.0-9-amd64") < 0);
	assert_int_equal(sdb_kver_cmp("6.1", "6.1"), 0);
}

static void
renders_and_parses_an_entry(void **state)
{
	struct sdb_entry e, back;
	char buf[8192];

	(void)state;
	memset(&e, 0, sizeof (e));
	strcpy(e.title, "be2: before the upgrade");
	strcpy(e.version, "6.1.0-56-amd64");
	strcpy(e.sort_key, "beadm-be2");
	strcpy(e.linux_path, "/beadm/store/3f1c");
	strcpy(e.initrd_path, "/beadm/store/a0b2");
	strcpy(e.options, "root=ZFS=rpool/ROOT/be2 boot=zfs quiet");
	assert_true(sdb_entry_render(&e, buf, sizeof (buf)) > 0);
	assert_string_equal(buf,
	    "title      be2: before the upgrade\n"
	    "version    6.1.0-56-amd64\n"
	    "sort-key   beadm-be2\n"
	    "linux      /beadm/store/3f1c\n"
	    "initrd     /beadm/store/a0b2\n"
	    "options    root=ZFS=rpool/ROOT/be2 boot=zfs quiet\n");
	assert_int_equal(sdb_entry_render(&e, buf, sizeof (buf)),
	    (int)strlen(buf));
	sdb_entry_parse(buf, &back);
	assert_memory_equal(&e, &back, sizeof (e));

	/* Empty fields are left out; too small a buffer is an error. */
	e.sort_key[0] = '\0';
	assert_true(sdb_entry_render(&e, buf, sizeof (buf)) > 0);
	assert_null(strstr(buf, "sort-key"));
	assert_int_equal(sdb_entry_render(&e, buf, 40), -1);
}

static void
title_control_characters_become_spaces(void **state)
{
	struct sdb_entry e, back;
	char buf[4096];

	(void)state;
	memset(&e, 0, sizeof (e));
	strcpy(e.title, "evil\nlinux /x\tand\rmore");
	strcpy(e.linux_path, "/beadm/store/1");
	assert_true(sdb_entry_render(&e, buf, sizeof (buf)) > 0);
	assert_string_equal(buf, "title      evil linux /x and more\n"
	    "linux      /beadm/store/1\n");
	sdb_entry_parse(buf, &back);
	assert_string_equal(back.linux_path, "/beadm/store/1");
}

static void
parses_entries_as_systemd_boot_does(void **state)
{
	struct sdb_entry e;

	(void)state;
	sdb_entry_parse("# a comment\n"
	    "\n"
	    "  title   Debian  \r\n"
	    "machine-id 0123\n"
	    "linux\t/vmlinuz\n"
	    "initrd /first\n"
	    "initrd /second\n"
	    "options a=1\n"
	    "options b=2\n"
	    "version \"6.1\"\n"
	    "sort-key", &e);
	assert_string_equal(e.title, "Debian");
	assert_string_equal(e.linux_path, "/vmlinuz");
	assert_string_equal(e.initrd_path, "/first");
	assert_string_equal(e.options, "a=1 b=2");
	assert_string_equal(e.version, "6.1");
	assert_string_equal(e.sort_key, "");
	sdb_entry_parse("", &e);
	assert_string_equal(e.title, "");
}

static void
reads_loader_conf_default(void **state)
{
	char buf[SDB_FIELD_MAX];

	(void)state;
	sdb_loader_default("timeout 3\ndefault a*\n#default b\n"
	    "  default  beadm-be2@*  \neditor no", buf, sizeof (buf));
	assert_string_equal(buf, "beadm-be2@*");
	sdb_loader_default("timeout 3\n", buf, sizeof (buf));
	assert_string_equal(buf, "");
	sdb_loader_default(NULL, buf, sizeof (buf));
	assert_string_equal(buf, "");
	assert_true(sdb_loader_is_ours("# written by beadm\ndefault x\n"));
	assert_true(sdb_loader_is_ours("# written by beadm"));
	assert_false(sdb_loader_is_ours("timeout 3\n# written by beadm\n"));
	assert_false(sdb_loader_is_ours("# written by beadmx\n"));
	assert_false(sdb_loader_is_ours(NULL));
}

static void
rewrites_loader_conf_keeping_other_lines(void **state)
{
	char *out;

	(void)state;
	out = sdb_loader_with_default("# proxmox-boot-tool\n"
	    "timeout 3\n"
	    "default proxmox-*\n"
	    "\n"
	    "# written by beadm\n"
	    "  default old\n"
	    "console-mode max", "beadm-be2@*");
	assert_non_null(out);
	assert_string_equal(out, "# written by beadm\n"
	    "# proxmox-boot-tool\n"
	    "timeout 3\n"
	    "\n"
	    "console-mode max\n"
	    "default beadm-be2@*\n");
	free(out);

	out = sdb_loader_with_default(NULL, "beadm~*");
	assert_non_null(out);
	assert_string_equal(out, "# written by beadm\ndefault beadm~*\n");
	assert_true(sdb_loader_is_ours(out));
	free(out);

	/* Rewriting beadm's own file changes only the default. */
	out = sdb_loader_with_default("# written by beadm\ntimeout 5\n"
	    "default beadm~*\n", "beadm-be1@*");
	assert_string_equal(out, "# written by beadm\ntimeout 5\n"
	    "default beadm-be1@*\n");
	free(out);
}

static void
check_cmdline(const char *template, const char *want)
{
	char buf[SDB_OPTIONS_MAX];

	assert_true(sdb_cmdline(template, "be2", "rpool/ROOT/be2", buf,
	    sizeof (buf)));
	assert_string_equal(buf, want);
}

static void
builds_the_command_line(void **state)
{
	char buf[16];

	(void)state;
	check_cmdline("root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet",
	    "root=ZFS=rpool/ROOT/be2 boot=zfs quiet");
	check_cmdline("BOOT_IMAGE=/vmlinuz-6.1.0-56-amd64 "
	    "root=ZFS=rpool/ROOT/debian ro  quiet\tinitrd=\\initrd.img",
	    "root=ZFS=rpool/ROOT/be2 ro quiet");
	check_cmdline("boot=zfs quiet",
	    "root=ZFS=rpool/ROOT/be2 boot=zfs quiet");
	check_cmdline("", "root=ZFS=rpool/ROOT/be2");
	check_cmdline(NULL, "root=ZFS=rpool/ROOT/be2");
	check_cmdline("  quiet  hostname=h-__BE_NAME zfs.x=__BE_NAME__BE_NAME ",
	    "root=ZFS=rpool/ROOT/be2 quiet hostname=h-be2 zfs.x=be2be2");
	check_cmdline("root=/dev/sda1 rootflags=x quiet\nsecond line",
	    "root=ZFS=rpool/ROOT/be2 rootflags=x quiet");
	check_cmdline("dyndbg=\"file x.c  +p\" root=UUID=1",
	    "dyndbg=\"file x.c  +p\" root=ZFS=rpool/ROOT/be2");
	assert_false(sdb_cmdline("quiet", "be2", "rpool/ROOT/be2", buf,
	    sizeof (buf)));
}

static void
selects_by_default_pattern(void **state)
{
	const struct sdb_seen s[] = {
		{ "beadm-be2-old@6.1.0-56-amd64.conf", "beadm-be2-old",
		    "6.1.0-56-amd64" },
		{ "beadm-be2@6.1.0-55-amd64.conf", "beadm-be2",
		    "6.1.0-55-amd64" },
		{ "beadm-be2@6.1.0-56-amd64.conf", "beadm-be2",
		    "6.1.0-56-amd64" },
		{ "proxmox-6.8.12-4-pve.conf", "", "" },
	};

	(void)state;
	/* The newest kernel of be2, not be2-old's. */
	assert_int_equal(sdb_select(s, 4, "beadm-be2@*", NULL), 2);
	assert_int_equal(sdb_select(s, 4, "BEADM-BE2-OLD@*", ""), 0);
	/* No default, or one matching nothing: the first in order. */
	assert_int_equal(sdb_select(s, 4, NULL, NULL), 2);
	assert_int_equal(sdb_select(s, 4, "nothing*", NULL), 2);
	assert_int_equal(sdb_select(s, 0, "beadm-be2@*", NULL), -1);
}

static void
oneshot_wins_over_default(void **state)
{
	const struct sdb_seen s[] = {
		{ "beadm-be1@6.1.0-56-amd64.conf", "beadm-be1",
		    "6.1.0-56-amd64" },
		{ "beadm-be2@6.1.0-56-amd64.conf", "beadm-be2",
		    "6.1.0-56-amd64" },
	};

	(void)state;
	assert_int_equal(sdb_select(s, 2, "beadm-be1@*", "beadm-be2@*"), 1);
	assert_int_equal(sdb_select(s, 2, "beadm-be1@*", "beadm-be9@*"), 0);
}

static void
trial_without_tries_loses_to_fallback(void **state)
{
	const struct sdb_seen live[] = {
		{ "beadm~fallback-be1@6.1.0-56-amd64.conf", "beadm~2",
		    "6.1.0-56-amd64" },
		{ "beadm~try-be2@6.1.0-56-amd64+2-1.conf", "beadm~1",
		    "6.1.0-56-amd64" },
		{ "beadm-be1@6.1.0-56-amd64.conf", "beadm-be1",
		    "6.1.0-56-amd64" },
	};
	const struct sdb_seen spent[] = {
		{ "beadm~try-be2@6.1.0-56-amd64+0-3.conf", "beadm~1",
		    "6.1.0-56-amd64" },
		{ "beadm~fallback-be1@6.1.0-56-amd64.conf", "beadm~2",
		    "6.1.0-56-amd64" },
		{ "beadm-be1@6.1.0-56-amd64.conf", "beadm-be1",
		    "6.1.0-56-amd64" },
	};

	(void)state;
	assert_int_equal(sdb_select(live, 3, "beadm~*", NULL), 1);
	assert_int_equal(sdb_select(spent, 3, "beadm~*", NULL), 1);
	/* Alone, a spent entry is still chosen: it is last, not gone. */
	assert_int_equal(sdb_select(spent, 1, "beadm~*", NULL), 0);
}

static void
orders_sort_key_then_version_then_id(void **state)
{
	const struct sdb_seen keyless_first[] = {
		{ "zzz.conf", "", "" },
		{ "aaa.conf", "", "" },
		{ "beadm-be1@6.1.0-9-amd64.conf", "beadm-be1",
		    "6.1.0-9-amd64" },
		{ "beadm-be1@6.1.0-10-amd64.conf", "beadm-be1",
		    "6.1.0-10-amd64" },
	};
	const struct sdb_seen ids_only[] = {
		{ "debian-6.1.0-9.conf", "", "" },
		{ "debian-6.1.0-10.conf", "", "" },
		{ "not-an-entry.txt", "", "" },
	};
	const struct sdb_seen counted[] = {
		{ "x+1.conf", "", "" },
		{ "x+3.conf", "", "" },
		{ "x+3-1.conf", "", "" },
	};

	(void)state;
	/* Entries with a sort key come first, newest version first. */
	assert_int_equal(sdb_select(keyless_first, 4, NULL, NULL), 3);
	/* Without one, by id, newest first. */
	assert_int_equal(sdb_select(ids_only, 3, NULL, NULL), 1);
	assert_int_equal(sdb_select(ids_only, 3, "*.txt", NULL), 1);
	assert_int_equal(sdb_select(&ids_only[2], 1, NULL, NULL), -1);
	/* Same id: more tries left, then fewer done, first. */
	assert_int_equal(sdb_select(counted, 3, NULL, NULL), 1);
	assert_int_equal(sdb_select(counted, 3, "x.conf", NULL), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_beadm_entry_names),
		cmocka_unit_test(reads_boot_counters),
		cmocka_unit_test(foreign_entries_get_id_and_counter_too),
		cmocka_unit_test(formats_names_that_parse_back),
		cmocka_unit_test(be_pattern_matches_only_its_be),
		cmocka_unit_test(validates_kernel_versions),
		cmocka_unit_test(sorts_kernel_versions_newest_first),
		cmocka_unit_test(renders_and_parses_an_entry),
		cmocka_unit_test(title_control_characters_become_spaces),
		cmocka_unit_test(parses_entries_as_systemd_boot_does),
		cmocka_unit_test(reads_loader_conf_default),
		cmocka_unit_test(rewrites_loader_conf_keeping_other_lines),
		cmocka_unit_test(builds_the_command_line),
		cmocka_unit_test(selects_by_default_pattern),
		cmocka_unit_test(oneshot_wins_over_default),
		cmocka_unit_test(trial_without_tries_loses_to_fallback),
		cmocka_unit_test(orders_sort_key_then_version_then_id),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
