/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int
cmd_check(int argc, char **argv, struct cli *cli)
{
	(void)argc; (void)argv; (void)cli;
	fprintf(stderr, "beadm: check: not implemented yet\n");
	return (EXIT_FAIL);
}
