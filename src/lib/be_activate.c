/*
 * be_activate.c - making a BE the one that boots.
 *
 * Activation is done in an order that leaves a bootable, consistent pool if
 * it is interrupted at any point: first the BE's canmount values are made
 * safe, then the BE and its descendants are promoted (so that the BE no
 * longer depends on the BE it was cloned from, which can then be destroyed),
 * and only last does the boot loader change.  Each step is idempotent, so
 * running activate again completes an interrupted one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "be_impl.h"
#include "be_tree.h"

/* A promotion chain longer than this is not one beadm made. */
#define PROMOTE_MAX	64

static be_error_t
set_canmount(be_handle_t *h, zfs_handle_t *zhp, const char *value)
{
	if (zfs_prop_set(zhp, "canmount", value) != 0)
		return (be_set_zfs_error(h, "cannot set canmount=%s on %s",
		    value, zfs_get_name(zhp)));
	return (BE_OK);
}

/*
 * A BE dataset is mounted only when booted or by `beadm mount`, never by
 * `zfs mount -a` (which would mount an inactive BE over the running one);
 * the same holds for its descendants that are canmount=on.  Containers
 * that are canmount=off keep that value: vermaden's beadm turned them on
 * and the system no longer booted (the seed article's bug).
 */
static be_error_t
settle_one(be_handle_t *h, const char *name, bool top)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, name, ZFS_TYPE_FILESYSTEM);
	be_error_t err = BE_OK;
	uint64_t canmount;

	if (zhp == NULL)
		return (be_set_zfs_error(h, "cannot open %s", name));
	canmount = zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT);
	if (top ? canmount != ZFS_CANMOUNT_NOAUTO : canmount == ZFS_CANMOUNT_ON)
		err = set_canmount(h, zhp, "noauto");
	zfs_close(zhp);
	return (err);
}

/* Every canmount=on dataset of the tree at dataset to noauto; with be_top,
 * the top dataset to noauto whatever it was. */
static be_error_t
settle_tree(be_handle_t *h, const char *dataset, bool be_top)
{
	be_tree_t t;
	be_error_t err;
	size_t i;

	if ((err = be_tree_collect(h, dataset, NULL, &t)) != BE_OK)
		return (err);
	for (i = 0; i < t.count && err == BE_OK; i++)
		err = settle_one(h, t.names[i], be_top && i == 0);
	be_tree_free(&t);
	return (err);
}

be_error_t
be_settle_canmount(be_handle_t *h, const char *dataset)
{
	return (settle_tree(h, dataset, true));
}

struct settle_all {
	be_handle_t *h;
	be_error_t err;
};

static int settle_below_cb(zfs_handle_t *, void *);

/*
 * Settle zhp and everything below it, with the handles the listing gives:
 * they carry each dataset's properties, so reading canmount costs nothing
 * and only a dataset whose canmount is wrong costs a change.  top: zhp is
 * a BE's own dataset.
 */
static int
settle_walk(zfs_handle_t *zhp, struct settle_all *sa, bool top)
{
	uint64_t canmount = zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT);
	int rc;

	if (top ? canmount != ZFS_CANMOUNT_NOAUTO :
	    canmount == ZFS_CANMOUNT_ON)
		sa->err = set_canmount(sa->h, zhp, "noauto");
	if (sa->err != BE_OK)
		return (-1);
	rc = zfsa_iter_filesystems(zhp, settle_below_cb, sa);
	if (rc != 0 && sa->err == BE_OK)
		sa->err = be_set_zfs_error(sa->h, "cannot list the datasets "
		    "below %s", zfs_get_name(zhp));
	return (sa->err == BE_OK ? 0 : -1);
}

/* A dataset below a child of the BE root (volumes are no part of a BE). */
static int
settle_below_cb(zfs_handle_t *zhp, void *arg)
{
	int rc = 0;

	if (zfs_get_type(zhp) == ZFS_TYPE_FILESYSTEM)
		rc = settle_walk(zhp, arg, false);
	zfs_close(zhp);
	return (rc);
}

/*
 * A child of the BE root.  One whose name beadm does not take for a BE's
 * is not a BE, but `zfs mount -a` mounts it all the same at the boot of
 * every BE (over its / when it has mountpoint=/, as an installer's BE
 * does): its canmount=on datasets become noauto too, and check names it.
 */
static int
settle_child_cb(zfs_handle_t *zhp, void *arg)
{
	int rc = 0;

	if (zfs_get_type(zhp) == ZFS_TYPE_FILESYSTEM)
		rc = settle_walk(zhp, arg,
		    be_dataset_is_be(zfs_get_name(zhp)));
	zfs_close(zhp);
	return (rc);
}

