/*
 * cmd_version.c - beadm version: beadm's own version and the OpenZFS it
 * was built for.
 */
#include <stdio.h>

#include "cli.h"

int
cmd_version(int argc, char **argv, struct cli *cli)
{
	(void)argv;
	(void)cli;
	if (argc > 1)
		return (cli_usage("version"));
	printf("beadm %s (built for OpenZFS %s)\n", BEADM_VERSION,
	    BE_ZFS_VERSION);
	return (EXIT_OK);
}
