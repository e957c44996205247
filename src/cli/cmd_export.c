/*
 * cmd_export.c - beadm export BE > FILE
 *
 * Writes BE as a replication stream to standard output, never to a
 * terminal; a progress line goes to standard error when that is one.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "cli_progress.h"

int
cmd_export(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 }
	};
	struct cli_progress progress;
	be_handle_t *h;
	int status;

	if (getopt_long(argc, argv, "", longopts, NULL) != -1 ||
	    argc - optind != 1)
		return (cli_usage("export"));
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "beadm: refusing to write a replication stream "
		    "to a terminal; redirect standard output to a file or a "
		    "pipe (beadm export BE > FILE)\n");
		return (EXIT_USAGE);
	}
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	fflush(stdout);		/* nothing of ours may land inside the stream */
	cli_progress_start(&progress, "exporting", "exported", argv[optind]);
	if (be_export(h, argv[optind], STDOUT_FILENO, cli_progress_update,
	    &progress) != BE_OK) {
		cli_progress_end(&progress, false);
		status = cli_fail(h);
	} else {
		cli_progress_end(&progress, true);
	}
	be_fini(h);
	return (status);
}
