/*
 * cmd_diff.c - beadm diff [-H] [--json] [--files | --packages] OLD [NEW]
 *
 * OLD and NEW are BEs or BE@SNAP; NEW defaults to the running BE.  The
 * differences are gathered first and printed after, so that every format
 * can lead with its sections and end with the counts.  Paths and package
 * fields are printed with backslash, control characters, DEL and bytes
 * above 127 written as \ooo (three octal digits), as zfs diff does, so that
 * no name can break a line or a field.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"

enum format { HUMAN, SCRIPTED, JSON };

struct change {
	bool package;
	be_diff_change_t change;
	char *name, *dataset, *old_version, *new_version;
};

struct counts {
	char *dataset;		/* NULL for the packages */
	size_t n[BE_DIFF_DOWNGRADED + 1];
};

struct diff_out {
	struct change *v;
	size_t n;
	struct counts *ds;	/* per dataset, in the order first seen */
	size_t nds;
	struct counts files, packages;
	bool nomem;
};

static char *
dup_or_null(struct diff_out *d, const char *s)
{
	char *c;

	if (s == NULL)
		return (NULL);
	if ((c = strdup(s)) == NULL)
		d->nomem = true;
	return (c);
}

static void
count(struct diff_out *d, const be_diff_entry_t *e)
{
	struct counts *c;

	if (e->package) {
		d->packages.n[e->change]++;
		return;
	}
	d->files.n[e->change]++;
	if (d->nds == 0 || strcmp(d->ds[d->nds - 1].dataset, e->dataset) != 0) {
		if ((c = realloc(d->ds, (d->nds + 1) * sizeof (*c))) == NULL) {
			d->nomem = true;
			return;
		}
		d->ds = c;
		memset(&d->ds[d->nds], 0, sizeof (*c));
		if ((d->ds[d->nds].dataset = strdup(e->dataset)) == NULL) {
			d->nomem = true;
			return;
		}
		d->nds++;
	}
	d->ds[d->nds - 1].n[e->change]++;
}

static void
collect(const be_diff_entry_t *e, void *arg)
{
	struct diff_out *d = arg;
	struct change *v;

	if (d->nomem)
		return;
	if ((d->n & (d->n - 1)) == 0) {
		v = realloc(d->v, (d->n ? d->n * 2 : 1) * sizeof (*v));
		if (v == NULL) {
			d->nomem = true;
			return;
		}
		d->v = v;
	}
	v = &d->v[d->n++];
	v->package = e->package;
	v->change = e->change;
	v->name = dup_or_null(d, e->name);
	v->dataset = dup_or_null(d, e->dataset);
	v->old_version = dup_or_null(d, e->old_version);
	v->new_version = dup_or_null(d, e->new_version);
	count(d, e);
}

static void
free_out(struct diff_out *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].dataset);
		free(d->v[i].old_version);
		free(d->v[i].new_version);
	}
	for (i = 0; i < d->nds; i++)
		free(d->ds[i].dataset);
	free(d->v);
	free(d->ds);
}

/* ---- printing ---------------------------------------------------------- */

static const char *const change_words[] = {
	"added", "removed", "modified", "upgraded", "downgraded"
};
static const char file_marks[] = { '+', '-', 'M' };

static void
print_scripted(const struct diff_out *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct change *c = &d->v[i];

		if (!c->package) {
			printf("file\t%c\t", file_marks[c->change]);
			esc_put_text(stdout, c->name);
		} else {
			printf("pkg\t%s\t", change_words[c->change]);
			esc_put_text(stdout, c->name);
			putchar('\t');
			esc_put_text(stdout, c->old_version);
			putchar('\t');
			esc_put_text(stdout, c->new_version);
		}
		putchar('\n');
	}
}

static void
print_counts(const char *what, const struct counts *c, bool package)
{
	printf("  %-12s %zu added, %zu removed, ", what, c->n[BE_DIFF_ADDED],
	    c->n[BE_DIFF_REMOVED]);
	if (package)
		printf("%zu upgraded, %zu downgraded\n", c->n[BE_DIFF_UPGRADED],
		    c->n[BE_DIFF_DOWNGRADED]);
	else
		printf("%zu modified\n", c->n[BE_DIFF_MODIFIED]);
}

