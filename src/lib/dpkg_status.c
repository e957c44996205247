/*
 * dpkg_status.c - the installed packages of a dpkg status file.
 *
 * The file is a sequence of RFC 822-like stanzas separated by blank lines;
 * only Package, Status, Version, Architecture and Multi-Arch matter here.
 * Continuation lines (starting with a space or tab) belong to the field
 * before them and are skipped.  A package that is Multi-Arch: same can be
 * installed once per architecture, so it is known as name:arch, as
 * dpkg-query shows it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dpkg_status.h"
#include "dpkg_version.h"

struct stanza {
	char *package, *status, *version, *arch, *multiarch;
};

static void
stanza_clear(struct stanza *s)
{
	free(s->package);
	free(s->status);
	free(s->version);
	free(s->arch);
	free(s->multiarch);
	memset(s, 0, sizeof (*s));
}

/* Is the Status's third word (the package state) "installed"? */
static bool
is_installed(const char *status)
{
	char want[32], flag[32], state[32];

	return (status != NULL &&
	    sscanf(status, "%31s %31s %31s", want, flag, state) == 3 &&
	    strcmp(state, "installed") == 0);
}

static bool
add_pkg(struct dpkg_status *st, struct stanza *s)
{
	struct dpkg_pkg *v, *p;
	size_t len;

	if ((st->n & (st->n - 1)) == 0) {	/* full at powers of two */
		v = realloc(st->v, (st->n ? st->n * 2 : 1) * sizeof (*v));
		if (v == NULL)
			return (false);
		st->v = v;
	}
	p = &st->v[st->n];
	memset(p, 0, sizeof (*p));
	if (s->multiarch != NULL && strcmp(s->multiarch, "same") == 0 &&
	    s->arch != NULL) {
		len = strlen(s->package) + strlen(s->arch) + 2;
		if ((p->name = malloc(len)) == NULL)
			return (false);
		snprintf(p->name, len, "%s:%s", s->package, s->arch);
		free(s->package);
	} else {
		p->name = s->package;
	}
	p->version = s->version != NULL ? s->version : strdup("");
	p->arch = s->arch != NULL ? s->arch : strdup("");
	s->package = s->version = s->arch = NULL;
	st->n++;
	return (p->version != NULL && p->arch != NULL);
}

/* The stanza ended: keep it when it is an installed package. */
static bool
end_stanza(struct dpkg_status *st, struct stanza *s)
{
	bool ok = true;

	if (s->package != NULL && is_installed(s->status))
		ok = add_pkg(st, s);
	stanza_clear(s);
	return (ok);
}

/* "Field: value" -> the slot for Field, or NULL when it does not matter. */
static char **
field_slot(struct stanza *s, const char *line, const char **value)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "Package", offsetof(struct stanza, package) },
		{ "Status", offsetof(struct stanza, status) },
		{ "Version", offsetof(struct stanza, version) },
		{ "Architecture", offsetof(struct stanza, arch) },
		{ "Multi-Arch", offsetof(struct stanza, multiarch) },
	};
	const char *colon = strchr(line, ':');
	size_t i, len;

	if (colon == NULL)
		return (NULL);
	len = (size_t)(colon - line);
	for (i = 0; i < sizeof (fields) / sizeof (fields[0]); i++) {
		if (strlen(fields[i].name) == len &&
		    strncasecmp(line, fields[i].name, len) == 0) {
			*value = colon + 1;
			while (**value == ' ' || **value == '\t')
				(*value)++;
			return ((char **)((char *)s + fields[i].off));
		}
	}
	return (NULL);
}

static int
by_name(const void *a, const void *b)
{
	return (strcmp(((const struct dpkg_pkg *)a)->name,
	    ((const struct dpkg_pkg *)b)->name));
}

int
dpkg_status_read(FILE *f, struct dpkg_status *out)
{
	struct stanza s = { 0 };
	char *line = NULL, **slot;
	const char *value;
	size_t cap = 0;
	ssize_t len;
	bool ok = true;

	memset(out, 0, sizeof (*out));
	while (ok && (len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0) {
			ok = end_stanza(out, &s);
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		if ((slot = field_slot(&s, line, &value)) == NULL)
			continue;
		free(*slot);
		if ((*slot = strdup(value)) == NULL)
			ok = false;
	}
	if (ok)
		ok = end_stanza(out, &s);
	stanza_clear(&s);
	free(line);
	if (!ok || ferror(f)) {
		dpkg_status_free(out);
		return (ok ? EIO : ENOMEM);
	}
	if (out->n > 0)
		qsort(out->v, out->n, sizeof (*out->v), by_name);
	return (0);
}

void
dpkg_status_free(struct dpkg_status *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->v[i].name);
		free(st->v[i].version);
		free(st->v[i].arch);
	}
	free(st->v);
	memset(st, 0, sizeof (*st));
}

void
dpkg_status_diff(const struct dpkg_status *old, const struct dpkg_status *new,
    dpkg_change_fn fn, void *arg)
{
	size_t i = 0, j = 0;
	int c, v;

	while (i < old->n || j < new->n) {
		if (i == old->n)
			c = 1;
		else if (j == new->n)
			c = -1;
		else
			c = strcmp(old->v[i].name, new->v[j].name);
		if (c < 0) {
			fn(DPKG_REMOVED, &old->v[i++], NULL, arg);
		} else if (c > 0) {
			fn(DPKG_ADDED, NULL, &new->v[j++], arg);
		} else {
			v = dpkg_version_compare(old->v[i].version,
			    new->v[j].version);
			if (v != 0)
				fn(v < 0 ? DPKG_UPGRADED : DPKG_DOWNGRADED,
				    &old->v[i], &new->v[j], arg);
			i++;
			j++;
		}
	}
}
