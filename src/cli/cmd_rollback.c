/*
 * cmd_rollback.c - beadm rollback BE@SNAP
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int
cmd_rollback(int argc, char **argv, struct cli *cli)
{
	be_handle_t *h;
	int status;

	if (getopt(argc, argv, "") != -1)
		return (cli_usage("rollback"));
	argc -= optind;
	argv += optind;
	if (argc != 1 || strchr(argv[0], '@') == NULL)
		return (cli_usage("rollback"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_rollback(h, argv[0]) != BE_OK)
		status = cli_fail(h);
	be_fini(h);
	return (status);
}
