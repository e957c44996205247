/*
 * be_mounts.c - reading the mount table (see be_mounts.h for why apart).
 */
#include <mntent.h>
#include <stdio.h>
#include <string.h>

#include "be_mounts.h"

bool
be_zfs_mounted_at(const char *dir, char *dataset, size_t sz)
{
	struct mntent *m;
	FILE *f;
	bool found = false;

	if ((f = setmntent("/proc/self/mounts", "r")) == NULL)
		return (false);
	while ((m = getmntent(f)) != NULL) {
		if (strcmp(m->mnt_dir, dir) != 0)
			continue;
		/* A later mount on the same directory hides earlier ones. */
		found = strcmp(m->mnt_type, "zfs") == 0;
		if (found)
			snprintf(dataset, sz, "%s", m->mnt_fsname);
	}
	endmntent(f);
	return (found);
}
