/*
 * be_destroy.c - destroying a BE, or a snapshot of one.
 *
 * Refusals come first and change nothing: the running BE, the BE that
 * boots next, a mounted BE (unless forced), a snapshot other datasets were
 * cloned from.  Then clones of the BE's snapshots that live elsewhere (other
 * BEs made from it) are promoted, so that they keep their data; then the
 * BE's snapshots and datasets go, children first, in one transaction group
 * (be_zcp.c) where ZFS can; last its origin snapshot, when beadm made it
 * (or the caller asks) and nothing else was cloned from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "be_tree.h"
#include "be_zcp.h"
#include "mounttab.h"
#include "test_seam.h"

#define PROMOTE_MAX	1000	/* a BE with more dependents is not sane */

static bool
in_tree(const be_tree_t *tree, const char *name)
{
	size_t i;

	for (i = 0; i < tree->count; i++)
		if (strcmp(tree->names[i], name) == 0)
			return (true);
	return (false);
}

/* Append name to a ", "-separated list, keeping it to a readable length. */
static void
list_add(char *list, size_t sz, int *count, const char *name)
{
	size_t len = strlen(list);

	if ((*count)++ < 6)
		snprintf(list + len, sz - len, "%s%s", len ? ", " : "", name);
	else if (*count == 7)
		snprintf(list + len, sz - len, ", ...");
}

/* ---- BE@SNAP ------------------------------------------------------------ */

static be_error_t
refuse_cloned(be_handle_t *h, const be_tree_t *tree, const char *arg,
    const char *snap)
{
	char name[BE_PATH_MAX], list[768] = "";
	zfs_handle_t *zhp;
	nvlist_t *clones;
	nvpair_t *pair;
	int count = 0;
	size_t i;

	for (i = 0; i < tree->count; i++) {
		snprintf(name, sizeof (name), "%s@%s", tree->names[i], snap);
		if ((zhp = zfsa_open(h->lzh, name, ZFS_TYPE_SNAPSHOT)) == NULL)
			return (be_set_zfs_error(h, "cannot open %s", name));
		/* The list belongs to the handle. */
		clones = zfs_get_clones_nvl(zhp);
		for (pair = NULL; clones != NULL &&
		    (pair = nvlist_next_nvpair(clones, pair)) != NULL; )
			list_add(list, sizeof (list), &count, nvpair_name(pair));
		zfs_close(zhp);
	}
	if (count > 0)
		return (be_set_error(h, BE_ERR_REFUSED, "cannot destroy %s: "
		    "%d dataset%s %s cloned from it (%s); destroy %s first, or "
		    "destroy the boot environment it belongs to, which "
		    "promotes them", arg, count, count == 1 ? "" : "s",
		    count == 1 ? "was" : "were", list,
		    count == 1 ? "it" : "them"));
	return (BE_OK);
}

static be_error_t
destroy_snapshot(be_handle_t *h, const char *arg, const char *be,
    const char *snap)
{
	char dataset[BE_PATH_MAX];
	be_tree_t tree = { 0 };
	const char *why;
	be_error_t err;

	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if (!be_snapname_valid(snap, &why))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid snapshot name "
		    "'%s': %s", snap, why));
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = be_tree_collect(h, dataset, snap, &tree)) == BE_OK &&
	    (err = refuse_cloned(h, &tree, arg, snap)) == BE_OK)
		err = be_tree_destroy_snapshots(h, &tree, snap);
	be_tree_free(&tree);
	be_unlock(h);
	return (err);
}

/* ---- BE: checks --------------------------------------------------------- */

static be_error_t
refuse_needed(be_handle_t *h, const char *be, const char *dataset)
{
	char deflt[BE_PATH_MAX], once[BE_PATH_MAX];
	be_error_t err;

	if (be_tree_is_running(h, dataset))
		return (be_set_error(h, BE_ERR_REFUSED, "cannot destroy '%s': "
		    "it is the running boot environment", be));
	/* Neither the default nor a one-time choice may lose its BE. */
	if ((err = be_boot_state(h, deflt, sizeof (deflt), once,
	    sizeof (once))) != BE_OK)
		return (err);
	if (strcmp(deflt, be) == 0 || strcmp(once, be) == 0)
		return (be_set_error(h, BE_ERR_REFUSED, "cannot destroy '%s': "
		    "it is the boot environment that boots next%s; activate "
		    "another one first (beadm activate BE)", be,
		    strcmp(deflt, be) != 0 ? " (once)" : ""));
	return (BE_OK);
}

