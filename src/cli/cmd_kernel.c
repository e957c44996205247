/*
 * cmd_kernel.c - beadm kernel list [-H] [--json] BE
 *                beadm kernel add BE VERSION
 *                beadm kernel add BE PATH [--initrd PATH] [--version V]
 *                beadm kernel remove BE VERSION
 *                beadm kernel pin BE VERSION
 *                beadm kernel unpin BE
 *
 * Which of a BE's kernels get boot entries, and which boots by default.
 * A second argument with a '/' in it is a file to copy into the BE.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "escape.h"

#define JSON_FORMAT	1

static const char *
default_word(const be_kernel_t *k)
{
	if (!k->deflt)
		return ("-");
	return (k->pinned ? "pinned" : "newest");
}

/* Versions and BE names follow the name rules (plain ASCII); they are
 * written as escape.h says all the same. */
static void
print_json(const char *be, const be_kernel_list_t *l)
{
	size_t i;

	printf("{\"format_version\":%d,\"be\":", JSON_FORMAT);
	esc_put_json(stdout, be);
	printf(",\"kernel_keep\":%u,\"kernels\":[", l->keep);
	for (i = 0; i < l->count; i++) {
		const be_kernel_t *k = &l->kernels[i];

		printf("%s{\"version\":", i ? "," : "");
		esc_put_json(stdout, k->version);
		printf(",\"entries\":%s,\"default\":%s,"
		    "\"pinned\":%s,\"from\":\"%s\"}",
		    k->entries ? "true" : "false", k->deflt ? "true" : "false",
		    k->pinned ? "true" : "false", k->added ? "beadm" :
		    "package");
	}
	printf("]}\n");
}

static void
print_table(const be_kernel_list_t *l, bool scripted)
{
	const char *fmt = scripted ? "%s\t%s\t%s\t%s\n" :
	    "%-32s %-7s %-7s %s\n";
	size_t i;

	if (!scripted)
		printf(fmt, "Kernel", "Entries", "Default", "From");
	for (i = 0; i < l->count; i++) {
		const be_kernel_t *k = &l->kernels[i];

		printf(fmt, k->version, k->entries ? "yes" : "no",
		    default_word(k), k->added ? "beadm" : "package");
	}
}

static int
kernel_list(int argc, char **argv, be_handle_t *h)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	be_kernel_list_t *l;
	bool scripted = false, json = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "H", longopts, NULL)) != -1) {
		if (ch == 'H')
			scripted = true;
		else if (ch == 'j')
			json = true;
		else
			return (cli_usage("kernel"));
	}
	if (argc - optind != 1)
		return (cli_usage("kernel"));
	if (be_kernel_list(h, argv[optind], &l) != BE_OK)
		return (cli_fail(h));
	if (json)
		print_json(argv[optind], l);
	else
		print_table(l, scripted);
	be_kernel_list_free(l);
	return (EXIT_OK);
}

static int
kernel_add(int argc, char **argv, be_handle_t *h)
{
	static const struct option longopts[] = {
		{ "initrd", required_argument, NULL, 'i' },
		{ "version", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	const char *initrd = NULL, *version = NULL, *be, *what;
	char added[256];
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'i')
			initrd = optarg;
		else if (ch == 'v')
			version = optarg;
		else
			return (cli_usage("kernel"));
	}
	if (argc - optind != 2)
		return (cli_usage("kernel"));
	be = argv[optind];
	what = argv[optind + 1];
	if (strchr(what, '/') == NULL) {
		if (initrd != NULL || version != NULL) {
			fprintf(stderr, "beadm: kernel add: --initrd and "
			    "--version go with a PATH (a name with a '/')\n");
			return (EXIT_USAGE);
		}
		if (be_kernel_add(h, be, what) != BE_OK)
			return (cli_fail(h));
		printf("kernel %s of '%s' now has boot entries\n", what, be);
		return (EXIT_OK);
	}
	if (be_kernel_add_file(h, be, what, initrd, version, added,
	    sizeof (added)) != BE_OK)
		return (cli_fail(h));
	printf("copied kernel %s into '%s' (/boot/vmlinuz-%s, "
	    "/boot/initrd.img-%s); it has boot entries\n", added, be, added,
	    added);
	return (EXIT_OK);
}

static int
kernel_remove(int argc, char **argv, be_handle_t *h)
{
	bool deleted;

	if (getopt(argc, argv, "") != -1 || argc - optind != 2)
		return (cli_usage("kernel"));
	if (be_kernel_remove(h, argv[optind], argv[optind + 1], &deleted) !=
	    BE_OK)
		return (cli_fail(h));
	if (deleted)
		printf("kernel %s removed from '%s' (beadm had copied it "
		    "there): its files and boot entries are gone\n",
		    argv[optind + 1], argv[optind]);
	else
		printf("kernel %s of '%s' has no boot entries now; its files "
		    "belong to the boot environment's packages and stay in its "
		    "/boot ('beadm kernel add' gives it entries again)\n",
		    argv[optind + 1], argv[optind]);
	return (EXIT_OK);
}

static int
kernel_pin(int argc, char **argv, be_handle_t *h, bool pin)
{
	int want = pin ? 2 : 1;

	if (getopt(argc, argv, "") != -1 || argc - optind != want)
		return (cli_usage("kernel"));
	if (be_kernel_pin(h, argv[optind], pin ? argv[optind + 1] : NULL) !=
	    BE_OK)
		return (cli_fail(h));
	if (pin)
		printf("kernel %s boots by default when '%s' boots\n",
		    argv[optind + 1], argv[optind]);
	else
		printf("the newest kernel boots by default when '%s' boots\n",
		    argv[optind]);
	return (EXIT_OK);
}

int
cmd_kernel(int argc, char **argv, struct cli *cli)
{
	const char *sub;
	be_handle_t *h;
	int status;

	if (argc < 2)
		return (cli_usage("kernel"));
	sub = argv[1];
	if (strcmp(sub, "list") != 0 && strcmp(sub, "add") != 0 &&
	    strcmp(sub, "remove") != 0 && strcmp(sub, "pin") != 0 &&
	    strcmp(sub, "unpin") != 0)
		return (cli_usage("kernel"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	/* The subcommand's own options start after its name. */
	argc--;
	argv++;
	cli_reset_getopt();
	if (strcmp(sub, "list") == 0)
		status = kernel_list(argc, argv, h);
	else if (strcmp(sub, "add") == 0)
		status = kernel_add(argc, argv, h);
	else if (strcmp(sub, "remove") == 0)
		status = kernel_remove(argc, argv, h);
	else
		status = kernel_pin(argc, argv, h, strcmp(sub, "pin") == 0);
	be_fini(h);
	return (status);
}
