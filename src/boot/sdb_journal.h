/*
 * sdb_journal.h - the change set of the systemd-boot backends and its
 * journal: the text written on every ESP before a change starts, from
 * which the next run finishes an interrupted one (doc/esp.md).  Pure
 * text handling: which BEs exist is asked of the caller.
 */
#ifndef SDB_JOURNAL_H
#define	SDB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "be.h"

#define	SDB_JOURNAL		"beadm/journal"
#define	SDB_JOURNAL_MAGIC	"beadm-journal 1"
#define	SDB_MAX_BES		4	/* BEs one change set touches */

struct sdb_change {
	const char *write[SDB_MAX_BES];	/* BEs whose entries are written */
	size_t nwrite;
	const char *remove[SDB_MAX_BES];	/* BEs whose entries go */
	size_t nremove;
	const char *deflt;		/* new default BE, NULL: keep */
	bool default_trial;		/* new default: the trial */
	bool end_trial;			/* remove beadm~* entries */
	const char *need_kernel;	/* refuse unless this BE has one */
	const char *trial;		/* start a trial of this BE ... */
	const char *fallback;		/* ... falling back to this one */
	int tries;
};

/* The journal of change c of BE root root, into buf: its length, or -1
 * when it does not fit. */
int sdb_journal_text(const char *root, const struct sdb_change *c,
    char *buf, size_t sz);

/* A change read back from a journal, with storage for the names: the
 * BEs written and removed, the default, the trial and its fallback. */
#define	SDB_JOURNAL_NAMES	(2 * SDB_MAX_BES + 3)
struct sdb_jchange {
	struct sdb_change c;
	char names[SDB_JOURNAL_NAMES][BE_NAME_MAX + 1];
	size_t nnames;
};

/*
 * Turn a journal (text, which is cut into lines in place) into the change
 * that finishes it, from the pool as it is now: a BE that exists (as
 * exists(arg, name) says) gets its entries, one that does not loses them.
 * Lines that do not parse, and names beadm would refuse, are ignored.
 */
void sdb_journal_change(char *text, bool (*exists)(void *, const char *),
    void *arg, struct sdb_jchange *j);

/* The BE root a journal names, "" when it names none (or one too long). */
void sdb_journal_root(const char *text, char *buf, size_t sz);

#endif /* SDB_JOURNAL_H */
