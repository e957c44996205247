/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int
cmd_destroy(int argc, char **argv, struct cli *cli)
{
	(void)argc; (void)argv; (void)cli;
	fprintf(stderr, "beadm: destroy: not implemented yet\n");
	return (EXIT_FAIL);
}
