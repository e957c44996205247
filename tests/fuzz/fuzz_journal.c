/*
 * fuzz_journal.c - the journal of a change to the ESPs (sdb_journal.c),
 * as an interrupted run or anyone with write access to an ESP left it.
 * Properties: what it turns into names only valid BE names, within the
 * bounds; a BE's entries are written only when it exists and removed only
 * when it does not; the default is among the BEs written; a trial has
 * both its BEs; written out and read back, the change is the same; the
 * root it names is a piece of the text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sdb_journal.h"

/* Which BEs exist: a fixed, arbitrary half of the names. */
static bool
exists(void *arg, const char *be)
{
	(void) arg;
	return (strlen(be) % 2 == 1);
}

static bool
has(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (true);
	return (false);
}

/* Does text have the line "KEYWORD NAME", the name whole? */
static bool
has_line(const char *text, const char *keyword, const char *name)
{
	char want[128];
	const char *p;
	size_t n;

	n = (size_t)snprintf(want, sizeof (want), "%s %s", keyword, name);
	for (p = text; (p = strstr(p, want)) != NULL; p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == '\n'))
			return (true);
	return (false);
}

static void
check_names_from(const char *text, const struct sdb_change *c)
{
	size_t i;

	/* Never a name cut or pieced together from another line. */
	for (i = 0; i < c->nwrite; i++)
		FUZZ_ASSERT(has_line(text, "be", c->write[i]) ||
		    (c->deflt == c->write[i] &&
		    has_line(text, "default", c->write[i])));
	for (i = 0; i < c->nremove; i++)
		FUZZ_ASSERT(has_line(text, "be", c->remove[i]));
	FUZZ_ASSERT(c->tries >= 0 && c->tries <= 9);
}

static void
check_change(const struct sdb_change *c)
{
	size_t i;

	FUZZ_ASSERT(c->nwrite <= SDB_MAX_BES && c->nremove <= SDB_MAX_BES);
	for (i = 0; i < c->nwrite; i++)
		FUZZ_ASSERT(be_name_valid(c->write[i], NULL) &&
		    exists(NULL, c->write[i]));
	for (i = 0; i < c->nremove; i++)
		FUZZ_ASSERT(be_name_valid(c->remove[i], NULL) &&
		    !exists(NULL, c->remove[i]));
	if (c->deflt != NULL)
		FUZZ_ASSERT(has(c->write, c->nwrite, c->deflt));
	if (c->default_trial)
		FUZZ_ASSERT(c->trial != NULL && c->fallback != NULL);
	if (c->trial != NULL)
		FUZZ_ASSERT(be_name_valid(c->trial, NULL) &&
		    exists(NULL, c->trial));
	if (c->fallback != NULL)
		FUZZ_ASSERT(be_name_valid(c->fallback, NULL) &&
		    exists(NULL, c->fallback));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *copy, root[256], out[8192];
	struct sdb_jchange j, k;
	size_t i;
	int len;

	if (text == NULL)
		return (0);
	sdb_journal_root(text, root, sizeof (root));
	FUZZ_ASSERT(root[0] == '\0' || strstr(text, root) != NULL);
	copy = strdup(text);
	if (copy == NULL) {
		free(text);
		return (0);
	}
	sdb_journal_change(copy, exists, NULL, &j);
	check_change(&j.c);
	check_names_from(text, &j.c);
	/* A trial line names both BEs or is not read at all. */
	if (j.c.trial == NULL)
		j.c.fallback = NULL, j.c.tries = 0, j.c.default_trial = false;
	len = sdb_journal_text("pool/ROOT", &j.c, out, sizeof (out));
	FUZZ_ASSERT(len > 0);
	sdb_journal_change(out, exists, NULL, &k);
	FUZZ_ASSERT(k.c.nwrite == j.c.nwrite && k.c.nremove == j.c.nremove);
	for (i = 0; i < j.c.nwrite; i++)
		FUZZ_ASSERT(strcmp(k.c.write[i], j.c.write[i]) == 0);
	for (i = 0; i < j.c.nremove; i++)
		FUZZ_ASSERT(strcmp(k.c.remove[i], j.c.remove[i]) == 0);
	FUZZ_ASSERT((k.c.deflt == NULL) == (j.c.deflt == NULL) &&
	    (j.c.deflt == NULL || strcmp(k.c.deflt, j.c.deflt) == 0));
	FUZZ_ASSERT((k.c.trial == NULL) == (j.c.trial == NULL) &&
	    (j.c.trial == NULL || (strcmp(k.c.trial, j.c.trial) == 0 &&
	    strcmp(k.c.fallback, j.c.fallback) == 0 &&
	    k.c.tries == j.c.tries)));
	FUZZ_ASSERT(k.c.end_trial == j.c.end_trial);
	free(copy);
	free(text);
	return (0);
}