static void
print_human(const struct diff_out *d, const char *old, const char *new,
    int what, const be_diff_summary_t *sum)
{
	bool no_pkgs = !sum->old_has_dpkg || !sum->new_has_dpkg;
	size_t i;

	printf("Comparing %s (old) with %s (new)\n", old, new);
	if (what & BE_DIFF_FILES) {
		printf("\nFiles:\n");
		for (i = 0; i < d->n; i++) {
			if (d->v[i].package)
				continue;
			printf("  %c ", file_marks[d->v[i].change]);
			esc_put_text(stdout, d->v[i].name);
			putchar('\n');
		}
	}
	if (what & BE_DIFF_PACKAGES) {
		printf("\nPackages:\n");
		if (no_pkgs)
			printf("  not compared: no /var/lib/dpkg/status in "
			    "%s\n", !sum->old_has_dpkg ? old : new);
		for (i = 0; i < d->n; i++) {
			const struct change *c = &d->v[i];

			if (!c->package)
				continue;
			printf("  %-10s ", change_words[c->change]);
			esc_put_text(stdout, c->name);
			putchar(' ');
			esc_put_text(stdout, c->old_version ? c->old_version : "");
			printf("%s", c->old_version && c->new_version ?
			    " -> " : "");
			esc_put_text(stdout, c->new_version ? c->new_version : "");
			putchar('\n');
		}
	}
	printf("\nSummary:\n");
	if (what & BE_DIFF_FILES) {
		for (i = 0; i < d->nds; i++)
			print_counts(d->ds[i].dataset, &d->ds[i], false);
		print_counts("files", &d->files, false);
	}
	if ((what & BE_DIFF_PACKAGES) && !no_pkgs)
		print_counts("packages", &d->packages, true);
}

static void
json_counts(const struct counts *c, bool package)
{
	printf("{\"added\": %zu, \"removed\": %zu, ", c->n[BE_DIFF_ADDED],
	    c->n[BE_DIFF_REMOVED]);
	if (package)
		printf("\"upgraded\": %zu, \"downgraded\": %zu}",
		    c->n[BE_DIFF_UPGRADED], c->n[BE_DIFF_DOWNGRADED]);
	else
		printf("\"modified\": %zu}", c->n[BE_DIFF_MODIFIED]);
}

static void
json_files(const struct diff_out *d)
{
	const char *sep = "";
	size_t i;

	printf("  \"files\": [");
	for (i = 0; i < d->n; i++) {
		if (d->v[i].package)
			continue;
		printf("%s\n    {\"change\": \"%s\", \"path\": ", sep,
		    change_words[d->v[i].change]);
		esc_put_json(stdout, d->v[i].name);
		printf(", \"dataset\": ");
		esc_put_json(stdout, d->v[i].dataset);
		printf("}");
		sep = ",";
	}
	printf("%s],\n  \"file_counts\": ", *sep ? "\n  " : "");
	json_counts(&d->files, false);
	printf(",\n  \"file_counts_by_dataset\": {");
	for (i = 0; i < d->nds; i++) {
		printf("%s", i ? ", " : "");
		esc_put_json(stdout, d->ds[i].dataset);
		printf(": ");
		json_counts(&d->ds[i], false);
	}
	printf("}");
}

static void
json_packages(const struct diff_out *d)
{
	const char *sep = "";
	size_t i;

	printf("  \"packages\": [");
	for (i = 0; i < d->n; i++) {
		if (!d->v[i].package)
			continue;
		printf("%s\n    {\"change\": \"%s\", \"name\": ", sep,
		    change_words[d->v[i].change]);
		esc_put_json(stdout, d->v[i].name);
		printf(", \"old_version\": ");
		esc_put_json(stdout, d->v[i].old_version);
		printf(", \"new_version\": ");
		esc_put_json(stdout, d->v[i].new_version);
		printf("}");
		sep = ",";
	}
	printf("%s],\n  \"package_counts\": ", *sep ? "\n  " : "");
	json_counts(&d->packages, true);
}

