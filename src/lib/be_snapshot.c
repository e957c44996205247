/*
 * be_snapshot.c - snapshotting a BE, and rolling one back to a snapshot.
 *
 * A BE is its top dataset and every descendant, so both work on all of
 * them: snapshots are taken in one transaction, and a rollback is refused
 * before anything changes when it would lose data.  An unmounted BE is
 * rolled back in one transaction group (be_zcp.c); a mounted one dataset
 * by dataset, since only libzfs rolls back a mounted file system.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "be_tree.h"
#include "be_zcp.h"

be_error_t
be_snapshot(be_handle_t *h, const char *be, const char *snap, char *out,
    size_t outsz)
{
	char dataset[BE_PATH_MAX], name[BE_NAME_MAX + 1] = "";
	be_tree_t tree = { 0 };
	const char *why;
	be_error_t err;

	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if (snap != NULL) {
		if (!be_snapname_valid(snap, &why))
			return (be_set_error(h, BE_ERR_BADNAME, "invalid "
			    "snapshot name '%s': %s", snap, why));
		snprintf(name, sizeof (name), "%s", snap);
	}
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = be_tree_collect(h, dataset, NULL, &tree)) != BE_OK)
		goto out;
	if ((err = be_tree_snapshot(h, &tree, name, sizeof (name), false)))
		goto out;
	if (out != NULL)
		snprintf(out, outsz, "%s@%s", be, name);
	err = be_ok(h);
out:
	be_tree_free(&tree);
	be_unlock(h);
	return (err);
}

/* ---- rollback ---------------------------------------------------------- */

struct newer {
	uint64_t txg;		/* createtxg of the target snapshot */
	char *list;		/* names of newer snapshots, ", "-separated */
	size_t listsz;
	int count;
};

static int
newer_cb(zfs_handle_t *snap, void *arg)
{
	struct newer *n = arg;
	size_t len = strlen(n->list);

	if (zfs_prop_get_int(snap, ZFS_PROP_CREATETXG) > n->txg) {
		if (n->count++ < 8)
			snprintf(n->list + len, n->listsz - len, "%s%s",
			    len ? ", " : "", zfs_get_name(snap));
		else if (n->count == 9)
			snprintf(n->list + len, n->listsz - len, ", ...");
	}
	zfs_close(snap);
	return (0);
}

/*
 * Rolling back destroys every snapshot newer than the target, and with
 * them whatever the user kept there; name them rather than lose them.
 */
static be_error_t
refuse_newer(be_handle_t *h, const be_tree_t *tree, const char *arg,
    const char *snap)
{
	char list[768] = "", name[BE_PATH_MAX];
	struct newer n = { .list = list, .listsz = sizeof (list) };
	zfs_handle_t *fs, *target;
	size_t i;

	for (i = 0; i < tree->count; i++) {
		snprintf(name, sizeof (name), "%s@%s", tree->names[i], snap);
		fs = zfsa_open(h->lzh, tree->names[i], ZFS_TYPE_FILESYSTEM);
		target = zfsa_open(h->lzh, name, ZFS_TYPE_SNAPSHOT);
		if (fs == NULL || target == NULL) {
			if (fs != NULL)
				zfs_close(fs);
			if (target != NULL)
				zfs_close(target);
			return (be_set_zfs_error(h, "cannot open %s", name));
		}
		n.txg = zfs_prop_get_int(target, ZFS_PROP_CREATETXG);
		zfs_close(target);
		(void) zfsa_iter_snapshots(fs, newer_cb, &n);
		zfs_close(fs);
	}
	if (n.count > 0)
		return (be_set_error(h, BE_ERR_REFUSED, "cannot roll back to "
		    "%s: %d newer snapshot%s would be destroyed (%s); destroy "
		    "%s first if you no longer need %s", arg, n.count,
		    n.count == 1 ? "" : "s", list, n.count == 1 ? "it" : "them",
		    n.count == 1 ? "it" : "them"));
	return (BE_OK);
}

