/*
 * bootfs.c - the pool's bootfs property: what FreeBSD's loader and
 * ZFSBootMenu boot by default.  Kept right on every system, whatever
 * other loader is in use.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"

static be_error_t
set_bootfs(be_handle_t *h, const char *dataset)
{
	zpool_handle_t *zph = zpool_open_canfail(h->lzh, h->pool);
	int rc;

	if (zph == NULL)
		return (be_set_error(h, BE_ERR_NOPOOL, "cannot open pool '%s'",
		    h->pool));
	rc = zpool_set_prop(zph, "bootfs", dataset);
	zpool_close(zph);
	if (rc != 0)
		return (be_set_zfs_error(h, "cannot set bootfs=%s on pool '%s'",
		    dataset, h->pool));
	return (BE_OK);
}

static be_error_t
bootfs_activate(be_handle_t *h, const char *be)
{
	char dataset[BE_PATH_MAX];

	if ((size_t)snprintf(dataset, sizeof (dataset), "%s/%s", h->root,
	    be) >= sizeof (dataset))
		return (be_set_error(h, BE_ERR_BADNAME, "the dataset name of "
		    "BE '%s' below %s is too long", be, h->root));
	return (set_bootfs(h, dataset));
}

/* bootfs names a dataset; a rename of the BE it names must follow. */
static be_error_t
bootfs_rename(be_handle_t *h, const char *oldbe, const char *newbe)
{
	char current[BE_PATH_MAX];
	be_error_t err;

	if ((err = be_bootfs(h, current, sizeof (current))) != BE_OK)
		return (err);
	if (strcmp(current, oldbe) != 0)
		return (BE_OK);
	return (bootfs_activate(h, newbe));
}

static be_error_t
bootfs_next_boot(be_handle_t *h, char *deflt, size_t dsz, char *once,
    size_t osz)
{
	if (osz > 0)
		once[0] = '\0';
	return (be_bootfs(h, deflt, dsz));
}

const struct be_boot_backend be_backend_bootfs = {
	.name = "bootfs",
	.probe = NULL,
	.create = NULL,
	.activate = bootfs_activate,
	.activate_once = NULL,
	.rename = bootfs_rename,
	.destroy = NULL,		/* libbe refuses to destroy the bootfs BE */
	.next_boot = bootfs_next_boot,
};
