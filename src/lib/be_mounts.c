/*
 * be_mounts.c - questions to the mount table about datasets and the
 * directories below a path (util/mounttab.c reads it).
 */
#include <stdlib.h>
#include <string.h>

#include "be.h"
#include "be_mounts.h"
#include "mounttab.h"

/* Copy s into out (sz bytes) when it fits whole. */
static bool
copy_whole(char *out, size_t sz, const char *s)
{
	size_t len = strlen(s);

	if (len >= sz)
		return (false);
	memcpy(out, s, len + 1);
	return (true);
}

bool
be_zfs_mounted_at(const char *dir, char *dataset, size_t sz)
{
	const struct mounttab_entry *e;
	struct mounttab t;
	bool found;

	if (mounttab_read(&t) != 0)
		return (false);
	/* A later mount on the same directory hides earlier ones. */
	e = mounttab_at(&t, dir);
	found = e != NULL && mounttab_is_zfs(e) &&
	    copy_whole(dataset, sz, e->source);
	mounttab_free(&t);
	return (found);
}

bool
be_zfs_mount_of(const char *dataset, char *dir, size_t sz)
{
	const struct mounttab_entry *e;
	struct mounttab t;
	bool found;

	if (mounttab_read(&t) != 0)
		return (false);
	e = mounttab_zfs_of(&t, dataset);
	found = e != NULL && copy_whole(dir, sz, e->dir);
	mounttab_free(&t);
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
	struct mounttab t;
	char **v;
	size_t i;

	*n = 0;
	if (mounttab_read(&t) != 0)
		return (NULL);
	/* One more than needed: an empty list is not a failure. */
	if ((v = malloc((t.n + 1) * sizeof (*v))) == NULL) {
		mounttab_free(&t);
		return (NULL);
	}
	for (i = 0; i < t.n; i++) {
		if (!be_path_within(t.v[i].dir, dir))
			continue;
		if ((v[*n] = strdup(t.v[i].dir)) == NULL) {
			be_mount_points_free(v, *n);
			mounttab_free(&t);
			*n = 0;
			return (NULL);
		}
		(*n)++;
	}
	mounttab_free(&t);
	return (v);
}
