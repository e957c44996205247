/*
 * be_making.c - a BE in the making, and what an interrupted one leaves.
 *
 * create, install and import make a BE in several ZFS steps (a snapshot,
 * one clone per dataset, a receive, a file system filled by debootstrap).
 * Killed between them, they would leave a BE with some of its datasets, or
 * an empty one, that the next run lists and activates.  So, holding the
 * pool lock, they first write on the BE root what they are making
 * (beadm:making = "NAME" or "NAME DATASET@SNAP", the snapshot taken for
 * the clones), and clear it once the BE is whole, before its boot entries
 * are written.  While it is set, the BE is not listed and no command takes
 * it.  The next beadm that finds it set and the pool lock free (opening
 * the BE root) removes what was made: the BE with its entries and the
 * snapshot, then the mark.  Each step can be done again, so a run killed
 * while removing is finished by the next one.
 */
#include <stdio.h>
#include <string.h>

#include "be_tree.h"
#include "test_seam.h"

/* "NAME" or "NAME DATASET@SNAP" -> its parts; false if it is not one. */
static bool
parse(const char *root, const char *mark, char *be, size_t besz,
    char *snap, size_t snapsz)
{
	const char *sp = strchr(mark, ' ');
	size_t len = sp != NULL ? (size_t)(sp - mark) : strlen(mark);
	size_t rootlen = strlen(root);

	if (len == 0 || len >= besz)
		return (false);
	memcpy(be, mark, len);
	be[len] = '\0';
	if (!be_name_valid(be, NULL))
		return (false);
	snap[0] = '\0';
	if (sp == NULL)
		return (true);
	/* Only a snapshot of a BE below this root is ever removed. */
	if (strlen(sp + 1) >= snapsz || strncmp(sp + 1, root, rootlen) != 0 ||
	    sp[1 + rootlen] != '/' || strchr(sp + 1, '@') == NULL ||
	    strchr(sp + 1, ' ') != NULL)
		return (false);
	snprintf(snap, snapsz, "%s", sp + 1);
	return (true);
}

static be_error_t
set_mark(be_handle_t *h, const char *value)
{
	zfs_handle_t *root = zfsa_open(h->lzh, h->root, ZFS_TYPE_FILESYSTEM);
	int rc;

	if (root == NULL)
		return (be_set_zfs_error(h, "cannot open %s", h->root));
	test_crash_point();
	rc = value != NULL ? zfsa_set_prop(root, BE_PROP_MAKING, value) :
	    zfs_prop_inherit(root, BE_PROP_MAKING, B_FALSE);
	zfs_close(root);
	if (rc != 0)
		return (be_set_zfs_error(h, "cannot %s %s on %s", value != NULL ?
		    "set" : "clear", BE_PROP_MAKING, h->root));
	return (BE_OK);
}

be_error_t
be_making_begin(be_handle_t *h, const char *be, const char *snapshot)
{
	char value[2 * BE_PATH_MAX];

	if ((size_t)snprintf(value, sizeof (value), "%s%s%s", be,
	    snapshot != NULL ? " " : "", snapshot != NULL ? snapshot : "") >=
	    sizeof (value))
		return (be_set_error(h, BE_ERR_BADNAME, "the name of the "
		    "snapshot for '%s' is too long", be));
	snprintf(h->making, sizeof (h->making), "%s", be);
	return (set_mark(h, value));
}

be_error_t
be_making_end(be_handle_t *h)
{
	be_error_t err = set_mark(h, NULL);

	if (err == BE_OK)
		h->making[0] = '\0';
	return (err);
}

bool
be_making_of(zfs_handle_t *root, char *be, size_t sz)
{
	char mark[ZFSA_USER_PROP_MAX], snap[BE_PATH_MAX];

	be[0] = '\0';
	if (!zfsa_user_prop(root, BE_PROP_MAKING, mark, sizeof (mark)))
		return (false);
	if (!parse(zfs_get_name(root), mark, be, sz, snap, sizeof (snap))) {
		/* Not ours to read: hide nothing, remove nothing. */
		be[0] = '\0';
		return (false);
	}
	return (true);
}

