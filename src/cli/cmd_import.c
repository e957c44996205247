/*
 * cmd_import.c - beadm import NEWBE < FILE
 *
 * Creates NEWBE from a stream made by `beadm export` (or `zfs send -R`) on
 * standard input, never from a terminal.  NEWBE is not mounted and not
 * activated.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "cli_progress.h"

int
cmd_import(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 }
	};
	struct cli_progress progress;
	be_handle_t *h;
	int status;

	if (getopt_long(argc, argv, "", longopts, NULL) != -1 ||
	    argc - optind != 1)
		return (cli_usage("import"));
	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "beadm: refusing to read a replication stream "
		    "from a terminal; redirect standard input from a file or a "
		    "pipe (beadm import NEWBE < FILE)\n");
		return (EXIT_USAGE);
	}
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	cli_progress_start(&progress, "importing", "imported", argv[optind]);
	if (be_import(h, argv[optind], STDIN_FILENO, cli_progress_update,
	    &progress) != BE_OK) {
		cli_progress_end(&progress, false);
		status = cli_fail(h);
	} else {
		cli_progress_end(&progress, true);
		printf("Imported BE '%s' (not active; beadm activate %s "
		    "boots it).\n", argv[optind], argv[optind]);
	}
	be_fini(h);
	return (status);
}