static be_error_t
refuse_mounted(be_handle_t *h, const char *be, const be_tree_t *tree)
{
	zfs_handle_t *zhp;
	char *where = NULL;
	size_t i;
	be_error_t err = BE_OK;

	for (i = 0; i < tree->count && err == BE_OK; i++) {
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL)
			return (be_set_zfs_error(h, "cannot open %s",
			    tree->names[i]));
		if (zfs_is_mounted(zhp, &where))
			err = be_set_error(h, BE_ERR_BUSY, "cannot destroy "
			    "'%s': %s is mounted at %s; unmount it (beadm "
			    "umount %s) or use -F to unmount it forcibly", be,
			    tree->names[i], where ? where : "?", be);
		free(where);
		where = NULL;
		zfs_close(zhp);
	}
	return (err);
}

/*
 * -F unmounts the BE forcibly, but never file systems that are not part of
 * it: one mounted inside it would make the unmount fail half-way, so find
 * it before anything is unmounted.
 */
static be_error_t
refuse_foreign_mounts(be_handle_t *h, const char *be, const be_tree_t *tree)
{
	const struct mounttab_entry *e;
	struct mounttab t;
	char *top = NULL;
	zfs_handle_t *zhp;
	size_t i, len;
	be_error_t err = BE_OK;
	int e_read;

	if ((zhp = zfsa_open(h->lzh, tree->names[0], ZFS_TYPE_FILESYSTEM)))
		(void) zfs_is_mounted(zhp, &top);
	if (zhp != NULL)
		zfs_close(zhp);
	if (top == NULL)
		return (BE_OK);
	if ((e_read = mounttab_read(&t)) != 0) {
		err = be_set_error(h, BE_ERR_IO, "cannot read the mount table "
		    "/proc/self/mounts: %s", strerror(e_read));
		free(top);
		return (err);
	}
	len = strcmp(top, "/") == 0 ? 0 : strlen(top);
	for (i = 0; err == BE_OK && i < t.n; i++) {
		e = &t.v[i];
		if (strncmp(e->dir, top, len) != 0 || e->dir[len] != '/' ||
		    (mounttab_is_zfs(e) && in_tree(tree, e->source)))
			continue;
		err = be_set_error(h, BE_ERR_BUSY, "cannot destroy '%s': %s "
		    "is mounted inside it, at %s; unmount that first (beadm "
		    "unmounts only the boot environment's own datasets)", be,
		    e->source, e->dir);
	}
	mounttab_free(&t);
	free(top);
	return (err);
}

/* ---- BE: changes -------------------------------------------------------- */

static be_error_t
unmount_all(be_handle_t *h, const be_tree_t *tree)
{
	zfs_handle_t *zhp;
	size_t i = tree->count;
	int rc;

	while (i-- > 0) {	/* children before their parents */
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL)
			return (be_set_zfs_error(h, "cannot open %s",
			    tree->names[i]));
		rc = zfs_is_mounted(zhp, NULL) ?
		    zfs_unmount(zhp, NULL, MS_FORCE) : 0;
		zfs_close(zhp);
		if (rc != 0)
			return (be_set_zfs_error(h, "cannot unmount %s",
			    tree->names[i]));
	}
	return (BE_OK);
}

struct dependent {
	const be_tree_t *tree;
	char clone[BE_PATH_MAX];	/* the first clone outside the tree */
};

static int
dependent_cb(zfs_handle_t *snap, void *arg)
{
	struct dependent *d = arg;
	nvlist_t *clones = zfs_get_clones_nvl(snap);
	nvpair_t *pair = NULL;

	while (d->clone[0] == '\0' && clones != NULL &&
	    (pair = nvlist_next_nvpair(clones, pair)) != NULL)
		if (!in_tree(d->tree, nvpair_name(pair)))
			snprintf(d->clone, sizeof (d->clone), "%s",
			    nvpair_name(pair));
	zfs_close(snap);
	return (0);
}