/*
 * Every BE, not only the one that boots next: the BE an installer made is
 * canmount=on, and `zfs mount -a` at the boot of any other BE mounts it
 * over / (and hides the booted BE's /proc and /run with it).  One listing
 * of the BE root, whatever the number of BEs.
 */
be_error_t
be_settle_all_canmount(be_handle_t *h)
{
	struct settle_all sa = { .h = h, .err = BE_OK };
	zfs_handle_t *root;
	int rc;

	if ((root = zfsa_open(h->lzh, h->root, ZFS_TYPE_FILESYSTEM)) == NULL)
		return (be_set_zfs_error(h, "cannot open %s", h->root));
	rc = zfsa_iter_filesystems(root, settle_child_cb, &sa);
	zfs_close(root);
	if (sa.err != BE_OK)
		return (sa.err);
	if (rc != 0)
		return (be_set_zfs_error(h, "cannot list the boot "
		    "environments below %s", h->root));
	return (BE_OK);
}

/*
 * The origin of zhp when it is a snapshot of a dataset below the BE root.
 * Origins outside the root belong to someone else; promoting past them
 * would rearrange datasets beadm does not manage.
 */
static bool
origin_in_root(be_handle_t *h, zfs_handle_t *zhp, char *origin, size_t sz)
{
	size_t len = strlen(h->root);

	if (!zfsa_prop_string(zhp, ZFS_PROP_ORIGIN, origin, sz) ||
	    origin[0] == '\0' || strcmp(origin, "-") == 0)
		return (false);
	return (strncmp(origin, h->root, len) == 0 && origin[len] == '/');
}

/*
 * Promotion moves the origin's snapshots up to the origin snapshot onto the
 * clone, and fails when the clone has a snapshot of the same name.  Find
 * such a clash along the whole chain before promoting anything, so that a
 * refused activation changes nothing.
 */
struct clash {
	be_handle_t *h;
	const char *dataset;	/* the clone being promoted */
	char (*names)[BE_PATH_MAX];	/* its snapshots' short names */
	size_t count, cap;
	uint64_t upto;		/* the origin snapshot's createtxg */
	be_error_t err;
};

static bool
clash_has(const struct clash *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (strcmp(c->names[i], name) == 0)
			return (true);
	return (false);
}

static int
clash_add(struct clash *c, const char *name)
{
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		void *p = realloc(c->names, cap * BE_PATH_MAX);

		if (p == NULL) {
			c->err = be_set_error(c->h, BE_ERR_NOMEM, "out of "
			    "memory checking the snapshots of %s", c->dataset);
			return (-1);
		}
		c->names = p;
		c->cap = cap;
	}
	snprintf(c->names[c->count++], BE_PATH_MAX, "%s", name);
	return (0);
}

static int
own_snapshot_cb(zfs_handle_t *zhp, void *arg)
{
	struct clash *c = arg;
	int rc = clash_add(c, strchr(zfs_get_name(zhp), '@') + 1);

	zfs_close(zhp);
	return (rc);
}

static int
moving_snapshot_cb(zfs_handle_t *zhp, void *arg)
{
	struct clash *c = arg;
	const char *name = strchr(zfs_get_name(zhp), '@') + 1;
	int rc = 0;

	if (zfs_prop_get_int(zhp, ZFS_PROP_CREATETXG) <= c->upto) {
		if (clash_has(c, name)) {
			c->err = be_set_error(c->h, BE_ERR_EXISTS, "cannot "
			    "promote %s: that would move the snapshot %s onto "
			    "it, and it has a snapshot named '%s' already; "
			    "rename one of them (zfs rename), then activate "
			    "again", c->dataset, zfs_get_name(zhp), name);
			rc = -1;
		} else {
			rc = clash_add(c, name);
		}
	}
	zfs_close(zhp);
	return (rc);
}

/* Walk the origins of dataset within the root, as promotion would. */
static be_error_t
check_clashes(be_handle_t *h, const char *dataset)
{
	struct clash c = { .h = h, .dataset = dataset, .err = BE_OK };
	char origin[BE_PATH_MAX];
	zfs_handle_t *zhp, *snap;
	int i;

	if ((zhp = zfsa_open(h->lzh, dataset, ZFS_TYPE_FILESYSTEM)) == NULL)
		return (be_set_zfs_error(h, "cannot open %s", dataset));
	(void) zfsa_iter_snapshots(zhp, own_snapshot_cb, &c);
	for (i = 0; i < PROMOTE_MAX && c.err == BE_OK &&
	    origin_in_root(h, zhp, origin, sizeof (origin)); i++) {
		zfs_close(zhp);
		zhp = NULL;
		if ((snap = zfsa_open(h->lzh, origin, ZFS_TYPE_SNAPSHOT)) ==
		    NULL)
			break;	/* promotion itself will say what is wrong */
		c.upto = zfs_prop_get_int(snap, ZFS_PROP_CREATETXG);
		zfs_close(snap);
		*strchr(origin, '@') = '\0';
		if ((zhp = zfsa_open(h->lzh, origin, ZFS_TYPE_FILESYSTEM)) ==
		    NULL)
			break;
		(void) zfsa_iter_snapshots(zhp, moving_snapshot_cb, &c);
	}
	if (zhp != NULL)
		zfs_close(zhp);
	free(c.names);
	return (c.err);
}

