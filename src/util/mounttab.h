/*
 * mounttab.h - the kernel's mount table (/proc/self/mounts), read whole and
 * decoded by one reader, so that every part of beadm sees the same paths.
 *
 * Each line is "SOURCE DIR TYPE OPTIONS DUMP PASS", fields separated by
 * single blanks; the kernel writes a blank, tab, newline or backslash in a
 * field as a backslash and three octal digits (\040).  Entries keep the
 * table's order, which is the order the mounts were made: a later mount on
 * the same directory hides the earlier ones.  Nothing is cut: a field is
 * as long as the table has it.
 */
#ifndef MOUNTTAB_H
#define	MOUNTTAB_H

#include <stdbool.h>
#include <stddef.h>

struct mounttab_entry {
	const char *source;	/* "rpool/ROOT/debian", "/dev/sda1", "proc" */
	const char *dir;	/* where it is mounted */
	const char *type;	/* "zfs", "vfat", ... */
};

struct mounttab {
	struct mounttab_entry *v;	/* in the order they were mounted */
	size_t n;
	char *text;			/* what the entries point into */
};

/*
 * Split text (NUL-terminated, malloc'd; t owns it from here on, also on
 * failure) into entries, decoding each field in place.  A line with fewer
 * than three fields is not a mount and is passed over.  0, or ENOMEM.
 */
int mounttab_parse(char *text, struct mounttab *t);
/* Read and parse the calling process's mount table: 0 or an errno. */
int mounttab_read(struct mounttab *t);
void mounttab_free(struct mounttab *t);

/* Is the entry a mount of a ZFS dataset (its source the dataset)? */
bool mounttab_is_zfs(const struct mounttab_entry *e);
/* The mount on dir that is seen there now (the latest), or NULL. */
const struct mounttab_entry *mounttab_at(const struct mounttab *t,
    const char *dir);
/* The latest mount of ZFS dataset ds, or NULL. */
const struct mounttab_entry *mounttab_zfs_of(const struct mounttab *t,
    const char *ds);

#endif /* MOUNTTAB_H */
