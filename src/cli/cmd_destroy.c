/*
 * cmd_destroy.c - beadm destroy [-Fyo] BE | BE@SNAP
 *
 * -F unmounts forcibly, -o also destroys a user-made origin snapshot.  On a
 * terminal it asks first, unless -F or -y; from a script it does not ask.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Whether arg is a well-formed BE or BE@SNAP (the library says why not). */
static bool
well_formed(const char *arg)
{
	char be[BE_PATH_MAX], snap[BE_PATH_MAX];

	return (be_split_snapshot(arg, be, sizeof (be), snap, sizeof (snap)) &&
	    be_name_valid(be, NULL) &&
	    (strchr(arg, '@') == NULL || be_snapname_valid(snap, NULL)));
}

static bool
confirmed(const char *arg, bool ask)
{
	/* A malformed name is refused by be_destroy, without a question. */
	if (!ask || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO) ||
	    !well_formed(arg))
		return (true);
	if (strchr(arg, '@') != NULL)
		return (cli_confirm("Destroy snapshot %s of the boot "
		    "environment and its datasets?", arg));
	return (cli_confirm("Destroy boot environment %s and all of its "
	    "datasets and snapshots?", arg));
}

int
cmd_destroy(int argc, char **argv, struct cli *cli)
{
	int ch, flags = 0, status;
	bool ask = true;
	be_handle_t *h;

	while ((ch = getopt(argc, argv, "Fyo")) != -1) {
		switch (ch) {
		case 'F':
			flags |= BE_DESTROY_FORCE;
			ask = false;
			break;
		case 'y':
			ask = false;
			break;
		case 'o':
			flags |= BE_DESTROY_ORIGIN;
			break;
		default:
			return (cli_usage("destroy"));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return (cli_usage("destroy"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (!confirmed(argv[0], ask)) {
		fprintf(stderr, "beadm: %s was not destroyed\n", argv[0]);
		status = EXIT_FAIL;
	} else if (be_destroy(h, argv[0], flags) != BE_OK) {
		status = cli_fail(h);
	}
	be_fini(h);
	return (status);
}
