/*
 * cmd_apt_hook.c - beadm apt-hook [--after]
 *
 * What apt runs before dpkg (contrib/apt/80beadm): a checkpoint of the
 * running BE when beadm:apt on the BE root asks for one, then retention.
 * Off, or on a system without boot environments, it does nothing and says
 * nothing, since it runs before every apt operation.
 *
 * --after, what apt runs after dpkg: beadm's default back on every ESP.
 * dpkg runs `proxmox-boot-tool reinit` (proxmox-kernel-helper's configure,
 * its triggers on systemd-boot, GRUB and shim upgrades), which rewrites
 * each ESP's loader.conf and runs no hook of beadm's; without this, the
 * machine would boot Proxmox's entries until a clean shutdown puts the
 * default back (beadm-keep-default.service).  Idempotent: an ESP that is
 * already right is not written.  Quiet where beadm drives no boot loader.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "test_seam.h"

/*
 * Whether / is the root of the init process, i.e. not a chroot such as
 * `beadm chroot BE apt-get ...` runs in (a private mount namespace, but
 * init's PID namespace, so /proc/1/root is still the host's /): there the
 * running BE is not what apt is about to change, and a checkpoint of it
 * would be a wrong one.  When init's root cannot be seen (no /proc, not
 * root) this says yes: without /proc beadm finds no running BE and refuses
 * on its own, and without privileges it cannot snapshot anything.
 * BEADM_TEST_INIT_ROOT (tests only) names another directory to compare.
 */
static bool
in_init_root(void)
{
	const char *init_root = test_seam("BEADM_TEST_INIT_ROOT");
	struct stat self, init;

	if (init_root == NULL)
		init_root = "/proc/1/root";
	if (stat("/", &self) != 0 || stat(init_root, &init) != 0)
		return (true);
	return (self.st_dev == init.st_dev && self.st_ino == init.st_ino);
}

static void
destroyed(const char *name, void *arg)
{
	(void)arg;
	printf("beadm: destroyed the older checkpoint %s\n", name);
}

/* After dpkg: the running BE's entries and beadm's default, written again
 * where they differ.  Nothing where beadm drives only the pool's bootfs,
 * or was never put in charge of the boot entries (`beadm init`, which
 * installs the kernel hook: a default beadm never set is not put back). */
static int
after_dpkg(be_handle_t *h)
{
	if (strcmp(be_backend_name(h), "bootfs") == 0 ||
	    access(BE_HOOK_DIR_KERNEL_INST "/" BE_HOOK_NAME, F_OK) != 0)
		return (EXIT_OK);
	if (be_refresh(h, NULL) != BE_OK) {
		fprintf(stderr, "beadm: beadm's default boot entry may not be "
		    "on every ESP: %s\n", be_errmsg(h));
		return (cli_exit_status(be_errno(h)));
	}
	return (EXIT_OK);
}

int
cmd_apt_hook(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "after", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	char made[2 * BE_PATH_MAX];
	bool after = false;
	be_handle_t *h;
	be_error_t err;
	int ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'a')
			return (cli_usage("apt-hook"));
		after = true;
	}
	if (argc != optind)
		return (cli_usage("apt-hook"));
	if (!in_init_root())
		return (EXIT_OK);
	if ((h = be_init()) == NULL) {
		fprintf(stderr, "beadm: out of memory\n");
		return (EXIT_FAIL);
	}
	if ((err = be_errno(h)) == BE_OK)
		err = be_set_root(h, cli->beroot);
	/* No ZFS, or no BE root found: no setting can ask for a checkpoint,
	 * and beadm set no default. */
	if (err == BE_ERR_NOPOOL && cli->beroot == NULL) {
		be_fini(h);
		return (EXIT_OK);
	}
	if (err != BE_OK) {
		status = cli_fail(h);
		be_fini(h);
		return (status);
	}
	if (after) {
		status = after_dpkg(h);
		be_fini(h);
		return (status);
	}
	status = EXIT_OK;
	if (be_auto_checkpoint(h, made, sizeof (made), destroyed, NULL) !=
	    BE_OK) {
		if (made[0] == '\0')
			fprintf(stderr, "beadm: no checkpoint was made: %s\n",
			    be_errmsg(h));
		else
			fprintf(stderr, "beadm: checkpoint %s was made, but "
			    "older ones were not cleaned up: %s\n", made,
			    be_errmsg(h));
		status = cli_exit_status(be_errno(h));
	} else if (made[0] != '\0') {
		printf("beadm: made the checkpoint %s\n", made);
	}
	be_fini(h);
	return (status);
}
