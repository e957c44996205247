/*
 * be_tree.c - a BE's datasets, and snapshots of all of them at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "be_tree.h"

struct collect {
	be_handle_t *h;
	be_tree_t *tree;
	const char *snap;
	size_t cap;
	be_error_t err;
};

static bool
has_snapshot(be_handle_t *h, const char *dataset, const char *snap)
{
	char name[BE_PATH_MAX];

	if ((size_t)snprintf(name, sizeof (name), "%s@%s", dataset, snap) >=
	    sizeof (name))
		return (false);
	return (zfsa_exists(h->lzh, name, ZFS_TYPE_SNAPSHOT));
}

static int
collect_cb(zfs_handle_t *zhp, void *arg)
{
	struct collect *c = arg;
	const char *name = zfs_get_name(zhp);
	int rc = 0;

	if (zfs_get_type(zhp) != ZFS_TYPE_FILESYSTEM ||
	    (c->snap != NULL && !has_snapshot(c->h, name, c->snap))) {
		/* Volumes are not part of a BE; a dataset without the
		 * snapshot takes its subtree out of the clone. */
		zfs_close(zhp);
		return (0);
	}
	if (c->tree->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		void *p = realloc(c->tree->names, cap * BE_PATH_MAX);

		if (p == NULL) {
			zfs_close(zhp);
			c->err = be_set_error(c->h, BE_ERR_NOMEM, "out of memory "
			    "listing the datasets of %s", name);
			return (-1);
		}
		c->tree->names = p;
		c->cap = cap;
	}
	snprintf(c->tree->names[c->tree->count++], BE_PATH_MAX, "%s", name);
	rc = zfsa_iter_filesystems(zhp, collect_cb, c);
	zfs_close(zhp);
	return (rc);
}

be_error_t
be_tree_collect(be_handle_t *h, const char *top, const char *snap,
    be_tree_t *tree)
{
	struct collect c = { .h = h, .tree = tree, .snap = snap };
	zfs_handle_t *zhp;

	tree->count = 0;
	tree->names = NULL;
	if ((zhp = zfsa_open(h->lzh, top, ZFS_TYPE_FILESYSTEM)) == NULL)
		return (be_set_zfs_error(h, "cannot open %s", top));
	/* collect_cb closes the handle. */
	if (collect_cb(zhp, &c) != 0 && c.err == BE_OK)
		c.err = be_set_zfs_error(h, "cannot list the datasets below %s",
		    top);
	if (c.err != BE_OK) {
		be_tree_free(tree);
		return (c.err);
	}
	if (tree->count == 0)
		return (be_set_error(h, BE_ERR_NOENT, "snapshot %s@%s does not "
		    "exist", top, snap));
	return (BE_OK);
}

void
be_tree_free(be_tree_t *tree)
{
	free(tree->names);
	tree->names = NULL;
	tree->count = 0;
}

const char *
be_tree_suffix(const be_tree_t *tree, size_t i)
{
	return (tree->names[i] + strlen(tree->names[0]));
}

bool
be_tree_is_running(const be_handle_t *h, const char *dataset)
{
	return (h->running[0] != '\0' && be_path_within(h->running, dataset));
}

/* Map an errno from libzfs_core to the error codes of be.h. */
static be_error_t
errno_code(int e)
{
	switch (e) {
	case ENOENT:
		return (BE_ERR_NOENT);
	case EEXIST:
		return (BE_ERR_EXISTS);
	case EBUSY:
		return (BE_ERR_BUSY);
	case EPERM:
	case EACCES:
	case EROFS:
		return (BE_ERR_PERM);
	case ENOSPC:
	case EDQUOT:
		return (BE_ERR_NOSPACE);
	case ENOMEM:
		return (BE_ERR_NOMEM);
	default:
		return (BE_ERR_ZFS);
	}
}

