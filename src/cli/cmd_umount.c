/*
 * cmd_umount.c - beadm umount|unmount [-f] BE
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_umount(int argc, char **argv, struct cli *cli)
{
	be_handle_t *h;
	int ch, status, flags = 0;

	while ((ch = getopt(argc, argv, "f")) != -1) {
		if (ch != 'f')
			return (cli_usage(argv[0]));
		flags |= BE_MOUNT_FORCE;
	}
	if (argc - optind != 1)
		return (cli_usage(argv[0]));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_unmount(h, argv[optind], flags) != BE_OK)
		status = cli_fail(h);
	be_fini(h);
	return (status);
}
