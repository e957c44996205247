/*
 * cmd_create.c - beadm create [-e BE | -e BE@SNAP] [-d DESCRIPTION]
 *                             [-o PROP=VALUE]... NEWBE
 *                beadm create --empty [-d DESCRIPTION] [-o PROP=VALUE]...
 *                             NEWBE
 *                beadm create BE@SNAP
 *
 * Quiet on success, as zfs create is; --empty makes a BE with nothing in
 * it, for a system to be installed into (beadm install does so itself);
 * the last form is `beadm snapshot` with a name, as bectl has it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
create_snapshot(struct cli *cli, const char *arg)
{
	char be[BE_PATH_MAX], snap[BE_PATH_MAX];
	be_handle_t *h;
	int status;

	if (!be_split_snapshot(arg, be, sizeof (be), snap, sizeof (snap))) {
		fprintf(stderr, "beadm: invalid snapshot '%s': the name is too "
		    "long\n", arg);
		return (EXIT_BADNAME);
	}
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	status = be_snapshot(h, be, snap, NULL, 0) == BE_OK ? EXIT_OK :
	    cli_fail(h);
	be_fini(h);
	return (status);
}

int
cmd_create(int argc, char **argv, struct cli *cli)
{
	enum { O_EMPTY = 256 };
	static const struct option longopts[] = {
		{ "empty", no_argument, NULL, O_EMPTY },
		{ NULL, 0, NULL, 0 }
	};
	be_create_opts_t opts = { .source = NULL };
	const char **props;
	size_t nprops = 0;
	be_handle_t *h;
	int ch, status;

	/* At most one -o per argument: argc bounds the list. */
	if ((props = calloc((size_t)argc + 1, sizeof (*props))) == NULL) {
		fprintf(stderr, "beadm: out of memory\n");
		return (EXIT_FAIL);
	}
	while ((ch = getopt_long(argc, argv, "e:d:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_EMPTY:
			opts.empty = true;
			break;
		case 'e':
			opts.source = optarg;
			break;
		case 'd':
			opts.description = optarg;
			break;
		case 'o':
			props[nprops++] = optarg;
			break;
		default:
			free(props);
			return (cli_usage("create"));
		}
	}
	opts.props = props;
	argc -= optind;
	argv += optind;
	/* An empty BE is cloned from nothing. */
	if (argc != 1 || (opts.empty && opts.source != NULL) ||
	    (strchr(argv[0], '@') != NULL &&
	    (opts.source || opts.description || nprops > 0 || opts.empty))) {
		free(props);
		return (cli_usage("create"));
	}
	if (strchr(argv[0], '@') != NULL) {
		free(props);
		return (create_snapshot(cli, argv[0]));
	}
	if ((h = cli_open(cli, &status)) != NULL) {
		status = be_create(h, argv[0], &opts) == BE_OK ? EXIT_OK :
		    cli_fail(h);
		be_fini(h);
	}
	free(props);
	return (status);
}
