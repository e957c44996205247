/*
 * cmd_init.c - beadm init [BE]
 *
 * Brings an existing BE (default: the running one, e.g. the installer's
 * pve-1) under the boot loader backend: its entries on every ESP, and
 * beadm's default when that BE is what boots now, so what boots does not
 * change.  Installs beadm's hooks (kernel postinst.d and postrm.d,
 * initramfs post-update.d).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_init(int argc, char **argv, struct cli *cli)
{
	be_handle_t *h;
	const char *be;
	int status;

	if (getopt(argc, argv, "") != -1 || argc - optind > 1)
		return (cli_usage("init"));
	be = argc > optind ? argv[optind] : NULL;
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_init_boot(h, be) != BE_OK)
		status = cli_fail(h);
	else if (be != NULL)
		printf("BE '%s' has its boot entries (%s).\n", be,
		    be_backend_name(h));
	else
		printf("The running BE has its boot entries (%s).\n",
		    be_backend_name(h));
	be_fini(h);
	return (status);
}
