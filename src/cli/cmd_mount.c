/*
 * cmd_mount.c - beadm mount BE [MOUNTPOINT]
 *
 * Prints the directory the BE was mounted at (the new temporary one when
 * no MOUNTPOINT was given), so that scripts can use it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cli.h"

int
cmd_mount(int argc, char **argv, struct cli *cli)
{
	char where[PATH_MAX];
	be_handle_t *h;
	int status, n;

	if (getopt(argc, argv, "") != -1)
		return (cli_usage("mount"));
	n = argc - optind;
	if (n < 1 || n > 2)
		return (cli_usage("mount"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_mount(h, argv[optind], n == 2 ? argv[optind + 1] : NULL,
	    where, sizeof (where)) != BE_OK)
		status = cli_fail(h);
	else
		printf("%s\n", where);
	be_fini(h);
	return (status);
}
