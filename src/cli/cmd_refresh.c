/*
 * cmd_refresh.c - beadm refresh [BE]
 *
 * Writes BE's boot entries again (default: the running BE, whose kernels
 * an upgrade just changed) and puts beadm's default back in loader.conf
 * where another tool reset it.  The kernel hook zzz-beadm runs this.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_refresh(int argc, char **argv, struct cli *cli)
{
	be_handle_t *h;
	int status;

	if (getopt(argc, argv, "") != -1 || argc - optind > 1)
		return (cli_usage("refresh"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_refresh(h, argc > optind ? argv[optind] : NULL) != BE_OK)
		status = cli_fail(h);
	be_fini(h);
	return (status);
}
