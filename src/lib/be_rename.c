/*
 * be_rename.c - renaming a BE (its descendants follow, as ZFS renames a
 * subtree).  Mounts stay where they are, so a mounted or even the running
 * BE can be renamed; the boot loader is told afterwards, and if it cannot
 * follow the dataset goes back to its old name, so that what boots never
 * names a dataset that is gone.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "be_impl.h"

static int
rename_dataset(be_handle_t *h, const char *from, const char *to)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, from, ZFS_TYPE_FILESYSTEM);
	int rc;

	if (zhp == NULL)
		return (-1);
	rc = zfsa_rename_nounmount(zhp, to);
	zfs_close(zhp);
	return (rc);
}

static be_error_t
rename_locked(be_handle_t *h, const char *oldbe, const char *newbe,
    const char *oldds, const char *newds)
{
	char why[sizeof (h->errmsg)];
	be_error_t err;

	if (rename_dataset(h, oldds, newds) != 0)
		return (be_set_zfs_error(h, "cannot rename %s to %s", oldds,
		    newds));
	if ((err = be_boot_rename(h, oldbe, newbe)) == BE_OK)
		return (BE_OK);
	snprintf(why, sizeof (why), "%s", be_errmsg(h));
	if (rename_dataset(h, newds, oldds) != 0)
		return (be_set_zfs_error(h, "the boot loader could not follow "
		    "the rename of '%s' to '%s' (%s), and renaming %s back "
		    "failed too; rename it back with 'beadm rename %s %s'",
		    oldbe, newbe, why, newds, newbe, oldbe));
	return (be_set_error(h, err, "boot environment '%s' keeps its name: "
	    "the boot loader could not follow the rename: %s", oldbe, why));
}

be_error_t
be_rename(be_handle_t *h, const char *oldbe, const char *newbe)
{
	char oldds[BE_PATH_MAX], newds[BE_PATH_MAX];
	be_error_t err;

	/* Both names are checked before anything is looked at. */
	if ((err = be_dataset_of(h, oldbe, oldds, sizeof (oldds))) != BE_OK ||
	    (err = be_dataset_of(h, newbe, newds, sizeof (newds))) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if (!zfsa_exists(h->lzh, oldds, ZFS_TYPE_FILESYSTEM))
		err = be_set_error(h, BE_ERR_NOENT, "boot environment '%s' "
		    "does not exist (no dataset %s)", oldbe, oldds);
	else if (zfsa_exists(h->lzh, newds, ZFS_TYPE_DATASET))
		err = be_set_error(h, BE_ERR_EXISTS, "cannot rename '%s' to "
		    "'%s': %s exists already; choose another name", oldbe,
		    newbe, newds);
	else if ((err = be_boot_prepare(h, oldbe, newbe)) == BE_OK) {
		err = rename_locked(h, oldbe, newbe, oldds, newds);
		if (err != BE_OK)
			be_boot_cancel(h);
	}
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}
