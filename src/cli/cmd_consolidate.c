/*
 * cmd_consolidate.c - beadm consolidate [-y] [BE] [DATASET...]
 *
 * Without -y it prints the plan and changes nothing; with -y it carries it
 * out and prints the steps done.  One step a line, fields separated by
 * tabs (dataset names may hold spaces):
 *   create NAME PROP=VALUE...   set NAME PROP=VALUE...   rename FROM TO
 * A first operand with a '/' is a DATASET (BE names have none).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
print_step(FILE *out, const char *prefix, const be_consolidate_step_t *s)
{
	static const char *const op[] = { "create", "set", "rename" };

	fprintf(out, "%s%s\t%s", prefix, op[s->op], s->dataset);
	if (s->op == BE_CONSOLIDATE_RENAME)
		fprintf(out, "\t%s", s->target);
	for (size_t k = 0; k < s->nprops; k++)
		fprintf(out, "\t%s", s->props[k]);
	fputc('\n', out);
}

int
cmd_consolidate(int argc, char **argv, struct cli *cli)
{
	be_consolidate_plan_t *plan;
	const char *be = NULL;
	bool doit = false;
	be_handle_t *h;
	int ch, status = EXIT_OK;

	while ((ch = getopt(argc, argv, "y")) != -1) {
		if (ch != 'y')
			return (cli_usage("consolidate"));
		doit = true;
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strchr(argv[0], '/') == NULL) {
		be = argv[0];
		argc--;
		argv++;
	}
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	if (be_consolidate(h, be, (const char *const *)argv, (size_t)argc,
	    doit, &plan) != BE_OK)
		status = cli_fail(h);
	for (size_t k = 0; plan != NULL && k < plan->count; k++) {
		if (!doit || plan->steps[k].done)
			print_step(stdout, "", &plan->steps[k]);
		else
			print_step(stderr, "beadm: not done: ",
			    &plan->steps[k]);
	}
	be_consolidate_plan_free(plan);
	be_fini(h);
	return (status);
}
