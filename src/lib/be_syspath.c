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

/* Where a BE mounted over what is there would hide the running system. */
static const char *const running_trees[] = {
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
	"/proc", "/sbin", "/sys", "/usr", "/var", NULL
};
static const char *const scratch_trees[] = { "/var/tmp", NULL };
/* Directories whose subdirectories are fine, but not they themselves. */
static const char *const holders[] = {
	"/", "/home", "/opt", "/root", "/run", "/srv", "/tmp", NULL
};

bool
be_syspath_mount_refused(const char *real)
{
	size_t i;

	for (i = 0; holders[i] != NULL; i++)
		if (strcmp(real, holders[i]) == 0)
			return (true);
	if (within_any(real, scratch_trees) && strcmp(real, "/var/tmp") != 0)
		return (false);
	return (within_any(real, running_trees));
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
