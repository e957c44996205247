/*
 * apt_sources.c - the machine's mirror of Debian's main archive, from its
 * apt sources (see apt_sources.h for the ranking).
 *
 * Both forms are read as sources.list(5) describes them: deb822 stanzas
 * separated by blank lines, with '#' comment lines, continuation lines
 * that begin with white space, field names in any case and Enabled: no;
 * one-line entries "deb [options] URI SUITE COMPONENT..." with '#'
 * starting a comment.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apt_sources.h"

#define FIELD_MAX	1024
#define WS		" \t\r\n"

void
apt_mirror_init(struct apt_mirror *m, const char *suite)
{
	m->suite = suite;
	m->rank = APT_RANK_NONE;
	m->uri[0] = '\0';
}

/* Is word one of the white-space separated words of list? */
static bool
has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while (*(p += strspn(p, WS)) != '\0') {
		size_t n = strcspn(p, WS);

		if (n == len && strncmp(p, word, len) == 0)
			return (true);
		p += n;
	}
	return (false);
}

/* A suite's rank (apt_sources.h); -1 for a security archive's. */
static int
suite_rank(const struct apt_mirror *m, const char *s, size_t n)
{
	if ((n >= 9 && strncmp(s + n - 9, "-security", 9) == 0) ||
	    (n >= 8 && strncmp(s + n - 8, "/updates", 8) == 0))
		return (-1);
	if (m->suite != NULL && strlen(m->suite) == n &&
	    strncmp(s, m->suite, n) == 0)
		return (0);
	if (memchr(s, '-', n) == NULL && memchr(s, '/', n) == NULL)
		return (1);
	return (2);
}

/* One entry: uri (its first word counts), suites, components. */
static void
offer(struct apt_mirror *m, const char *uri, const char *suites,
    const char *comps)
{
	size_t ulen = strcspn(uri += strspn(uri, WS), WS);
	const char *p = suites;
	int best = APT_RANK_NONE, r;

	if (ulen == 0 || ulen >= sizeof (m->uri) || !has_word(comps, "main"))
		return;
	/* debian-security, security.debian.org: not the main archive. */
	if (memmem(uri, ulen, "security", 8) != NULL)
		return;
	while (*(p += strspn(p, WS)) != '\0') {
		size_t n = strcspn(p, WS);

		if ((r = suite_rank(m, p, n)) < 0)
			return;
		if (r < best)
			best = r;
		p += n;
	}
	if (best < m->rank) {
		m->rank = best;
		memcpy(m->uri, uri, ulen);
		m->uri[ulen] = '\0';
	}
}

/* ---- deb822 ------------------------------------------------------------- */

struct stanza {
	char types[FIELD_MAX], uris[FIELD_MAX], suites[FIELD_MAX];
	char comps[FIELD_MAX], enabled[FIELD_MAX];
	char *last;		/* the field a continuation line extends */
	bool any;
};

static void
stanza_reset(struct stanza *s)
{
	memset(s, 0, sizeof (*s));
}

static void
stanza_offer(struct apt_mirror *m, struct stanza *s)
{
	char *e = s->enabled + strspn(s->enabled, WS);

	if (s->any && has_word(s->types, "deb") &&
	    strncasecmp(e, "no", 2) != 0)
		offer(m, s->uris, s->suites, s->comps);
	stanza_reset(s);
}

static void
append(char *field, const char *value)
{
	size_t len = strlen(field);

	snprintf(field + len, FIELD_MAX - len, "%s%s", len ? " " : "", value);
}

static void
stanza_line(struct stanza *s, char *line)
{
	static const struct { const char *name; size_t off; } fields[] = {
		{ "Types", offsetof(struct stanza, types) },
		{ "URIs", offsetof(struct stanza, uris) },
		{ "Suites", offsetof(struct stanza, suites) },
		{ "Components", offsetof(struct stanza, comps) },
		{ "Enabled", offsetof(struct stanza, enabled) },
	};
	char *colon;
	size_t i;

	s->any = true;
	if (line[0] == ' ' || line[0] == '\t') {
		if (s->last != NULL)
			append(s->last, line + strspn(line, WS));
		return;
	}
	s->last = NULL;
	if ((colon = strchr(line, ':')) == NULL)
		return;
	*colon = '\0';
	for (i = 0; i < sizeof (fields) / sizeof (fields[0]); i++) {
		if (strcasecmp(line, fields[i].name) != 0)
			continue;
		s->last = (char *)s + fields[i].off;
		append(s->last, colon + 1 + strspn(colon + 1, WS));
	}
}

int
apt_mirror_scan_deb822(struct apt_mirror *m, FILE *f)
{
	struct stanza *s = malloc(sizeof (*s));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (s == NULL)
		return (ENOMEM);
	stanza_reset(s);
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && strchr(WS, line[len - 1]) != NULL)
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if (line[strspn(line, WS)] == '\0')
			stanza_offer(m, s);
		else
			stanza_line(s, line);
	}
	stanza_offer(m, s);
	free(line);
	free(s);
	return (ferror(f) ? EIO : 0);
}

/* ---- one-line form ------------------------------------------------------ */

static void
list_line(struct apt_mirror *m, char *line)
{
	char *p, *uri, *suite, *save;

	line[strcspn(line, "#")] = '\0';
	p = line + strspn(line, WS);
	if (strncmp(p, "deb", 3) != 0 || strchr(WS, p[3]) == NULL ||
	    p[3] == '\0')
		return;
	p += 3 + strspn(p + 3, WS);
	if (*p == '[') {
		if ((p = strchr(p, ']')) == NULL)
			return;
		p++;
	}
	if ((uri = strtok_r(p, WS, &save)) == NULL ||
	    (suite = strtok_r(NULL, WS, &save)) == NULL)
		return;
	/* The rest of the line: the components. */
	offer(m, uri, suite, save != NULL ? save : "");
}

int
apt_mirror_scan_list(struct apt_mirror *m, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) >= 0)
		list_line(m, line);
	free(line);
	return (ferror(f) ? EIO : 0);
}
