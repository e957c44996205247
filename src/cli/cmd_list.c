/*
 * cmd_list.c - beadm list [-aDHs] [-c PROP | -C PROP] [--json]
 *
 * A table (columns BE, Active, Mountpoint, Space, Created; with -a also
 * Origin), tab-separated without a header under -H, or a JSON document
 * (--json, format_version 1) for programs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "escape.h"

#define NCOLS		6
#define JSON_FORMAT	1

struct list_opts {
	bool all, space_alone, scripted, snapshots, json;
	const char *sort;	/* column to sort by, NULL: name */
	bool descending;
};

/* One output line: up to NCOLS fields, the first indented by depth. */
struct row {
	char f[NCOLS][2 * BE_PATH_MAX];
};

struct table {
	struct row *rows;
	size_t n, cap;
	int ncols;
	bool nomem;
};

/* ---- sorting ---------------------------------------------------------- */

static const char *const sort_keys[] = {
	"name", "be", "active", "mountpoint", "space", "used", "created",
	"creation", "origin", NULL
};

static const struct list_opts *sort_opts;

static uint64_t
be_space(const be_info_t *be, const struct list_opts *o)
{
	return (be->used + (o->space_alone ? be->origin_used : 0));
}

static int
active_rank(const be_info_t *be)
{
	return ((be->active ? 4 : 0) + (be->next_boot ? 2 : 0) +
	    (be->next_boot_once ? 1 : 0));
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return (a < b ? -1 : a > b);
}

static int
be_cmp(const void *pa, const void *pb)
{
	const be_info_t *a = pa, *b = pb;
	const char *k = sort_opts->sort;
	int r = 0;

	if (strcmp(k, "active") == 0)
		r = active_rank(a) - active_rank(b);
	else if (strcmp(k, "mountpoint") == 0)
		r = strcmp(a->mountpoint, b->mountpoint);
	else if (strcmp(k, "space") == 0 || strcmp(k, "used") == 0)
		r = cmp_u64(be_space(a, sort_opts), be_space(b, sort_opts));
	else if (strcmp(k, "created") == 0 || strcmp(k, "creation") == 0)
		r = cmp_u64((uint64_t)a->creation, (uint64_t)b->creation);
	else if (strcmp(k, "origin") == 0)
		r = strcmp(a->origin, b->origin);
	/* Equal keys fall back to the name, so the order is always defined. */
	if (r == 0)
		r = strcmp(a->name, b->name);
	return (sort_opts->descending ? -r : r);
}

static bool
sort_key_known(const char *k)
{
	size_t i;

	for (i = 0; sort_keys[i] != NULL; i++)
		if (strcmp(k, sort_keys[i]) == 0)
			return (true);
	return (false);
}

/* ---- the table -------------------------------------------------------- */

static struct row *
add_row(struct table *t)
{
	struct row *r;

	if (t->n == t->cap) {
		r = realloc(t->rows, (t->cap ? t->cap * 2 : 32) * sizeof (*r));
		if (r == NULL) {
			t->nomem = true;
			return (NULL);
		}
		t->rows = r;
		t->cap = t->cap ? t->cap * 2 : 32;
	}
	r = &t->rows[t->n++];
	memset(r, 0, sizeof (*r));
	return (r);
}

static void
fmt_time(time_t t, char *buf, size_t sz)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, sz, "-");
}

static void
fmt_str(const char *s, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s", s[0] != '\0' ? s : "-");
}

/* Name, Active, Mountpoint, Space, Created, Origin for a dataset or
 * snapshot line; name already written by the caller. */
static void
fill_dataset_row(struct row *r, const be_dataset_info_t *d)
{
	fmt_str("-", r->f[1], sizeof (r->f[1]));
	fmt_str(d->mountpoint, r->f[2], sizeof (r->f[2]));
	cli_nicenum(d->used, r->f[3], sizeof (r->f[3]));
	fmt_time(d->creation, r->f[4], sizeof (r->f[4]));
	fmt_str(d->origin, r->f[5], sizeof (r->f[5]));
}

static void
add_be_row(struct table *t, const be_info_t *be, const struct list_opts *o)
{
	struct row *r = add_row(t);
	char *a;

	if (r == NULL)
		return;
	snprintf(r->f[0], sizeof (r->f[0]), "%s", be->name);
	a = r->f[1];
	if (be->active)
		*a++ = 'N';
	if (be->next_boot)
		*a++ = 'R';
	if (be->next_boot_once)
		*a++ = 'T';
	if (a == r->f[1])
		*a++ = '-';
	*a = '\0';
	fmt_str(be->mountpoint, r->f[2], sizeof (r->f[2]));
	cli_nicenum(be_space(be, o), r->f[3], sizeof (r->f[3]));
	fmt_time(be->creation, r->f[4], sizeof (r->f[4]));
	fmt_str(be->origin, r->f[5], sizeof (r->f[5]));
}

