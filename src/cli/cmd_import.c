/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int
cmd_import(int argc, char **argv, struct cli *cli)
{
	(void)argc; (void)argv; (void)cli;
	fprintf(stderr, "beadm: import: not implemented yet\n");
	return (EXIT_FAIL);
}