static void
print_json(const struct diff_out *d, const char *old, const char *new,
    int what, const be_diff_summary_t *sum)
{
	printf("{\n  \"old\": ");
	esc_put_json(stdout, old);
	printf(",\n  \"new\": ");
	esc_put_json(stdout, new);
	printf(",\n");
	if (what & BE_DIFF_FILES) {
		json_files(d);
		printf(",\n");
	}
	if (what & BE_DIFF_PACKAGES) {
		printf("  \"dpkg_status\": {\"old\": %s, \"new\": %s},\n",
		    sum->old_has_dpkg ? "true" : "false",
		    sum->new_has_dpkg ? "true" : "false");
		if (sum->old_has_dpkg && sum->new_has_dpkg)
			json_packages(d);
		else
			printf("  \"packages\": null,\n"
			    "  \"package_counts\": null");
		printf(",\n");
	}
	printf("  \"format_version\": 1\n}\n");
}

/* ---- the command ------------------------------------------------------ */

/* A signal ends the walk, not beadm: the private mounts must go first. */
static volatile sig_atomic_t stop_requested;

static void
request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof (sa));
	sa.sa_handler = request_stop;
	sigemptyset(&sa.sa_mask);
	/* A signal ignored (nohup, a background job) stays ignored. */
	for (i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			(void) sigaction(sigs[i], &sa, NULL);
}

static int
parse_opts(int argc, char **argv, enum format *fmt, int *what)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "files", no_argument, NULL, 'f' },
		{ "packages", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	*fmt = HUMAN;
	*what = 0;
	while ((ch = getopt_long(argc, argv, "H", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			if (*fmt == JSON)
				return (-1);
			*fmt = SCRIPTED;
			break;
		case 'j':
			if (*fmt == SCRIPTED)
				return (-1);
			*fmt = JSON;
			break;
		case 'f':
			*what |= BE_DIFF_FILES;
			break;
		case 'p':
			*what |= BE_DIFF_PACKAGES;
			break;
		default:
			return (-1);
		}
	}
	if (*what == (BE_DIFF_FILES | BE_DIFF_PACKAGES))
		return (-1);		/* one or the other, or both by default */
	if (*what == 0)
		*what = BE_DIFF_FILES | BE_DIFF_PACKAGES;
	return (argc - optind >= 1 && argc - optind <= 2 ? 0 : -1);
}

int
cmd_diff(int argc, char **argv, struct cli *cli)
{
	struct diff_out d = { 0 };
	be_diff_summary_t sum;
	const char *old, *new;
	enum format fmt;
	be_handle_t *h;
	int status = EXIT_OK, what;

	if (parse_opts(argc, argv, &fmt, &what) != 0)
		return (cli_usage("diff"));
	old = argv[optind];
	new = argc - optind == 2 ? argv[optind + 1] : NULL;
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	catch_stop_signals();
	if (be_diff(h, old, new, what, collect, &d, &sum,
	    &stop_requested) != BE_OK) {
		status = cli_fail(h);
	} else if (d.nomem) {
		fprintf(stderr, "beadm: out of memory\n");
		status = EXIT_FAIL;
	} else {
		new = sum.new_side;
		if ((what & BE_DIFF_PACKAGES) && fmt == SCRIPTED &&
		    (!sum.old_has_dpkg || !sum.new_has_dpkg))
			fprintf(stderr, "beadm: no /var/lib/dpkg/status in %s; "
			    "packages not compared\n",
			    !sum.old_has_dpkg ? old : new);
		if (fmt == SCRIPTED)
			print_scripted(&d);
		else if (fmt == JSON)
			print_json(&d, old, new, what, &sum);
		else
			print_human(&d, old, new, what, &sum);
	}
	free_out(&d);
	be_fini(h);
	return (status);
}
