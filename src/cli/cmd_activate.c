/*
 * cmd_activate.c - beadm activate [-t | -T] BE
 *
 * Without options BE becomes the BE that boots from now on; -t boots it at
 * the next boot only, -T cancels such a request.  Both need a boot loader
 * backend that can boot once (systemd-boot); with others the library says
 * so and beadm exits 2.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Whether be already boots next for good: activate then says so. */
static bool
boots_next(be_handle_t *h, const char *be)
{
	char next[BE_NAME_MAX + 1];
	bool once;

	return (be_next_boot(h, next, sizeof (next), &once) == BE_OK &&
	    !once && strcmp(next, be) == 0);
}

static void
say_done(const char *be, int flags, bool was_next)
{
	if (flags & BE_ACTIVATE_ONCE)
		printf("Activated BE '%s' for the next boot only.\n", be);
	else if (flags & BE_ACTIVATE_CANCEL_ONCE)
		printf("Cancelled the one-time boot of BE '%s'.\n", be);
	else if (was_next)
		printf("BE '%s' is already active: it boots next.\n", be);
	else
		printf("Activated BE '%s': it boots next.\n", be);
}

int
cmd_activate(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 }
	};
	be_handle_t *h;
	bool was_next = false;
	int ch, flags = 0, status;

	while ((ch = getopt_long(argc, argv, "tT", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			flags |= BE_ACTIVATE_ONCE;
			break;
		case 'T':
			flags |= BE_ACTIVATE_CANCEL_ONCE;
			break;
		default:
			return (cli_usage("activate"));
		}
	}
	if (argc - optind != 1 || flags == (BE_ACTIVATE_ONCE |
	    BE_ACTIVATE_CANCEL_ONCE))
		return (cli_usage("activate"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (flags == 0)
		was_next = boots_next(h, argv[optind]);
	if (be_activate(h, argv[optind], flags) != BE_OK)
		status = cli_fail(h);
	else
		say_done(argv[optind], flags, was_next);
	be_fini(h);
	return (status);
}
