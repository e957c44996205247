/*
 * cmd_apt_hook.c - beadm apt-hook
 *
 * What apt runs before dpkg (contrib/apt/80beadm): a checkpoint of the
 * running BE when beadm:apt on the BE root asks for one, then retention.
 * Off, or on a system without boot environments, it does nothing and says
 * nothing, since it runs before every apt operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

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
	const char *init_root = getenv("BEADM_TEST_INIT_ROOT");
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

int
cmd_apt_hook(int argc, char **argv, struct cli *cli)
{
	char made[2 * BE_PATH_MAX];
	be_handle_t *h;
	be_error_t err;
	int status;

	if (getopt(argc, argv, "") != -1 || argc != optind)
		return (cli_usage("apt-hook"));
	if (!in_init_root())
		return (EXIT_OK);
	if ((h = be_init()) == NULL) {
		fprintf(stderr, "beadm: out of memory\n");
		return (EXIT_FAIL);
	}
	if ((err = be_errno(h)) == BE_OK)
		err = be_set_root(h, cli->beroot);
	/* No ZFS, or no BE root found: no setting can ask for a checkpoint. */
	if (err == BE_ERR_NOPOOL && cli->beroot == NULL) {
		be_fini(h);
		return (EXIT_OK);
	}
	if (err != BE_OK) {
		status = cli_fail(h);
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
