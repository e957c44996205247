/*
 * cmd_bless.c - beadm bless
 *
 * Run once a boot is complete (beadm-bless.service does): ends a trial
 * started with activate --try.  When the BE on trial is running, it becomes
 * the default; otherwise the trial failed, the fallback booted, and it
 * stays the default.  Says which, and exits 0 either way.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_bless(int argc, char **argv, struct cli *cli)
{
	char trial[BE_PATH_MAX], kept[BE_PATH_MAX];
	be_handle_t *h;
	int status;

	if (getopt(argc, argv, "") != -1 || argc != optind)
		return (cli_usage("bless"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_bless(h, trial, sizeof (trial), kept, sizeof (kept)) != BE_OK)
		status = cli_fail(h);
	else if (trial[0] == '\0')
		printf("No trial boot is on; nothing to do.\n");
	else if (strcmp(trial, kept) == 0)
		printf("BE '%s' booted on trial and is now the default.\n",
		    trial);
	else
		printf("BE '%s' is not running, so its trial failed; '%s' "
		    "stays the default.\n", trial, kept);
	be_fini(h);
	return (status);
}
