/*
 * fstab_merge.h - the /etc/fstab of a freshly installed system, with the
 * lines of the running system's that it needs to boot on this machine
 * (beadm install --copy-config): file systems outside every BE (/home on
 * another dataset, the ESP, swap).  Pure text: the running fstab is
 * whatever an administrator wrote, so nothing in it is cut or trusted to
 * be short.
 */
#ifndef FSTAB_MERGE_H
#define	FSTAB_MERGE_H

#include <stddef.h>

/*
 * The new system's fstab mine, whole, then a comment naming where the rest
 * comes from, then each line of running that mounts something (not a
 * comment or blank), not at /, not a dataset at or below beroot (a BE
 * brings its own; "" for none), and not at a mount point mine already
 * has.  Lines are compared by their first two fields as written.  A
 * malloc'd string; *added counts the lines taken from running.  NULL when
 * memory runs out.
 */
char *fstab_merge(const char *running, const char *mine, const char *beroot,
    size_t *added);

#endif /* FSTAB_MERGE_H */