static be_error_t
snaplist(be_handle_t *h, const be_tree_t *tree, const char *snap,
    nvlist_t **out)
{
	char name[BE_PATH_MAX];
	size_t i;

	if (nvlist_alloc(out, NV_UNIQUE_NAME, 0) != 0)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (i = 0; i < tree->count; i++) {
		if ((size_t)snprintf(name, sizeof (name), "%s@%s",
		    tree->names[i], snap) >= sizeof (name) ||
		    strlen(name) >= ZFS_MAX_DATASET_NAME_LEN) {
			nvlist_free(*out);
			return (be_set_error(h, BE_ERR_BADNAME, "snapshot name "
			    "%s@%s is too long", tree->names[i], snap));
		}
		if (nvlist_add_boolean(*out, name) != 0) {
			nvlist_free(*out);
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
		}
	}
	return (BE_OK);
}

/* One lzc_snapshot call: all snapshots appear together or none does. */
static int
snapshot_once(be_handle_t *h, const be_tree_t *tree, const char *snap,
    nvlist_t *props, be_error_t *err)
{
	nvlist_t *snaps, *errors = NULL;
	int rc;

	if ((*err = snaplist(h, tree, snap, &snaps)) != BE_OK)
		return (-1);
	rc = lzc_snapshot(snaps, props, &errors);
	nvlist_free(snaps);
	nvlist_free(errors);
	return (rc);
}

be_error_t
be_tree_snapshot(be_handle_t *h, const be_tree_t *tree, char *snap,
    size_t snapsz, bool automatic)
{
	nvlist_t *props = NULL;
	be_error_t err;

	if (automatic && (nvlist_alloc(&props, NV_UNIQUE_NAME, 0) != 0 ||
	    nvlist_add_string(props, BE_PROP_AUTO_SNAPSHOT, "yes") != 0)) {
		nvlist_free(props);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	err = be_tree_snapshot_props(h, tree, snap, snapsz, props);
	nvlist_free(props);
	return (err);
}

be_error_t
be_tree_snapshot_props(be_handle_t *h, const be_tree_t *tree, char *snap,
    size_t snapsz, nvlist_t *props)
{
	struct timespec now;
	bool pick = snap[0] == '\0';
	be_error_t err = BE_OK;
	int rc, tries;

	clock_gettime(CLOCK_REALTIME, &now);
	for (tries = 0; ; tries++) {
		if (pick)
			be_auto_snapname(snap, snapsz, &now);
		rc = snapshot_once(h, tree, snap, props, &err);
		/* Another beadm (or a user) took this name in the same
		 * microsecond: a made-up name may move on. */
		if (rc != EEXIST || !pick || tries >= 1000)
			break;
		if ((now.tv_nsec += 1000) >= 1000000000L) {
			now.tv_nsec -= 1000000000L;
			now.tv_sec++;
		}
	}
	if (err != BE_OK)
		return (err);
	if (rc == EEXIST)
		return (be_set_error(h, BE_ERR_EXISTS, "cannot snapshot %s: "
		    "snapshot @%s exists already on it or one of its datasets; "
		    "choose another name", tree->names[0], snap));
	if (rc != 0)
		return (be_set_error(h, errno_code(rc), "cannot snapshot %s@%s "
		    "and its datasets: %s", tree->names[0], snap,
		    strerror(rc)));
	return (BE_OK);
}

bool
be_tree_snapshot_is_auto(zfs_handle_t *snap)
{
	char mark[8];

	return (zfsa_user_prop(snap, BE_PROP_AUTO_SNAPSHOT, mark,
	    sizeof (mark)) && strcmp(mark, "yes") == 0);
}

be_error_t
be_tree_destroy_snapshots(be_handle_t *h, const be_tree_t *tree,
    const char *snap)
{
	nvlist_t *snaps;
	be_error_t err;

	if ((err = snaplist(h, tree, snap, &snaps)) != BE_OK)
		return (err);
	if (zfs_destroy_snaps_nvl(h->lzh, snaps, B_FALSE) != 0)
		err = be_set_zfs_error(h, "cannot destroy snapshot %s@%s",
		    tree->names[0], snap);
	nvlist_free(snaps);
	return (err);
}