/* Snapshots of dataset ds: by full name (-a), or as BE@SNAP when only the
 * BE dataset's own are shown, the form beadm's commands accept. */
static void
add_snapshot_rows(struct table *t, const be_info_t *be, const char *ds,
    const struct list_opts *o)
{
	size_t i, len = strlen(ds);
	const be_dataset_info_t *s;
	struct row *r;

	for (i = 0; i < be->nsnapshots; i++) {
		s = &be->snapshots[i];
		if (strncmp(s->name, ds, len) != 0 || s->name[len] != '@')
			continue;
		if ((r = add_row(t)) == NULL)
			return;
		snprintf(r->f[0], sizeof (r->f[0]), "%s%s%s",
		    o->scripted ? "" : (o->all ? "    " : "  "),
		    o->all ? "" : be->name, o->all ? s->name : s->name + len);
		fill_dataset_row(r, s);
	}
}

static void
add_dataset_rows(struct table *t, const be_info_t *be,
    const struct list_opts *o)
{
	struct row *r;
	size_t i;

	for (i = 0; i < be->ndatasets; i++) {
		if ((r = add_row(t)) == NULL)
			return;
		snprintf(r->f[0], sizeof (r->f[0]), "%s%s",
		    o->scripted ? "" : "  ", be->datasets[i].name);
		fill_dataset_row(r, &be->datasets[i]);
		if (o->snapshots)
			add_snapshot_rows(t, be, be->datasets[i].name, o);
	}
}

/* Fields as escape.h writes them: no mount point or origin can add a line
 * or a field.  (Widths count bytes, as before.) */
static void
print_table(const struct table *t, bool scripted)
{
	size_t w[NCOLS] = { 0 }, i, n;
	int c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < t->ncols; c++)
			if ((n = esc_text(NULL, 0, t->rows[i].f[c])) > w[c])
				w[c] = n;
	for (i = 0; i < t->n; i++) {
		for (c = 0; c < t->ncols; c++) {
			const char *f = t->rows[i].f[c];

			esc_put_text(stdout, f);
			if (c == t->ncols - 1)
				putchar('\n');
			else if (scripted)
				putchar('\t');
			else
				printf("%*s", (int)(w[c] - esc_text(NULL, 0, f) +
				    2), "");
		}
	}
}

static int
list_table(const be_list_t *l, const struct list_opts *o)
{
	static const char *const heads[NCOLS] = { "BE", "Active",
	    "Mountpoint", "Space", "Created", "Origin" };
	struct table t = { .ncols = o->all ? 6 : 5 };
	struct row *r;
	size_t i;
	int c;

	if (!o->scripted && (r = add_row(&t)) != NULL)
		for (c = 0; c < NCOLS; c++)
			snprintf(r->f[c], sizeof (r->f[c]), "%s", (c == 0 &&
			    (o->all || o->snapshots)) ? "BE/Dataset/Snapshot" :
			    heads[c]);
	for (i = 0; i < l->count; i++) {
		add_be_row(&t, &l->bes[i], o);
		if (o->all)
			add_dataset_rows(&t, &l->bes[i], o);
		else if (o->snapshots)
			add_snapshot_rows(&t, &l->bes[i], l->bes[i].dataset,
			    o);
	}
	if (t.nomem) {
		free(t.rows);
		fprintf(stderr, "beadm: out of memory\n");
		return (EXIT_FAIL);
	}
	print_table(&t, o->scripted);
	free(t.rows);
	return (EXIT_OK);
}

/* ---- JSON ------------------------------------------------------------- */

static void
json_string(const char *s)
{
	esc_put_json(stdout, s);
}

/* A string, or null when empty ("not mounted", "no origin"). */
static void
json_string_or_null(const char *s)
{
	if (s[0] == '\0')
		printf("null");
	else
		json_string(s);
}

static const char *
canmount_name(int canmount)
{
	return (canmount == 0 ? "off" : canmount == 2 ? "noauto" : "on");
}