/* Promote dataset until it depends on no other BE (bectl's loop). */
static be_error_t
promote_fully(be_handle_t *h, const char *dataset, const char *be)
{
	char origin[BE_PATH_MAX];
	zfs_handle_t *zhp;
	int i, rc;

	for (i = 0; i < PROMOTE_MAX; i++) {
		/* Reopen each time: a promotion changes the origin. */
		zhp = zfsa_open(h->lzh, dataset, ZFS_TYPE_FILESYSTEM);
		if (zhp == NULL)
			return (be_set_zfs_error(h, "cannot open %s", dataset));
		if (!origin_in_root(h, zhp, origin, sizeof (origin))) {
			zfs_close(zhp);
			return (BE_OK);
		}
		rc = zfs_promote(zhp);
		zfs_close(zhp);
		if (rc != 0)
			return (be_set_zfs_error(h, "cannot promote %s (a clone "
			    "of %s), so BE '%s' was not activated", dataset,
			    origin, be));
	}
	return (BE_OK);
}

/* Promote each dataset of the BE; with check, only look for clashes. */
static be_error_t
promote_tree(be_handle_t *h, const char *dataset, const char *be, bool check)
{
	be_tree_t t;
	be_error_t err;
	size_t i;

	if ((err = be_tree_collect(h, dataset, NULL, &t)) != BE_OK)
		return (err);
	for (i = 0; i < t.count && err == BE_OK; i++)
		err = check ? check_clashes(h, t.names[i]) :
		    promote_fully(h, t.names[i], be);
	be_tree_free(&t);
	return (err);
}

static be_error_t
check_flags(be_handle_t *h, int flags)
{
	if ((flags & ~(BE_ACTIVATE_ONCE | BE_ACTIVATE_CANCEL_ONCE)) != 0)
		return (be_set_error(h, BE_ERR_INVALID, "unknown activate "
		    "flags 0x%x", (unsigned)flags));
	if ((flags & BE_ACTIVATE_ONCE) && (flags & BE_ACTIVATE_CANCEL_ONCE))
		return (be_set_error(h, BE_ERR_INVALID, "booting a BE once and "
		    "cancelling a one-time boot exclude each other"));
	return (BE_OK);
}

be_error_t
be_activate(be_handle_t *h, const char *be, int flags)
{
	char dataset[BE_PATH_MAX];
	be_error_t err;

	if ((err = check_flags(h, flags)) != BE_OK)
		return (err);
	/* Cancelling a one-time boot needs no BE: there is one request. */
	if ((flags & BE_ACTIVATE_CANCEL_ONCE) && be == NULL) {
		if ((err = be_lock(h)) != BE_OK)
			return (err);
		err = be_boot_activate_once(h, NULL);
		be_unlock(h);
		return (err == BE_OK ? be_ok(h) : err);
	}
	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	/* Booting once changes nothing on the pool (as bectl -t) but
	 * canmount, without which the BE booted once gets another mounted
	 * over it; that after the loader, which may refuse. */
	if (flags & BE_ACTIVATE_ONCE) {
		if ((err = be_boot_activate_once(h, be)) == BE_OK)
			err = be_settle_all_canmount(h);
		goto out;
	}
	if (flags & BE_ACTIVATE_CANCEL_ONCE) {
		err = be_boot_activate_once(h, NULL);
		goto out;
	}
	/*
	 * Refusals first: nothing changes when a promotion would fail, and
	 * the boot loader (which can refuse: no kernel, no room on an ESP)
	 * goes before the pool, so that bootfs never names a BE the loader
	 * refused.  A loader that boots the BE before it is promoted is fine:
	 * promotion changes which BE depends on which, not what boots.
	 */
	if ((err = promote_tree(h, dataset, be, true)) != BE_OK)
		goto out;
	if ((err = be_settle_all_canmount(h)) != BE_OK)
		goto out;
	if ((err = be_boot_activate_loader(h, be)) != BE_OK)
		goto out;
	if ((err = promote_tree(h, dataset, be, false)) != BE_OK)
		goto out;
	err = be_boot_activate_bootfs(h, be);
out:
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}
