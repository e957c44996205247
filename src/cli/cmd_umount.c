/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int
cmd_umount(int argc, char **argv, struct cli *cli)
{
	(void)argc; (void)argv; (void)cli;
	fprintf(stderr, "beadm: umount: not implemented yet\n");
	return (EXIT_FAIL);
}
