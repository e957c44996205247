/*
 * be_mounts.c - reading the mount table (see be_mounts.h for why apart).
 */
#include <mntent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "be.h"
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

bool
be_zfs_mount_of(const char *dataset, char *dir, size_t sz)
{
	struct mntent *m;
	FILE *f;
	bool found = false;

	if ((f = setmntent("/proc/self/mounts", "r")) == NULL)
		return (false);
	while ((m = getmntent(f)) != NULL) {
		if (strcmp(m->mnt_type, "zfs") != 0 ||
		    strcmp(m->mnt_fsname, dataset) != 0)
			continue;
		found = true;
		snprintf(dir, sz, "%s", m->mnt_dir);
	}
	endmntent(f);
	return (found);
}

void
be_mount_points_free(char **v, size_t n)
{
	while (n-- > 0)
		free(v[n]);
	free(v);
}

char **
be_mount_points_below(const char *dir, size_t *n)
{
	struct mntent *m;
	char **v = NULL, **grown;
	FILE *f;

	*n = 0;
	if ((f = setmntent("/proc/self/mounts", "r")) == NULL)
		return (NULL);
	while ((m = getmntent(f)) != NULL) {
		if (!be_path_within(m->mnt_dir, dir))
			continue;
		if ((grown = realloc(v, (*n + 1) * sizeof (*v))) == NULL ||
		    (grown[*n] = strdup(m->mnt_dir)) == NULL) {
			be_mount_points_free(grown != NULL ? grown : v, *n);
			endmntent(f);
			return (NULL);
		}
		v = grown;
		(*n)++;
	}
	endmntent(f);
	/* An empty list is not a failure: hand back an empty array. */
	if (v == NULL && (v = malloc(sizeof (*v))) == NULL)
		return (NULL);
	return (v);
}
