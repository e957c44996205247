/*
 * sdb_journal.c - the journal of a change to the ESPs, written and read
 * back (sdb_journal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdb_journal.h"

int
sdb_journal_text(const char *root, const struct sdb_change *c, char *buf,
    size_t sz)
{
	size_t i, len;

	len = (size_t)snprintf(buf, sz, "%s\nroot %s\n", SDB_JOURNAL_MAGIC,
	    root);
	for (i = 0; i < c->nwrite && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "be %s\n",
		    c->write[i]);
	for (i = 0; i < c->nremove && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "be %s\n",
		    c->remove[i]);
	if (c->deflt != NULL && len < sz)
		len += (size_t)snprintf(buf + len, sz - len, "default %s\n",
		    c->deflt);
	if (c->trial != NULL && len < sz)
		len += (size_t)snprintf(buf + len, sz - len, "trial %s %d %s\n",
		    c->trial, c->tries, c->fallback);
	if (c->end_trial && len < sz)
		len += (size_t)snprintf(buf + len, sz - len, "end-trial\n");
	return (len < sz ? (int)len : -1);
}

static const char *
jname(struct sdb_jchange *j, const char *s)
{
	if (j->nnames >= SDB_JOURNAL_NAMES || !be_name_valid(s, NULL))
		return (NULL);
	snprintf(j->names[j->nnames], sizeof (j->names[0]), "%s", s);
	return (j->names[j->nnames++]);
}

/*
 * The word at *p (up to a blank or the end) into buf, and *p past it;
 * then, when sep is not NUL, that one separator too.  False when there is
 * no word, it is longer than a BE name (never cut: a cut name would be
 * another BE's), or sep does not follow.
 */
static bool
word(const char **p, char *buf, size_t sz, char sep)
{
	size_t n = strcspn(*p, " ");

	if (n == 0 || n >= sz || (*p)[n] != sep)
		return (false);
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += n + (sep != '\0');
	return (true);
}

/* "KEYWORD REST": REST, or NULL when the line is not one of KEYWORD. */
static const char *
after(const char *line, const char *keyword)
{
	size_t n = strlen(keyword);

	return (strncmp(line, keyword, n) == 0 && line[n] == ' ' ?
	    line + n + 1 : NULL);
}

/* "NAME": the whole of p is one word. */
static bool
one_name(const char *p, char *buf, size_t sz)
{
	return (p != NULL && word(&p, buf, sz, '\0'));
}

/* "TRIAL TRIES FALLBACK", one blank apart. */
static bool
trial_line(const char *p, char *a, char *b, size_t sz, int *tries)
{
	char num[12], *end;
	long v;

	if (p == NULL || !word(&p, a, sz, ' ') ||
	    !word(&p, num, sizeof (num), ' ') || !word(&p, b, sz, '\0'))
		return (false);
	v = strtol(num, &end, 10);
	if (*end != '\0' || v < 0 || v > 9)	/* as be_activate_try */
		return (false);
	*tries = (int)v;
	return (true);
}

void
sdb_journal_change(char *text, bool (*exists)(void *, const char *),
    void *arg, struct sdb_jchange *j)
{
	char *line, *save = NULL, a[BE_NAME_MAX + 1], b[BE_NAME_MAX + 1];
	const char *n;
	int tries;
	size_t i;
	bool written = false;

	memset(j, 0, sizeof (*j));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (one_name(after(line, "be"), a, sizeof (a)) &&
		    (n = jname(j, a))) {
			if (exists(arg, n) && j->c.nwrite < SDB_MAX_BES)
				j->c.write[j->c.nwrite++] = n;
			else if (!exists(arg, n) &&
			    j->c.nremove < SDB_MAX_BES)
				j->c.remove[j->c.nremove++] = n;
		} else if (one_name(after(line, "default"), a, sizeof (a)) &&
		    (n = jname(j, a)) && exists(arg, n)) {
			j->c.deflt = n;
		} else if (trial_line(after(line, "trial"), a, b, sizeof (a),
		    &tries) && be_name_valid(a, NULL) &&
		    be_name_valid(b, NULL) && exists(arg, a) && exists(arg, b)) {
			/* Both BEs of the trial, or neither. */
			j->c.trial = jname(j, a);
			j->c.fallback = j->c.trial != NULL ? jname(j, b) : NULL;
			if (j->c.fallback == NULL)
				j->c.trial = NULL;
			j->c.tries = tries;
			j->c.default_trial = j->c.trial != NULL;
		} else if (strcmp(line, "end-trial") == 0) {
			j->c.end_trial = true;
		}
	}
	/* The default must be among the BEs written; when a journal beadm
	 * did not write names too many, the default stays as it is rather
	 * than point at entries that may not be there. */
	for (i = 0; j->c.deflt != NULL && i < j->c.nwrite; i++)
		written = written || strcmp(j->c.write[i], j->c.deflt) == 0;
	if (j->c.deflt != NULL && !written) {
		if (j->c.nwrite < SDB_MAX_BES)
			j->c.write[j->c.nwrite++] = j->c.deflt;
		else
			j->c.deflt = NULL;
	}
}

void
sdb_journal_root(const char *text, char *buf, size_t sz)
{
	const char *p = strstr(text, "\nroot ");
	size_t n;

	buf[0] = '\0';
	if (p == NULL)
		return;
	p += strlen("\nroot ");
	n = strcspn(p, "\n");
	if (n < sz) {
		memcpy(buf, p, n);
		buf[n] = '\0';
	}
}
