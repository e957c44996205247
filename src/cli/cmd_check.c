/*
 * cmd_check.c - beadm check
 *
 * One line per finding on standard output:
 *     ok: WHAT
 *     problem: WHAT — fix: HOW
 * Exit 0 when every check passed, 1 when any problem was found (2 for a bad
 * command line).  Unlike other commands, check runs even when no BE root
 * can be found: explaining that is part of its job.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void
print_finding(bool ok, const char *what, const char *hint, void *arg)
{
	(void)arg;
	if (ok)
		printf("ok: %s\n", what);
	else
		printf("problem: %s \u2014 fix: %s\n", what, hint);
}

int
cmd_check(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 }
	};
	be_handle_t *h;
	int status;

	if (getopt_long(argc, argv, "", longopts, NULL) != -1 ||
	    argc - optind != 0)
		return (cli_usage("check"));
	if ((h = be_init()) == NULL) {
		fprintf(stderr, "beadm: out of memory\n");
		return (EXIT_FAIL);
	}
	/* A failure here is reported by be_check as its first problem. */
	if (be_errno(h) == BE_OK)
		(void) be_set_root(h, cli->beroot);
	status = be_check(h, print_finding, NULL) == BE_OK ? EXIT_OK :
	    EXIT_FAIL;
	be_fini(h);
	return (status);
}
