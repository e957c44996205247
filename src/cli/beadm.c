/*
 * beadm - manage ZFS boot environments.
 *
 * This file holds the command table and the global options; each command
 * lives in cmd_<name>.c and talks to the library only through be.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct command commands[] = {
	{ "activate", cmd_activate,
	    "activate BE\n"
	    "activate -t BE | -T [BE]\n"
	    "activate --try [--tries N] BE",
	    "make BE the one that boots (-t: next boot only; --try: on trial)" },
	{ "apt-hook", cmd_apt_hook, "apt-hook [--after]",
	    "before apt runs dpkg: a checkpoint of the running BE, if beadm:apt "
	    "asks; after (--after): beadm's default back on every ESP" },
	{ "bless", cmd_bless, "bless",
	    "end a trial boot: keep the BE on trial if it is running" },
	{ "check", cmd_check, "check",
	    "tell whether this system is ready for boot environments" },
	{ "chroot", cmd_chroot, "chroot BE [COMMAND [ARG...]]",
	    "run COMMAND (default: a shell) in BE, with /dev /proc /sys /run" },
	{ "consolidate", cmd_consolidate, "consolidate [-y] [BE] [DATASET...]",
	    "move the system's datasets outside the BE root under BE" },
	{ "create", cmd_create,
	    "create [-e BE | -e BE@SNAP] [-d DESCRIPTION] [-o PROP=VALUE]... "
	    "NEWBE\n"
	    "create --empty [-d DESCRIPTION] [-o PROP=VALUE]... NEWBE\n"
	    "create BE@SNAP",
	    "create a boot environment, or a snapshot of one" },
	{ "destroy", cmd_destroy, "destroy [-Fyo] BE | BE@SNAP",
	    "destroy a boot environment or a snapshot" },
	{ "diff", cmd_diff,
	    "diff [-H | --json] [--files | --packages] OLD [NEW]",
	    "show what changed between two BEs or snapshots (NEW: the running "
	    "BE)" },
	{ "export", cmd_export, "export BE",
	    "write BE as a replication stream to standard output" },
	{ "help", cmd_help, "help [COMMAND]", "show usage" },
	{ "import", cmd_import, "import NEWBE",
	    "create NEWBE from a stream on standard input" },
	{ "init", cmd_init, "init [BE]",
	    "write the boot entries of an existing BE (default: the running one)" },
	{ "install", cmd_install,
	    "install [--copy-config] [--keep-failed] [-d DESCRIPTION] NEWBE "
	    "SOURCE",
	    "create NEWBE and install a system into it from a tarball or "
	    "debootstrap:SUITE" },
	{ "kernel", cmd_kernel,
	    "kernel list [-H] [--json] BE\n"
	    "kernel add BE VERSION\n"
	    "kernel add BE PATH [--initrd PATH] [--version VERSION]\n"
	    "kernel remove BE VERSION\n"
	    "kernel pin BE VERSION\n"
	    "kernel unpin BE",
	    "choose which of a BE's kernels get boot entries" },
	{ "list", cmd_list,
	    "list [-aDHs] [-c PROP | -C PROP] [--json]",
	    "list boot environments" },
	{ "mount", cmd_mount, "mount BE [MOUNTPOINT]",
	    "mount BE and its datasets" },
	{ "refresh", cmd_refresh, "refresh [BE]",
	    "write BE's boot entries again and restore beadm's default" },
	{ "rename", cmd_rename, "rename OLD NEW", "rename a boot environment" },
	{ "rollback", cmd_rollback, "rollback BE@SNAP",
	    "roll a boot environment back to a snapshot" },
	{ "snapshot", cmd_snapshot, "snapshot BE [NAME]",
	    "snapshot a boot environment and its datasets" },
	{ "umount", cmd_umount, "umount [-f] BE",
	    "unmount a boot environment" },
	{ "unmount", cmd_umount, "unmount [-f] BE",
	    "unmount a boot environment" },
	{ "version", cmd_version, "version", "print beadm's version" },
	{ "vm", cmd_vm,
	    "vm [--check] [--timeout S] [--mem MB] [--cpus N] [--net] [--keep] "
	    "[--accel auto|kvm|tcg] [--kernel KVER] [--share auto|virtiofs|9p] "
	    "BE\n"
	    "vm --root-dir DIR [--check] [--timeout S] [--mem MB] [--cpus N] "
	    "[--net] [--accel auto|kvm|tcg] [--kernel KVER] "
	    "[--share auto|virtiofs|9p]",
	    "boot a clone of BE under QEMU to try it (--check: pass or fail)" },
	{ NULL, NULL, NULL, NULL }
};

static void
usage_all(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: beadm [-r BEROOT] COMMAND [ARGS...]\n\n");
	for (c = commands; c->name != NULL; c++) {
		const char *line = c->usage, *nl;

		/* Synopses may span lines; indent each. */
		while ((nl = strchr(line, '\n')) != NULL) {
			fprintf(out, "  beadm %.*s\n", (int)(nl - line), line);
			line = nl + 1;
		}
		fprintf(out, "  beadm %s\n", line);
	}
	fprintf(out, "\nSee beadm(8) for details.\n");
}

int
cmd_help(int argc, char **argv, struct cli *cli)
{
	(void)cli;
	if (argc > 2)
		return (cli_usage("help"));
	if (argc == 2) {
		if (cli_find_command(argv[1]) == NULL) {
			fprintf(stderr, "beadm: unknown command '%s'\n",
			    argv[1]);
			return (EXIT_USAGE);
		}
		return (cli_help(argv[1]));
	}
	usage_all(stdout);
	return (EXIT_OK);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { .beroot = NULL };
	const struct command *cmd;
	int ch;

	/* '+': stop at the command name; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+hr:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage_all(stdout);
			return (EXIT_OK);
		case 'r':
			cli.beroot = optarg;
			break;
		case 'V':
			return (cmd_version(1, argv, &cli));
		default:
			usage_all(stderr);
			return (EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_all(stderr);
		return (EXIT_USAGE);
	}
	if ((cmd = cli_find_command(argv[0])) == NULL) {
		fprintf(stderr, "beadm: unknown command '%s'\n", argv[0]);
		usage_all(stderr);
		return (EXIT_USAGE);
	}
	/* `beadm COMMAND --help` anywhere before a "--". */
	for (ch = 1; ch < argc && strcmp(argv[ch], "--") != 0; ch++)
		if (strcmp(argv[ch], "--help") == 0 ||
		    strcmp(argv[ch], "-h") == 0)
			return (cli_help(cmd->name));
	cli_reset_getopt();
	return (cmd->run(argc, argv, &cli));
}