/* A clone outside the tree of one of its snapshots, "" when none. */
static be_error_t
find_dependent(be_handle_t *h, const be_tree_t *tree, char *buf, size_t sz)
{
	struct dependent d = { .tree = tree, .clone = "" };
	zfs_handle_t *zhp;
	size_t i;

	for (i = 0; i < tree->count && d.clone[0] == '\0'; i++) {
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL)
			return (be_set_zfs_error(h, "cannot open %s",
			    tree->names[i]));
		(void) zfsa_iter_snapshots(zhp, dependent_cb, &d);
		zfs_close(zhp);
	}
	snprintf(buf, sz, "%s", d.clone);
	return (BE_OK);
}

/*
 * Another BE cloned from this one would lose its origin; promoting it
 * moves the shared snapshots over to it.  Each promotion changes which
 * snapshots are left here, so look again after each.
 */
static be_error_t
promote_dependents(be_handle_t *h, const char *be, const be_tree_t *tree)
{
	char clone[BE_PATH_MAX];
	zfs_handle_t *zhp;
	be_error_t err;
	int n, rc;

	for (n = 0; n < PROMOTE_MAX; n++) {
		if ((err = find_dependent(h, tree, clone, sizeof (clone))))
			return (err);
		if (clone[0] == '\0')
			return (BE_OK);
		if ((zhp = zfsa_open(h->lzh, clone, ZFS_TYPE_FILESYSTEM)) ==
		    NULL)
			return (be_set_zfs_error(h, "cannot open %s", clone));
		rc = zfs_promote(zhp);
		zfs_close(zhp);
		if (rc != 0)
			return (be_set_zfs_error(h, "cannot destroy '%s': "
			    "promoting its clone %s failed (nothing was "
			    "destroyed)", be, clone));
	}
	return (be_set_error(h, BE_ERR_ZFS, "cannot destroy '%s': more than "
	    "%d clones depend on it", be, PROMOTE_MAX));
}

static int
all_snaps_cb(zfs_handle_t *snap, void *arg)
{
	int rc = nvlist_add_boolean(arg, zfs_get_name(snap));

	zfs_close(snap);
	return (rc);
}

/*
 * Without channel programs: all snapshots in one transaction, then the
 * datasets one by one.  A program stopped by its limits may have destroyed
 * some of them already; those are skipped.
 */
static be_error_t
destroy_datasets_libzfs(be_handle_t *h, const be_tree_t *tree)
{
	nvlist_t *snaps;
	zfs_handle_t *zhp;
	size_t i;
	be_error_t err = BE_OK;

	if (nvlist_alloc(&snaps, NV_UNIQUE_NAME, 0) != 0)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (i = 0; i < tree->count && err == BE_OK; i++) {
		if (!zfsa_exists(h->lzh, tree->names[i], ZFS_TYPE_FILESYSTEM))
			continue;
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL) {
			err = be_set_zfs_error(h, "cannot open %s",
			    tree->names[i]);
			break;
		}
		if (zfsa_iter_snapshots(zhp, all_snaps_cb, snaps) != 0)
			err = be_set_error(h, BE_ERR_NOMEM, "out of memory");
		zfs_close(zhp);
	}
	/* All snapshots in one transaction: they go together or stay. */
	if (err == BE_OK && !nvlist_empty(snaps) &&
	    zfs_destroy_snaps_nvl(h->lzh, snaps, B_FALSE) != 0)
		err = be_set_zfs_error(h, "cannot destroy the snapshots of %s",
		    tree->names[0]);
	nvlist_free(snaps);
	for (i = tree->count; err == BE_OK && i-- > 0; ) {
		if (!zfsa_exists(h->lzh, tree->names[i], ZFS_TYPE_FILESYSTEM))
			continue;
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL ||
		    zfs_destroy(zhp, B_FALSE) != 0)
			err = be_set_zfs_error(h, "cannot destroy %s",
			    tree->names[i]);
		if (zhp != NULL)
			zfs_close(zhp);
	}
	return (err);
}

