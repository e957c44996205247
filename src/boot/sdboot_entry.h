/*
 * sdboot_entry.h - systemd-boot's files as beadm writes and reads them:
 * entry names, entry contents, loader.conf, the kernel command line, and
 * which entry systemd-boot (v252, Debian 12) will pick.  Pure functions:
 * the unit tests link this file alone.  doc/esp.md describes the layout.
 */
#ifndef SDBOOT_ENTRY_H
#define SDBOOT_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

#define SDB_ENTRIES_DIR	"loader/entries"
#define SDB_LOADER_CONF	"loader/loader.conf"
#define SDB_MARKER	"# written by beadm"
#define SDB_FIELD_MAX	256
#define SDB_OPTIONS_MAX	4096
#define SDB_KVER_MAX	96

enum sdb_kind {
	SDB_FOREIGN,		/* not beadm's: proxmox-*.conf, <machine-id>-*.conf */
	SDB_NORMAL,		/* beadm-<BE>@<kver>.conf */
	SDB_TRY,		/* beadm~try-<BE>@<kver>+N[-M].conf */
	SDB_FALLBACK		/* beadm~fallback-<BE>@<kver>.conf */
};

/* What an entry's file name says. */
struct sdb_name {
	enum sdb_kind kind;
	char be[SDB_FIELD_MAX];		/* "" for SDB_FOREIGN */
	char kver[SDB_FIELD_MAX];	/* "" for SDB_FOREIGN */
	char id[SDB_FIELD_MAX];		/* systemd-boot's id: the file name
					   without the "+N[-M]" counter,
					   lower-cased, with ".conf" */
	int tries_left;			/* -1 when the name has no counter */
	int tries_done;			/* -1 when the name has no counter */
};

/* Parse a file name in loader/entries; false for names not ending in
 * ".conf" (systemd-boot ignores those too). */
bool sdb_name_parse(const char *file, struct sdb_name *);
/* Format the file name of a beadm entry; tries < 0 means no counter (only
 * SDB_TRY takes one).  Returns false when it would not fit. */
bool sdb_name_format(enum sdb_kind, const char *be, const char *kver,
    int tries, char *buf, size_t sz);
/* The loader.conf/LoaderEntryOneShot pattern for one BE: "beadm-<BE>@*". */
bool sdb_be_pattern(const char *be, char *buf, size_t sz);
/* Kernel versions that may appear in a file name and a config line:
 * [A-Za-z0-9._~+-], not empty, at most SDB_KVER_MAX, not "." or "..", and
 * not ending in what systemd-boot reads as a boot counter ("+N", "+N-M"). */
bool sdb_kver_valid(const char *kver);
/* Order of kernel versions, newest first when used with qsort; the
 * comparison systemd-boot uses (strverscmp). */
int sdb_kver_cmp(const char *a, const char *b);

/* The fields of an entry file beadm reads or writes. */
struct sdb_entry {
	char title[SDB_FIELD_MAX];
	char version[SDB_FIELD_MAX];
	char sort_key[SDB_FIELD_MAX];
	char linux_path[SDB_FIELD_MAX];
	char initrd_path[SDB_FIELD_MAX];
	char options[SDB_OPTIONS_MAX];
};

/* Render an entry (fields that are "" are left out).  Control characters
 * in any value are replaced by spaces.  Returns the length, or -1 when it does
 * not fit in sz. */
int sdb_entry_render(const struct sdb_entry *, char *buf, size_t sz);
/* Parse an entry's text (key, blanks, value; '#' comments; unknown keys
 * ignored; a repeated initrd keeps the first).  Always succeeds. */
void sdb_entry_parse(const char *text, struct sdb_entry *);

/* The value of the last "default" line in loader.conf text, "" if none. */
void sdb_loader_default(const char *text, char *buf, size_t sz);
/* Does loader.conf text start with SDB_MARKER? */
bool sdb_loader_is_ours(const char *text);
/* New loader.conf text: SDB_MARKER first, then every line of text (may be
 * NULL or "") except the marker and "default" lines, then "default
 * <pattern>".  malloc'd; NULL on allocation failure. */
char *sdb_loader_with_default(const char *text, const char *pattern);

/*
 * The options line for a BE from a command-line template: "__BE_NAME"
 * becomes be; every root=... argument becomes root=ZFS=<dataset>; with no
 * root= argument, root=ZFS=<dataset> is put first.  BOOT_IMAGE= and
 * initrd= arguments (left in /proc/cmdline by loaders) are dropped, blanks
 * are collapsed, and only the first line of template counts.  Returns
 * false when the result does not fit.
 */
bool sdb_cmdline(const char *template, const char *be, const char *dataset,
    char *buf, size_t sz);

/* One entry as systemd-boot sees it, for sdb_select. */
struct sdb_seen {
	const char *file;	/* file name in loader/entries */
	const char *sort_key;	/* "" when the entry has none */
	const char *version;	/* "" when the entry has none */
};
/*
 * The index of the entry systemd-boot v252 boots, or -1 when none: entries
 * are ordered as it orders them (no tries left last; entries with a sort
 * key before those without; sort key ascending, then version newest first;
 * then id newest first by strverscmp), and the first one matching oneshot
 * (when not NULL or ""), else default_pattern (fnmatch, on lower-cased
 * ids), else the first entry, is chosen.  default_pattern NULL or "" means
 * loader.conf has no default.
 */
int sdb_select(const struct sdb_seen *, size_t n, const char *default_pattern,
    const char *oneshot);

#endif /* SDBOOT_ENTRY_H */
