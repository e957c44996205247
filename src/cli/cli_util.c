/*
 * cli_util.c - helpers shared by beadm's commands.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const struct command *
cli_find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return (c);
	return (NULL);
}

static void
print_usage(FILE *out, const char *command)
{
	const struct command *c = cli_find_command(command);
	const char *line, *nl;

	if (c == NULL)
		return;
	line = c->usage;
	fprintf(out, "usage:");
	while ((nl = strchr(line, '\n')) != NULL) {
		fprintf(out, " beadm %.*s\n      ", (int)(nl - line), line);
		line = nl + 1;
	}
	fprintf(out, " beadm %s\n", line);
}

int
cli_usage(const char *command)
{
	print_usage(stderr, command);
	return (EXIT_USAGE);
}

int
cli_help(const char *command)
{
	const struct command *c = cli_find_command(command);

	print_usage(stdout, command);
	if (c != NULL)
		printf("\n%s.  See beadm(8).\n", c->summary);
	return (EXIT_OK);
}

void
cli_reset_getopt(void)
{
#if defined(__FreeBSD__)
	optreset = 1;
	optind = 1;
#else
	optind = 0;	/* glibc: 0 re-initialises getopt completely */
#endif
}

int
cli_exit_status(be_error_t err)
{
	switch (err) {
	case BE_OK:
		return (EXIT_OK);
	case BE_ERR_INVALID:
		return (EXIT_USAGE);
	case BE_ERR_BADNAME:
		return (EXIT_BADNAME);
	case BE_ERR_NOENT:
		return (EXIT_NOENT);
	case BE_ERR_EXISTS:
		return (EXIT_EXISTS);
	case BE_ERR_NOPOOL:
		return (EXIT_NOPOOL);
	case BE_ERR_BUSY:
		return (EXIT_BUSY);
	case BE_ERR_PERM:
		return (EXIT_PERM);
	case BE_ERR_REFUSED:
		return (EXIT_REFUSED);
	case BE_ERR_NOSPACE:
		return (EXIT_NOSPACE);
	default:
		return (EXIT_FAIL);
	}
}

int
cli_fail(be_handle_t *h)
{
	fprintf(stderr, "beadm: %s\n", be_errmsg(h));
	return (cli_exit_status(be_errno(h)));
}

be_handle_t *
cli_open(struct cli *cli, int *status)
{
	be_handle_t *h = be_init();

	if (h == NULL) {
		fprintf(stderr, "beadm: out of memory\n");
		*status = EXIT_FAIL;
		return (NULL);
	}
	if (be_errno(h) != BE_OK || be_set_root(h, cli->beroot) != BE_OK) {
		*status = cli_fail(h);
		be_fini(h);
		return (NULL);
	}
	*status = EXIT_OK;
	return (h);
}

void
cli_nicenum(uint64_t n, char *buf, size_t sz)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	double v = (double)n;

	while (v >= 1024 && units[u + 1] != '\0') {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, sz, "%lluB", (unsigned long long)n);
	else if (v < 10)
		snprintf(buf, sz, "%.2f%c", v, units[u]);
	else if (v < 100)
		snprintf(buf, sz, "%.1f%c", v, units[u]);
	else
		snprintf(buf, sz, "%.0f%c", v, units[u]);
}

bool
cli_confirm(const char *fmt, ...)
{
	char answer[16];
	va_list ap;

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return (false);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " [y/N] ");
	if (fgets(answer, sizeof (answer), stdin) == NULL)
		return (false);
	return (answer[0] == 'y' || answer[0] == 'Y');
}