/* Why the channel program stopped, in words. */
static be_error_t
destroy_failed(be_handle_t *h, const char *be, const be_zcp_result_t *res)
{
	char done[96] = "nothing was destroyed";

	if (res->done > 0)
		snprintf(done, sizeof (done), "%d of its snapshots and "
		    "datasets were destroyed already", res->done);
	if (res->foreign)
		return (be_set_error(h, BE_ERR_BUSY, "cannot destroy '%s': %s "
		    "lies inside it but is not one of its file systems; "
		    "destroy or move it first (%s)", be, res->name, done));
	if (res->hold[0] != '\0')
		return (be_set_error(h, BE_ERR_BUSY, "cannot destroy '%s': "
		    "snapshot %s is held (tag '%s'); release it (zfs release "
		    "%s %s) first (%s)", be, res->name, res->hold, res->hold,
		    res->name, done));
	if (res->error == EEXIST && strchr(res->name, '@') != NULL)
		return (be_set_error(h, BE_ERR_REFUSED, "cannot destroy '%s': "
		    "snapshot %s has clones; destroy them first (%s)", be,
		    res->name, done));
	return (be_set_error(h, res->error == EBUSY ? BE_ERR_BUSY :
	    BE_ERR_ZFS, "cannot destroy '%s': %s: %s (%s)", be, res->name,
	    res->error == EBUSY ? "it is busy" : strerror(res->error), done));
}

/* Every snapshot and dataset of the BE, in one transaction group. */
static be_error_t
destroy_datasets(be_handle_t *h, const char *be, const be_tree_t *tree)
{
	be_zcp_result_t res;
	be_error_t err;

	if ((err = be_zcp_destroy(h, be, tree, &res)) != BE_OK)
		return (err);
	if (!res.ran)
		return (destroy_datasets_libzfs(h, tree));
	if (res.error != 0)
		return (destroy_failed(h, be, &res));
	return (BE_OK);
}

/* Is every clone of this snapshot part of the BE being destroyed? */
static bool
only_ours(zfs_handle_t *snap, const be_tree_t *tree)
{
	nvlist_t *clones = zfs_get_clones_nvl(snap);
	nvpair_t *pair = NULL;

	while (clones != NULL && (pair = nvlist_next_nvpair(clones, pair)))
		if (!in_tree(tree, nvpair_name(pair)))
			return (false);
	return (true);
}

/*
 * The origin snapshots to remove once the BE is gone: beadm's own (marked
 * beadm:auto), or any with BE_DESTROY_ORIGIN, unless another dataset
 * was cloned from them too.
 */
static be_error_t
origins_to_destroy(be_handle_t *h, const be_tree_t *tree, int flags,
    nvlist_t *out)
{
	char origin[BE_PATH_MAX];
	zfs_handle_t *zhp, *snap;
	bool take;
	size_t i;

	for (i = 0; i < tree->count; i++) {
		if ((zhp = zfsa_open(h->lzh, tree->names[i],
		    ZFS_TYPE_FILESYSTEM)) == NULL)
			return (be_set_zfs_error(h, "cannot open %s",
			    tree->names[i]));
		if (!zfsa_prop_string(zhp, ZFS_PROP_ORIGIN, origin,
		    sizeof (origin)) || origin[0] == '\0' ||
		    strcmp(origin, "-") == 0 ||
		    (snap = zfsa_open(h->lzh, origin, ZFS_TYPE_SNAPSHOT)) ==
		    NULL) {
			zfs_close(zhp);
			continue;
		}
		take = (flags & BE_DESTROY_ORIGIN) ||
		    be_tree_snapshot_is_auto(snap);
		if (take && only_ours(snap, tree) &&
		    nvlist_add_boolean(out, origin) != 0) {
			zfs_close(snap);
			zfs_close(zhp);
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
		}
		zfs_close(snap);
		zfs_close(zhp);
	}
	return (BE_OK);
}

/* The datasets stayed: give the BE its boot entries back, keeping the
 * message that says why the destroy failed. */
