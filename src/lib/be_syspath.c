/*
 * be_syspath.c - the rule of beadm consolidate for which datasets belong to
 * the operating system, by where they mount.  Kept apart from libzfs so the
 * host unit tests can check it.
 */
#include <stdio.h>
#include <string.h>

#include "be.h"
#include "be_syspath.h"

/* The directories an OS installation owns (FHS; FreeBSD's hier(7)). */
static const char *const system_trees[] = {
	"/etc", "/opt", "/tmp", "/usr", "/var", NULL
};

/* Inside those, data that must survive a rollback or a switch of BE. */
static const char *const shared_trees[] = {
	"/usr/home", "/var/lib/docker", "/var/lib/libvirt", "/var/lib/vz", NULL
};

static bool
within_any(const char *path, const char *const *trees)
{
	for (size_t i = 0; trees[i] != NULL; i++)
		if (be_path_within(path, trees[i]))
			return (true);
	return (false);
}

bool
be_syspath_is_shared(const char *path)
{
	return (within_any(path, shared_trees));
}

bool
be_syspath_is_system(const char *path)
{
	return (path[0] == '/' && within_any(path, system_trees) &&
	    !be_syspath_is_shared(path));
}

bool
be_syspath_inherited(const char *parent, const char *base, char *buf,
    size_t sz)
{
	int n;

	if (parent[0] != '/')	/* none, legacy: children inherit it as is */
		n = snprintf(buf, sz, "%s", parent);
	else
		n = snprintf(buf, sz, "%s/%s",
		    strcmp(parent, "/") == 0 ? "" : parent, base);
	return (n >= 0 && (size_t)n < sz);
}
