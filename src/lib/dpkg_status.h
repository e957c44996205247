/*
 * dpkg_status.h - the installed packages in a dpkg status file
 * (var/lib/dpkg/status) and what changed between two of them.  Pure:
 * reads a FILE, allocates, never prints.
 */
#ifndef DPKG_STATUS_H
#define DPKG_STATUS_H

#include <stdio.h>

struct dpkg_pkg {
	char *name;	/* "name", or "name:arch" for Multi-Arch: same */
	char *version;
	char *arch;
};

struct dpkg_status {
	struct dpkg_pkg *v;	/* installed packages, sorted by name */
	size_t n;
};

/*
 * Read the stanzas of f.  A package counts as installed when the third
 * word of its Status is "installed" (whatever is wanted of it); removed
 * packages with config files left, half-installed ones and the like do not.
 * 0, or an errno value (ENOMEM, EIO) with *out empty.
 */
int dpkg_status_read(FILE *f, struct dpkg_status *out);
void dpkg_status_free(struct dpkg_status *);

enum dpkg_change {
	DPKG_ADDED, DPKG_REMOVED, DPKG_UPGRADED, DPKG_DOWNGRADED
};
/* Called per changed package in name order; old or new is NULL on the
 * side that lacks it. */
typedef void (*dpkg_change_fn)(enum dpkg_change, const struct dpkg_pkg *old,
    const struct dpkg_pkg *new, void *arg);
void dpkg_status_diff(const struct dpkg_status *old,
    const struct dpkg_status *new, dpkg_change_fn, void *arg);

#endif /* DPKG_STATUS_H */