/* Dataset name could not be rolled back (rc); done of count were. */
static be_error_t
rollback_failed(be_handle_t *h, const char *name, const char *snap, int rc,
    size_t done, size_t count)
{
	char why[128], was[96] = "nothing was rolled back";

	if (rc == EEXIST)
		snprintf(why, sizeof (why), "a snapshot or bookmark newer than "
		    "@%s exists on it", snap);
	else
		snprintf(why, sizeof (why), "%s", strerror(rc));
	if (done > 0)
		snprintf(was, sizeof (was), "%zu of its BE's %zu datasets were "
		    "rolled back already", done, count);
	return (be_set_error(h, rc == EBUSY ? BE_ERR_BUSY : BE_ERR_ZFS,
	    "cannot roll %s back to @%s: %s (%s)", name, snap, why, was));
}

static be_error_t
rollback_all(be_handle_t *h, const be_tree_t *tree, const char *snap)
{
	char name[BE_PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < tree->count; i++) {
		snprintf(name, sizeof (name), "%s@%s", tree->names[i], snap);
		if ((rc = lzc_rollback_to(tree->names[i], name)) != 0)
			return (rollback_failed(h, tree->names[i], snap, rc, i,
			    tree->count));
	}
	return (BE_OK);
}

static bool
any_mounted(be_handle_t *h, const be_tree_t *tree)
{
	zfs_handle_t *zhp;
	bool mounted = false;
	size_t i;

	for (i = 0; i < tree->count && !mounted; i++) {
		/* One that cannot be opened is left to libzfs to report. */
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL)
			return (true);
		mounted = zfs_is_mounted(zhp, NULL);
		zfs_close(zhp);
	}
	return (mounted);
}

/*
 * Unmounted, the whole BE goes back in one transaction group, or none of
 * it does; mounted (ZFS cannot roll back a mounted file system in a
 * channel program), or without channel programs, dataset by dataset.
 */
static be_error_t
rollback_tree(be_handle_t *h, const be_tree_t *tree, const char *arg,
    const char *snap)
{
	be_zcp_result_t res = { .ran = false };
	be_error_t err;

	if (!any_mounted(h, tree) &&
	    (err = be_zcp_rollback(h, arg, tree, snap, &res)) != BE_OK)
		return (err);
	if (!res.ran)
		return (rollback_all(h, tree, snap));
	if (res.newer)
		return (be_set_error(h, BE_ERR_REFUSED, "cannot roll back to "
		    "%s: newer snapshot %s would be destroyed; destroy it "
		    "first if you no longer need it (nothing was rolled back)",
		    arg, res.name));
	if (res.error != 0)
		return (rollback_failed(h, res.name, snap, res.error,
		    (size_t)res.done, tree->count));
	return (BE_OK);
}

be_error_t
be_rollback(be_handle_t *h, const char *arg)
{
	char be[BE_NAME_MAX + 2], snap[BE_NAME_MAX + 2];
	char dataset[BE_PATH_MAX];
	be_tree_t tree = { 0 };
	const char *why;
	be_error_t err;

	if (!be_split_snapshot(arg, be, sizeof (be), snap, sizeof (snap)))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid snapshot '%s': "
		    "the name is too long", arg));
	if (strchr(arg, '@') == NULL)
		return (be_set_error(h, BE_ERR_INVALID, "rollback needs a "
		    "snapshot, BE@SNAPSHOT, not '%s'", arg));
	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if (!be_snapname_valid(snap, &why))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid snapshot name "
		    "'%s': %s", snap, why));
	if (be_tree_is_running(h, dataset))
		return (be_set_error(h, BE_ERR_REFUSED, "cannot roll back '%s': "
		    "it is the running boot environment, whose files would "
		    "change under running programs; create a BE from %s "
		    "(beadm create -e %s NEWBE) and activate it instead", be,
		    arg, arg));
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = be_tree_collect(h, dataset, snap, &tree)) != BE_OK)
		goto out;
	if ((err = refuse_newer(h, &tree, arg, snap)) != BE_OK)
		goto out;
	if ((err = rollback_tree(h, &tree, arg, snap)) != BE_OK)
		goto out;
	/* The kernels in its /boot are the snapshot's now: its entries
	 * follow them (an entry for a kernel the snapshot lacks would boot
	 * it without its modules). */
	if ((err = be_boot_refresh(h, be)) != BE_OK) {
		be_error_append(h, "; '%s' was rolled back to %s, but its boot "
		    "entries are not written for its kernels yet: run 'beadm "
		    "refresh %s'", be, arg, be);
		goto out;
	}
	err = be_ok(h);
out:
	be_tree_free(&tree);
	be_unlock(h);
	return (err);
}