static void
json_datasets(const be_dataset_info_t *v, size_t n, bool snapshots)
{
	size_t i;

	printf("[");
	for (i = 0; i < n; i++) {
		printf("%s\n        {\"name\": ", i ? "," : "");
		json_string(v[i].name);
		if (!snapshots) {
			printf(", \"mountpoint\": ");
			json_string_or_null(v[i].mountpoint);
			printf(", \"origin\": ");
			json_string_or_null(v[i].origin);
			printf(", \"canmount\": \"%s\"",
			    canmount_name(v[i].canmount));
		}
		printf(", \"used\": %llu, \"referenced\": %llu, "
		    "\"created\": %lld}", (unsigned long long)v[i].used,
		    (unsigned long long)v[i].referenced,
		    (long long)v[i].creation);
	}
	printf(n ? "\n      ]" : "]");
}

static void
json_be(const be_info_t *be, const struct list_opts *o)
{
	printf("    {\n      \"name\": ");
	json_string(be->name);
	printf(",\n      \"dataset\": ");
	json_string(be->dataset);
	printf(",\n      \"active\": %s,\n      \"next_boot\": %s,\n"
	    "      \"next_boot_once\": %s,\n      \"mountpoint\": ",
	    be->active ? "true" : "false", be->next_boot ? "true" : "false",
	    be->next_boot_once ? "true" : "false");
	json_string_or_null(be->mountpoint);
	printf(",\n      \"space\": %llu,\n      \"used\": %llu,\n"
	    "      \"referenced\": %llu,\n      \"created\": %lld,\n"
	    "      \"origin\": ", (unsigned long long)be_space(be, o),
	    (unsigned long long)be->used, (unsigned long long)be->referenced,
	    (long long)be->creation);
	json_string_or_null(be->origin);
	printf(",\n      \"description\": ");
	json_string_or_null(be->description);
	if (o->all) {
		printf(",\n      \"datasets\": ");
		json_datasets(be->datasets, be->ndatasets, false);
	}
	if (o->snapshots) {
		printf(",\n      \"snapshots\": ");
		json_datasets(be->snapshots, be->nsnapshots, true);
	}
	printf("\n    }");
}

static int
list_json(be_handle_t *h, const be_list_t *l, const struct list_opts *o)
{
	size_t i;

	printf("{\n  \"format_version\": %d,\n  \"beroot\": ", JSON_FORMAT);
	json_string(be_root(h));
	printf(",\n  \"pool\": ");
	json_string(be_pool(h));
	printf(",\n  \"boot_environments\": [");
	for (i = 0; i < l->count; i++) {
		printf("%s\n", i ? "," : "");
		json_be(&l->bes[i], o);
	}
	printf(l->count ? "\n  ]\n}\n" : "]\n}\n");
	return (EXIT_OK);
}

/* ---- the command ------------------------------------------------------ */

static int
parse_opts(int argc, char **argv, struct list_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "aDHsc:C:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a': o->all = true; break;
		case 'D': o->space_alone = true; break;
		case 'H': o->scripted = true; break;
		case 's': o->snapshots = true; break;
		case 'j': o->json = true; break;
		case 'c':
		case 'C':
			if (!sort_key_known(optarg)) {
				fprintf(stderr, "beadm: list: cannot sort by "
				    "'%s'; use name, active, mountpoint, "
				    "space, used, created or origin\n", optarg);
				return (-1);
			}
			if (o->sort != NULL)
				return (-1);
			o->sort = optarg;
			o->descending = ch == 'C';
			break;
		default:
			return (-1);
		}
	}
	return (optind == argc ? 0 : -1);
}

int
cmd_list(int argc, char **argv, struct cli *cli)
{
	struct list_opts o = { .sort = NULL };
	be_handle_t *h;
	be_list_t *l;
	int status, flags = 0;

	if (parse_opts(argc, argv, &o) != 0 || (o.json && o.scripted))
		return (cli_usage("list"));
	if ((h = cli_open(cli, &status)) == NULL)
		return (status);
	flags |= o.all ? BE_LIST_DATASETS : 0;
	flags |= o.snapshots ? BE_LIST_SNAPSHOTS : 0;
	flags |= o.space_alone ? BE_LIST_ORIGINS : 0;
	if (be_list_flags(h, flags, &l) != BE_OK) {
		status = cli_fail(h);
		be_fini(h);
		return (status);
	}
	if (o.sort != NULL) {
		sort_opts = &o;
		qsort(l->bes, l->count, sizeof (*l->bes), be_cmp);
	}
	status = o.json ? list_json(h, l, &o) : list_table(l, &o);
	be_list_free(l);
	be_fini(h);
	return (status);
}
