/*
 * cmd_rename.c - beadm rename OLD NEW
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_rename(int argc, char **argv, struct cli *cli)
{
	be_handle_t *h;
	int status;

	if (getopt(argc, argv, "") != -1 || argc - optind != 2)
		return (cli_usage("rename"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_rename(h, argv[optind], argv[optind + 1]) != BE_OK)
		status = cli_fail(h);
	be_fini(h);
	return (status);
}
