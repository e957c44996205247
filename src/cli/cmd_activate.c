/*
 * cmd_activate.c - beadm activate [-t | -T | --try [--tries N]] BE
 *
 * Without options BE becomes the BE that boots from now on; -t boots it at
 * the next boot only, -T cancels such a request (BE may be left out).
 * --try boots it on trial: after N failed boots the loader falls back to
 * the current default (beadm bless ends a trial).  -t, -T and --try need a
 * systemd-boot backend; with others the library says so and beadm exits 2.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Whether be already boots next for good: activate then says so. */
static bool
boots_next(be_handle_t *h, const char *be)
{
	char next[BE_NAME_MAX + 1];
	bool once;

	return (be_next_boot(h, next, sizeof (next), &once) == BE_OK &&
	    !once && strcmp(next, be) == 0);
}

static void
say_done(const char *be, int flags, bool was_next)
{
	if (flags & BE_ACTIVATE_ONCE)
		printf("Activated BE '%s' for the next boot only.\n", be);
	else if (flags & BE_ACTIVATE_CANCEL_ONCE)
		printf("Cancelled the one-time boot.\n");
	else if (was_next)
		printf("BE '%s' is already active: it boots next.\n", be);
	else
		printf("Activated BE '%s': it boots next.\n", be);
}

/* --tries N: a small positive number, as systemd-boot counts it. */
static bool
parse_tries(const char *arg, int *tries)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 9)
		return (false);
	*tries = (int)v;
	return (true);
}

int
cmd_activate(int argc, char **argv, struct cli *cli)
{
	enum { OPT_TRY = 256, OPT_TRIES };
	static const struct option longopts[] = {
		{ "try", no_argument, NULL, OPT_TRY },
		{ "tries", required_argument, NULL, OPT_TRIES },
		{ NULL, 0, NULL, 0 }
	};
	be_handle_t *h;
	bool was_next = false, trial = false;
	int ch, flags = 0, status, tries = 0, nargs;
	be_error_t err;

	while ((ch = getopt_long(argc, argv, "tT", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			flags |= BE_ACTIVATE_ONCE;
			break;
		case 'T':
			flags |= BE_ACTIVATE_CANCEL_ONCE;
			break;
		case OPT_TRY:
			trial = true;
			break;
		case OPT_TRIES:
			if (!parse_tries(optarg, &tries)) {
				fprintf(stderr, "beadm: --tries takes a number "
				    "from 1 to 9, not '%s'\n", optarg);
				return (EXIT_USAGE);
			}
			break;
		default:
			return (cli_usage("activate"));
		}
	}
	nargs = argc - optind;
	if ((flags != 0 && trial) || (tries != 0 && !trial) ||
	    flags == (BE_ACTIVATE_ONCE | BE_ACTIVATE_CANCEL_ONCE) ||
	    nargs > 1 || (nargs == 0 && flags != BE_ACTIVATE_CANCEL_ONCE))
		return (cli_usage("activate"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (trial) {
		err = be_activate_try(h, argv[optind], tries);
		if (err == BE_OK)
			printf("BE '%s' boots next on trial (%d tries); until "
			    "'beadm bless' keeps it, a failed boot falls back "
			    "to the current default.\n", argv[optind],
			    tries ? tries : 3);
	} else {
		if (flags == 0)
			was_next = boots_next(h, argv[optind]);
		err = be_activate(h, nargs ? argv[optind] : NULL, flags);
		if (err == BE_OK)
			say_done(nargs ? argv[optind] : "", flags, was_next);
	}
	if (err != BE_OK)
		status = cli_fail(h);
	be_fini(h);
	return (status);
}