bool
be_making_elsewhere(be_handle_t *h, const char *be)
{
	return (strcmp(h->marked, be) == 0 && strcmp(h->making, be) != 0);
}

/* The snapshots @SNAP of DATASET and its descendants that beadm took
 * (beadm:auto) and nothing is cloned from, destroyed together. */
static be_error_t
remove_snapshot(be_handle_t *h, const char *full)
{
	char ds[BE_PATH_MAX], name[BE_PATH_MAX];
	const char *at = strchr(full, '@');
	be_tree_t tree = { 0 };
	nvlist_t *snaps = NULL;
	zfs_handle_t *snap;
	be_error_t err;
	size_t i;

	snprintf(ds, sizeof (ds), "%.*s", (int)(at - full), full);
	if (!zfsa_exists(h->lzh, ds, ZFS_TYPE_FILESYSTEM))
		return (BE_OK);
	/* Every dataset of the source: the BE's removal took the snapshots
	 * of those it had cloned (the top one among them), not the rest. */
	if ((err = be_tree_collect(h, ds, NULL, &tree)) != BE_OK)
		return (err);
	if (nvlist_alloc(&snaps, NV_UNIQUE_NAME, 0) != 0) {
		be_tree_free(&tree);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	for (i = 0; i < tree.count; i++) {
		snprintf(name, sizeof (name), "%s%s", tree.names[i], at);
		if ((snap = zfsa_open(h->lzh, name, ZFS_TYPE_SNAPSHOT)) == NULL)
			continue;
		if (be_tree_snapshot_is_auto(snap) &&
		    zfs_prop_get_int(snap, ZFS_PROP_NUMCLONES) == 0)
			(void) nvlist_add_boolean(snaps, name);
		zfs_close(snap);
	}
	if (!nvlist_empty(snaps)) {
		test_crash_point();
		if (zfs_destroy_snaps_nvl(h->lzh, snaps, B_FALSE) != 0)
			err = be_set_zfs_error(h, "cannot destroy %s", full);
	}
	nvlist_free(snaps);
	be_tree_free(&tree);
	return (err);
}

/* A volume an import received and had not yet refused. */
static be_error_t
remove_volume(be_handle_t *h, const char *ds)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, ds, ZFS_TYPE_VOLUME);
	int rc;

	if (zhp == NULL)
		return (BE_OK);
	test_crash_point();
	rc = be_zfs_destroy_all(zhp);
	zfs_close(zhp);
	return (rc == 0 ? BE_OK : be_set_zfs_error(h, "cannot destroy %s",
	    ds));
}

void
be_making_sweep(be_handle_t *h, const char *mark)
{
	char be[BE_NAME_MAX + 1], snap[BE_PATH_MAX], ds[BE_PATH_MAX];
	struct be_saved_error saved;
	be_error_t err;

	if (!parse(h->root, mark, be, sizeof (be), snap, sizeof (snap)))
		return;
	/* Until removed, it is another run's (be_making_elsewhere). */
	snprintf(h->marked, sizeof (h->marked), "%s", be);
	be_error_save(h, &saved);
	/* Held by another beadm: it is still making the BE. */
	if (be_trylock(h) != BE_OK) {
		(void) be_error_restore(h, &saved);
		return;
	}
	/* From here on the BE is this run's to remove: what finishes an
	 * interrupted change of the ESPs first may read it. */
	snprintf(h->making, sizeof (h->making), "%s", be);
	err = be_dataset_of(h, be, ds, sizeof (ds));
	if (err == BE_OK && zfsa_exists(h->lzh, ds, ZFS_TYPE_FILESYSTEM))
		err = be_destroy_half_made(h, be);
	else if (err == BE_OK)
		err = remove_volume(h, ds);
	if (err == BE_OK && snap[0] != '\0')
		err = remove_snapshot(h, snap);
	if (err == BE_OK && be_making_end(h) == BE_OK)
		h->marked[0] = '\0';
	h->making[0] = '\0';
	be_unlock(h);
	/* What is left stays marked for the next run; check reports it. */
	(void) be_error_restore(h, &saved);
}
