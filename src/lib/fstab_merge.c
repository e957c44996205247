/*
 * fstab_merge.c - the fstab of a freshly installed system (fstab_merge.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fstab_merge.h"

#define	MARK	"# Copied from the running system by beadm install " \
		"--copy-config:\n"
#define	BLANKS	" \t\r"

/* A field of a line: where it starts and how long it is. */
struct span {
	const char *p;
	size_t n;
};

/* The next field of line[0..len) from *at; false at its end. */
static bool
next_field(const char *line, size_t len, size_t *at, struct span *f)
{
	size_t i = *at;

	while (i < len && strchr(BLANKS, line[i]) != NULL)
		i++;
	if (i == len)
		return (false);
	f->p = line + i;
	while (i < len && strchr(BLANKS, line[i]) == NULL)
		i++;
	f->n = (size_t)(line + i - f->p);
	*at = i;
	return (true);
}

/* The first two fields of a line; false for comments and blanks. */
static bool
spec_and_file(const char *line, size_t len, struct span *spec,
    struct span *file)
{
	size_t at = 0;

	return (next_field(line, len, &at, spec) && spec->p[0] != '#' &&
	    next_field(line, len, &at, file));
}

static bool
is(const struct span *f, const char *s)
{
	return (f->n == strlen(s) && memcmp(f->p, s, f->n) == 0);
}

/* The length of the line at p (without its newline). */
static size_t
line_len(const char *p)
{
	return (strcspn(p, "\n"));
}

/* Does fstab text have a line mounting something at file? */
static bool
mounts_at(const char *text, const struct span *file)
{
	struct span s, f;
	const char *p;
	size_t n;

	for (p = text; *p != '\0'; p += n + (p[n] == '\n')) {
		n = line_len(p);
		if (spec_and_file(p, n, &s, &f) && f.n == file->n &&
		    memcmp(f.p, file->p, f.n) == 0)
			return (true);
	}
	return (false);
}

/* A ZFS dataset at or below beroot: not a path, not LABEL=, UUID=... */
static bool
in_beroot(const struct span *spec, const char *beroot)
{
	size_t n = strlen(beroot);

	return (n > 0 && spec->p[0] != '/' &&
	    memchr(spec->p, '=', spec->n) == NULL && spec->n >= n &&
	    memcmp(spec->p, beroot, n) == 0 &&
	    (spec->n == n || spec->p[n] == '/'));
}

char *
fstab_merge(const char *running, const char *mine, const char *beroot,
    size_t *added)
{
	size_t mlen = strlen(mine), len, n;
	bool newline = mlen > 0 && mine[mlen - 1] != '\n';
	struct span s, f;
	const char *p;
	char *out;

	*added = 0;
	/* At most: mine, a newline, the mark, and every line of running. */
	if ((out = malloc(mlen + 1 + strlen(MARK) + strlen(running) + 2)) ==
	    NULL)
		return (NULL);
	memcpy(out, mine, mlen);
	len = mlen;
	if (newline)
		out[len++] = '\n';
	memcpy(out + len, MARK, strlen(MARK));
	len += strlen(MARK);
	for (p = running; *p != '\0'; p += n + (p[n] == '\n')) {
		n = line_len(p);
		if (!spec_and_file(p, n, &s, &f) || is(&f, "/") ||
		    in_beroot(&s, beroot) || mounts_at(mine, &f))
			continue;
		memcpy(out + len, p, n);
		len += n;
		out[len++] = '\n';
		(*added)++;
	}
	out[len] = '\0';
	return (out);
}
