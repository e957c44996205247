/*
 * cmd_snapshot.c - beadm snapshot BE [NAME]
 *
 * Prints the snapshot made, BE@NAME, so that a script can use a generated
 * name.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

int
cmd_snapshot(int argc, char **argv, struct cli *cli)
{
	char made[2 * BE_PATH_MAX];
	be_handle_t *h;
	int status;

	if (getopt(argc, argv, "") != -1)
		return (cli_usage("snapshot"));
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return (cli_usage("snapshot"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_snapshot(h, argv[0], argc == 2 ? argv[1] : NULL, made,
	    sizeof (made)) == BE_OK)
		printf("%s\n", made);
	else
		status = cli_fail(h);
	be_fini(h);
	return (status);
}