static void
restore_entries(be_handle_t *h, const char *be)
{
	struct be_saved_error why;
	bool gone;

	be_error_save(h, &why);
	gone = be_boot_create(h, be) != BE_OK;
	(void) be_error_restore(h, &why);
	if (gone)
		be_error_append(h, "; its boot entries are gone too: 'beadm "
		    "refresh %s' writes them again", be);
}

static be_error_t
destroy_tree(be_handle_t *h, const char *be, const be_tree_t *tree,
    int flags)
{
	nvlist_t *origins = NULL;
	be_error_t err;

	if ((err = refuse_mounted(h, be, tree)) != BE_OK &&
	    !(flags & BE_DESTROY_FORCE))
		return (err);
	if ((err = refuse_foreign_mounts(h, be, tree)) != BE_OK)
		return (err);
	/* Unmount first: when that fails, nothing else has changed. */
	if ((err = unmount_all(h, tree)) != BE_OK ||
	    (err = promote_dependents(h, be, tree)) != BE_OK)
		return (err);
	if (nvlist_alloc(&origins, NV_UNIQUE_NAME, 0) != 0)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	if ((err = origins_to_destroy(h, tree, flags, origins)) != BE_OK ||
	    (err = be_boot_prepare(h, be, NULL)) != BE_OK)
		goto out;
	if ((err = be_boot_destroy(h, be)) != BE_OK) {
		be_boot_cancel(h);
		goto out;
	}
	if ((err = destroy_datasets(h, be, tree)) != BE_OK) {
		restore_entries(h, be);
		goto out;
	}
	if (!nvlist_empty(origins) &&
	    zfs_destroy_snaps_nvl(h->lzh, origins, B_FALSE) != 0)
		err = be_set_zfs_error(h, "boot environment '%s' was destroyed, "
		    "but its origin snapshot could not be", be);
out:
	nvlist_free(origins);
	return (err);
}

static be_error_t
destroy_be(be_handle_t *h, const char *be, int flags)
{
	char dataset[BE_PATH_MAX];
	be_tree_t tree = { 0 };
	be_error_t err;

	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = refuse_needed(h, be, dataset)) == BE_OK &&
	    (err = be_tree_collect(h, dataset, NULL, &tree)) == BE_OK)
		err = destroy_tree(h, be, &tree, flags);
	be_tree_free(&tree);
	be_unlock(h);
	return (err);
}

static int
destroy_cb(zfs_handle_t *zhp, void *arg)
{
	int rc = zfs_destroy(zhp, B_FALSE);

	(void) arg;
	zfs_close(zhp);
	return (rc);
}

int
be_zfs_destroy_all(zfs_handle_t *zhp)
{
	/* Dependents come deepest first: snapshots and children, then it. */
	int rc = zfsa_iter_dependents(zhp, destroy_cb, NULL);

	return (rc == 0 ? zfs_destroy(zhp, B_FALSE) : rc);
}

be_error_t
be_destroy_half_made(be_handle_t *h, const char *be)
{
	char dataset[BE_PATH_MAX];
	be_tree_t tree = { 0 };
	be_error_t err;

	/* Never the running BE or the one that boots next, whatever the
	 * mark says. */
	if ((err = be_dataset_of(h, be, dataset, sizeof (dataset))) == BE_OK &&
	    (err = refuse_needed(h, be, dataset)) == BE_OK &&
	    (err = be_tree_collect(h, dataset, NULL, &tree)) == BE_OK) {
		test_crash_point();
		err = destroy_tree(h, be, &tree, BE_DESTROY_FORCE);
	}
	be_tree_free(&tree);
	return (err);
}

be_error_t
be_destroy(be_handle_t *h, const char *arg, int flags)
{
	char be[BE_NAME_MAX + 2], snap[BE_NAME_MAX + 2];
	be_error_t err;

	if (!be_split_snapshot(arg, be, sizeof (be), snap, sizeof (snap)))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid name '%s': "
		    "the name is too long", arg));
	err = strchr(arg, '@') != NULL ? destroy_snapshot(h, arg, be, snap) :
	    destroy_be(h, be, flags);
	return (err == BE_OK ? be_ok(h) : err);
}
