/*
 * be_create.c - a new BE as a clone of a recursive snapshot of another.
 *
 * Everything that can be checked is checked before the first change: the
 * new name, the source, the -o properties.  Then, under the pool lock, a
 * snapshot is taken of the whole source BE in one transaction (unless the
 * caller named one), each dataset is cloned with the properties that were
 * set on its source, and the boot loader is told.  A failure at any step
 * undoes the steps before it, newest first, so no clone or snapshot of a
 * failed create is left behind; a create killed between them is undone by
 * the next beadm (be_making.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "be_tree.h"
#include "test_seam.h"

struct create {
	be_handle_t *h;
	const char *newbe;
	const be_create_opts_t *o;
	char newds[BE_PATH_MAX];	/* rpool/ROOT/newbe */
	char srcds[BE_PATH_MAX];	/* rpool/ROOT/source */
	char snap[BE_NAME_MAX + 2];	/* the snapshot cloned */
	bool took_snapshot;		/* we made it, so undo removes it */
	be_tree_t tree;			/* source datasets that have @snap */
	size_t cloned;			/* clones made so far, in tree order */
	nvlist_t *userprops;		/* -o PROP=VALUE */
	bool whole;			/* clear the making mark at the end */
};

/* ---- checks before anything changes ------------------------------------- */

static be_error_t
parse_props(struct create *c)
{
	be_handle_t *h = c->h;
	const char *const *p;
	const char *eq;
	char name[ZFS_MAXPROPLEN];

	if (nvlist_alloc(&c->userprops, NV_UNIQUE_NAME, 0) != 0)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (p = c->o->props; p != NULL && *p != NULL; p++) {
		eq = strchr(*p, '=');
		if (eq == NULL || eq == *p || (size_t)(eq - *p) >= sizeof (name))
			return (be_set_error(h, BE_ERR_INVALID, "invalid "
			    "property '%s': write it as PROPERTY=VALUE", *p));
		snprintf(name, sizeof (name), "%.*s", (int)(eq - *p), *p);
		/* zfs mount -a would mount such a BE over the running one. */
		if (strcmp(name, "canmount") == 0 && strcmp(eq + 1, "on") == 0)
			return (be_set_error(h, BE_ERR_INVALID, "invalid "
			    "property '%s': a boot environment keeps "
			    "canmount=noauto so that 'zfs mount -a' never "
			    "mounts it over the running one", *p));
		if (nvlist_add_string(c->userprops, name, eq + 1) != 0)
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	return (BE_OK);
}

/* Let libzfs judge -o values now, not halfway through the clones. */
static be_error_t
check_props(struct create *c)
{
	be_handle_t *h = c->h;
	zpool_handle_t *zph;
	nvlist_t *valid;
	char errbuf[1024];
	be_error_t err;

	if (nvlist_empty(c->userprops))
		return (BE_OK);
	if ((zph = zpool_open_canfail(h->lzh, h->pool)) == NULL)
		return (be_set_zfs_error(h, "cannot open pool '%s'", h->pool));
	snprintf(errbuf, sizeof (errbuf), "invalid property for '%s'",
	    c->newbe);
	valid = zfs_valid_proplist(h->lzh, ZFS_TYPE_FILESYSTEM, c->userprops,
	    0, NULL, zph, B_FALSE, errbuf);
	zpool_close(zph);
	if (valid != NULL) {
		nvlist_free(valid);
		return (BE_OK);
	}
	err = be_set_zfs_error(h, "invalid -o property for boot environment "
	    "'%s'", c->newbe);
	/* A bad value is a bad argument, whatever libzfs calls it. */
	return (err == BE_ERR_NOMEM ? err : (h->err = BE_ERR_INVALID));
}

/* The running BE when it lies in our root, else the one that boots. */
static be_error_t
default_source(struct create *c)
{
	be_handle_t *h = c->h;
	size_t len = strlen(h->root);
	char be[BE_PATH_MAX];
	be_error_t err;

	if (strncmp(h->running, h->root, len) == 0 &&
	    h->running[len] == '/' && strchr(h->running + len + 1, '/') == NULL)
		return (be_existing_dataset(h, h->running + len + 1, c->srcds,
		    sizeof (c->srcds)));
	if ((err = be_bootfs(h, be, sizeof (be))) != BE_OK)
		return (err);
	if (be[0] == '\0')
		return (be_set_error(h, BE_ERR_NOENT, "no boot environment to "
		    "clone: the running system is not a boot environment in "
		    "%s and pool '%s' has no bootfs; name the source with "
		    "-e BE or -e BE@SNAPSHOT", h->root, h->pool));
	return (be_existing_dataset(h, be, c->srcds, sizeof (c->srcds)));
}

static be_error_t
resolve_source(struct create *c)
{
	be_handle_t *h = c->h;
	char be[BE_NAME_MAX + 2];
	const char *why;
	be_error_t err;

	c->snap[0] = '\0';
	if (c->o->source == NULL)
		return (default_source(c));
	if (!be_split_snapshot(c->o->source, be, sizeof (be), c->snap,
	    sizeof (c->snap)))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid source '%s': "
		    "the name is too long", c->o->source));
	if ((err = be_existing_dataset(h, be, c->srcds, sizeof (c->srcds))))
		return (err);
	if (strchr(c->o->source, '@') != NULL &&
	    !be_snapname_valid(c->snap, &why))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid snapshot name "
		    "'%s': %s", c->snap, why));
	return (BE_OK);
}

static be_error_t
check_new(struct create *c)
{
	if (zfsa_exists(c->h->lzh, c->newds, ZFS_TYPE_DATASET))
		return (be_set_error(c->h, BE_ERR_EXISTS, "boot environment "
		    "'%s' exists already (dataset %s); choose another name or "
		    "destroy it first", c->newbe, c->newds));
	return (BE_OK);
}

/* ---- the properties of each clone --------------------------------------- */

struct native {
	zfs_handle_t *zhp;
	nvlist_t *nvl;
	int failed;
};

/* Properties a clone must not be given: computed, fixed at creation, or
 * inherited from the origin's encryption. */
static bool
not_copied(zfs_prop_t prop)
{
	switch (prop) {
	case ZFS_PROP_CANMOUNT:		/* decided by canmount_of() */
	case ZFS_PROP_VERSION:
	case ZFS_PROP_ENCRYPTION:
	case ZFS_PROP_KEYLOCATION:
	case ZFS_PROP_KEYFORMAT:
	case ZFS_PROP_PBKDF2_SALT:
	case ZFS_PROP_PBKDF2_ITERS:
	case ZFS_PROP_ENCRYPTION_ROOT:
	case ZFS_PROP_KEY_GUID:
	case ZFS_PROP_KEYSTATUS:
		return (true);
	default:
		return (zfs_prop_readonly(prop) || zfs_prop_setonce(prop));
	}
}

/*
 * zfs_prop_get shows a mountpoint below the pool's altroot; the clone needs
 * the value as stored ("/"), which the raw property list holds.
 */
static bool
raw_mountpoint(zfs_handle_t *zhp, char *buf, size_t sz)
{
	nvlist_t *all = zfs_get_all_props(zhp), *entry;
	const char *value;

	if (all == NULL || nvlist_lookup_nvlist(all,
	    zfs_prop_to_name(ZFS_PROP_MOUNTPOINT), &entry) != 0 ||
	    !zfsa_nvlist_string(entry, ZPROP_VALUE, &value))
		return (false);
	return ((size_t)snprintf(buf, sz, "%s", value) < sz);
}

static int
native_cb(int prop, void *arg)
{
	struct native *n = arg;
	char value[ZFS_MAXPROPLEN], from[ZFS_MAX_DATASET_NAME_LEN];
	zprop_source_t src = ZPROP_SRC_NONE;

	/* Without a buffer for "inherited from", libzfs reports no source. */
	if (not_copied(prop) || zfs_prop_get(n->zhp, prop, value,
	    sizeof (value), &src, from, sizeof (from), B_TRUE) != 0)
		return (ZPROP_CONT);
	if (src != ZPROP_SRC_LOCAL && src != ZPROP_SRC_RECEIVED)
		return (ZPROP_CONT);
	if (prop == ZFS_PROP_MOUNTPOINT &&
	    !raw_mountpoint(n->zhp, value, sizeof (value))) {
		n->failed = 1;
		return (ZPROP_CONT);
	}
	if (nvlist_add_string(n->nvl, zfs_prop_to_name(prop), value) != 0)
		n->failed = 1;
	return (ZPROP_CONT);
}

/* User properties set on this dataset itself (or received), not inherited. */
static int
copy_user_props(zfs_handle_t *zhp, nvlist_t *nvl, bool top)
{
	nvlist_t *user = zfs_get_user_props(zhp), *entry;
	nvpair_t *pair = NULL;
	const char *value, *source;

	while (user != NULL && (pair = nvlist_next_nvpair(user, pair))) {
		if (nvpair_value_nvlist(pair, &entry) != 0 ||
		    !zfsa_nvlist_string(entry, ZPROP_VALUE, &value) ||
		    !zfsa_nvlist_string(entry, ZPROP_SOURCE, &source))
			continue;
		if (strcmp(source, zfs_get_name(zhp)) != 0 &&
		    strcmp(source, ZPROP_SOURCE_VAL_RECVD) != 0)
			continue;
		/* The source's description does not describe the new BE. */
		if (top && strcmp(nvpair_name(pair), BE_PROP_DESCRIPTION) == 0)
			continue;
		/* A BE the user clones from a checkpoint is the user's. */
		if (strcmp(nvpair_name(pair), BE_PROP_MADE_BY) == 0)
			continue;
		if (nvlist_add_string(nvl, nvpair_name(pair), value) != 0)
			return (-1);
	}
	return (0);
}

/*
 * The BE itself is noauto: booted by the loader, mounted by beadm, never by
 * 'zfs mount -a'.  Descendants that were containers (off) stay off, or
 * their children would be mounted over /usr and /var; the others become
 * noauto, so that an inactive BE's /var never hides the running one's.
 */
static const char *
canmount_of(zfs_handle_t *src, bool top)
{
	if (!top && zfs_prop_get_int(src, ZFS_PROP_CANMOUNT) == ZFS_CANMOUNT_OFF)
		return ("off");
	return ("noauto");
}

static int
add_top_props(struct create *c, nvlist_t *nvl)
{
	nvpair_t *pair = NULL;
	const char *value;

	while ((pair = nvlist_next_nvpair(c->userprops, pair)) != NULL)
		if ((value = zfsa_nvpair_string(pair)) == NULL ||
		    nvlist_add_string(nvl, nvpair_name(pair), value) != 0)
			return (-1);
	if (c->o->description != NULL && nvlist_add_string(nvl,
	    BE_PROP_DESCRIPTION, c->o->description) != 0)
		return (-1);
	return (0);
}

static be_error_t
clone_props(struct create *c, size_t i, nvlist_t **out)
{
	be_handle_t *h = c->h;
	struct native n = { .failed = 0 };
	bool top = i == 0;

	if ((n.zhp = zfsa_open(h->lzh, c->tree.names[i],
	    ZFS_TYPE_FILESYSTEM)) == NULL)
		return (be_set_zfs_error(h, "cannot open %s", c->tree.names[i]));
	if (nvlist_alloc(&n.nvl, NV_UNIQUE_NAME, 0) != 0) {
		zfs_close(n.zhp);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	(void) zprop_iter(native_cb, &n, B_FALSE, B_FALSE, ZFS_TYPE_FILESYSTEM);
	if (n.failed || copy_user_props(n.zhp, n.nvl, top) != 0 ||
	    nvlist_add_string(n.nvl, "canmount", canmount_of(n.zhp, top)) ||
	    (top && add_top_props(c, n.nvl) != 0)) {
		zfs_close(n.zhp);
		nvlist_free(n.nvl);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	zfs_close(n.zhp);
	*out = n.nvl;
	return (BE_OK);
}

/* ---- doing it, and undoing it ------------------------------------------- */

static be_error_t
clone_one(struct create *c, size_t i)
{
	be_handle_t *h = c->h;
	char origin[BE_PATH_MAX], target[BE_PATH_MAX];
	zfs_handle_t *snap;
	nvlist_t *props = NULL;
	be_error_t err;
	int rc;

	snprintf(origin, sizeof (origin), "%s@%s", c->tree.names[i], c->snap);
	if ((size_t)snprintf(target, sizeof (target), "%s%s", c->newds,
	    be_tree_suffix(&c->tree, i)) >= sizeof (target))
		return (be_set_error(h, BE_ERR_BADNAME, "cannot clone %s: the "
		    "new dataset's name would be too long", origin));
	if ((err = clone_props(c, i, &props)) != BE_OK)
		return (err);
	if ((snap = zfsa_open(h->lzh, origin, ZFS_TYPE_SNAPSHOT)) == NULL) {
		nvlist_free(props);
		return (be_set_zfs_error(h, "cannot open %s", origin));
	}
	test_crash_point();
	rc = zfs_clone(snap, target, props);
	zfs_close(snap);
	nvlist_free(props);
	if (rc != 0)
		return (be_set_zfs_error(h, "cannot clone %s as %s", origin,
		    target));
	c->cloned++;
	return (BE_OK);
}

/* Remove what this create made, newest first; keep the first error. */
static void
undo(struct create *c)
{
	be_handle_t *h = c->h;
	struct be_saved_error why;
	char target[BE_PATH_MAX];
	zfs_handle_t *zhp;
	bool left = false;

	be_error_save(h, &why);
	while (c->cloned > 0) {
		c->cloned--;
		snprintf(target, sizeof (target), "%s%s", c->newds,
		    be_tree_suffix(&c->tree, c->cloned));
		zhp = zfsa_open(h->lzh, target, ZFS_TYPE_FILESYSTEM);
		if (zhp == NULL || zfs_destroy(zhp, B_FALSE) != 0)
			left = true;
		if (zhp != NULL)
			zfs_close(zhp);
	}
	if (c->took_snapshot && be_tree_destroy_snapshots(h, &c->tree,
	    c->snap) != BE_OK)
		left = true;
	/* What is left stays marked: the next beadm removes it. */
	if (!left)
		(void) be_making_end(h);
	(void) be_error_restore(h, &why);
	be_error_append(h, "%s", left ? "; undoing the create failed too: "
	    "check 'zfs list -t all' for leftovers" : "; nothing was changed");
}

/*
 * Snapshot the source under a name chosen first, so that the making mark
 * names it before it exists: a create killed right after the snapshot
 * leaves nothing the next beadm does not find.  On a collision (another
 * snapshot in the same microsecond) the next microsecond is tried.
 */
static be_error_t
take_snapshot(struct create *c)
{
	be_handle_t *h = c->h;
	char full[2 * BE_PATH_MAX];
	struct timespec now;
	be_error_t err;
	int tries;

	clock_gettime(CLOCK_REALTIME, &now);
	for (tries = 0; ; tries++) {
		be_auto_snapname(c->snap, sizeof (c->snap), &now);
		snprintf(full, sizeof (full), "%s@%s", c->srcds, c->snap);
		if ((err = be_making_begin(h, c->newbe, full)) != BE_OK)
			return (err);
		test_crash_point();
		err = be_tree_snapshot(h, &c->tree, c->snap, sizeof (c->snap),
		    true);
		if (err != BE_ERR_EXISTS || tries >= 1000)
			break;
		if ((now.tv_nsec += 1000) >= 1000000000L) {
			now.tv_nsec -= 1000000000L;
			now.tv_sec++;
		}
	}
	if (err != BE_OK) {
		(void) be_making_end(h);
		return (err);
	}
	c->took_snapshot = true;
	return (BE_OK);
}

static be_error_t
create_clones(struct create *c)
{
	be_handle_t *h = c->h;
	be_error_t err;
	size_t i;

	if ((err = be_tree_collect(h, c->srcds, c->snap[0] ? c->snap : NULL,
	    &c->tree)) != BE_OK)
		return (err);
	if (c->snap[0] == '\0') {
		if ((err = take_snapshot(c)) != BE_OK)
			return (err);
	} else if ((err = be_making_begin(h, c->newbe, NULL)) != BE_OK) {
		return (err);
	}
	for (i = 0; i < c->tree.count; i++)
		if ((err = clone_one(c, i)) != BE_OK)
			goto fail;
	if (c->whole && (err = be_making_end(h)) != BE_OK)
		goto fail;
	if ((err = be_boot_create(h, c->newbe)) != BE_OK)
		goto fail;
	return (BE_OK);
fail:
	undo(c);
	return (err);
}

/* A new BE with nothing in it, for installing a system into. */
static be_error_t
create_empty(struct create *c)
{
	be_handle_t *h = c->h;
	nvlist_t *props = NULL;
	zfs_handle_t *zhp;
	be_error_t err = BE_OK;

	if (nvlist_alloc(&props, NV_UNIQUE_NAME, 0) != 0 ||
	    nvlist_add_string(props, "canmount", "noauto") != 0 ||
	    nvlist_add_string(props, "mountpoint", "/") != 0 ||
	    add_top_props(c, props) != 0) {
		nvlist_free(props);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	if ((err = be_making_begin(h, c->newbe, NULL)) != BE_OK) {
		nvlist_free(props);
		return (err);
	}
	test_crash_point();
	if (zfs_create(h->lzh, c->newds, ZFS_TYPE_FILESYSTEM, props) != 0)
		err = be_set_zfs_error(h, "cannot create %s", c->newds);
	nvlist_free(props);
	if (err == BE_OK && c->whole)
		err = be_making_end(h);
	if (err == BE_OK && (err = be_boot_create(h, c->newbe)) != BE_OK) {
		/* The boot loader cannot boot it: take it back. */
		if ((zhp = zfsa_open(h->lzh, c->newds,
		    ZFS_TYPE_FILESYSTEM)) != NULL) {
			(void) zfs_destroy(zhp, B_FALSE);
			zfs_close(zhp);
		}
	}
	/* Nothing of it is left: no mark either. */
	if (err != BE_OK && !zfsa_exists(h->lzh, c->newds, ZFS_TYPE_DATASET))
		(void) be_making_end(h);
	return (err);
}

static be_error_t
check_description(be_handle_t *h, const char *d)
{
	/* be_info_t holds 255 bytes; longer would be cut off in lists. */
	if (d != NULL && strlen(d) > 255)
		return (be_set_error(h, BE_ERR_INVALID, "the description is "
		    "too long (%zu bytes, at most 255)", strlen(d)));
	return (BE_OK);
}

static be_error_t
create(be_handle_t *h, const char *newbe, const be_create_opts_t *opts,
    bool whole)
{
	static const be_create_opts_t none = { .source = NULL };
	struct create c = { .h = h, .newbe = newbe, .o = opts ? opts : &none,
	    .whole = whole };
	be_error_t err;

	if ((err = be_dataset_of(h, newbe, c.newds, sizeof (c.newds))) ||
	    (err = check_new(&c)) ||
	    (err = check_description(h, c.o->description)) ||
	    (err = parse_props(&c)) || (err = check_props(&c)))
		goto out;
	if (!c.o->empty && (err = resolve_source(&c)) != BE_OK)
		goto out;
	if ((err = be_lock(h)) != BE_OK)
		goto out;
	/* Another beadm may have taken the name while we waited. */
	if ((err = check_new(&c)) == BE_OK &&
	    (err = be_boot_prepare(h, NULL, newbe)) == BE_OK) {
		err = c.o->empty ? create_empty(&c) : create_clones(&c);
		if (err != BE_OK)
			be_boot_cancel(h);
	}
	be_unlock(h);
	if (err == BE_OK)
		err = be_ok(h);
out:
	be_tree_free(&c.tree);
	nvlist_free(c.userprops);
	return (err);
}

be_error_t
be_create(be_handle_t *h, const char *newbe, const be_create_opts_t *opts)
{
	return (create(h, newbe, opts, true));
}

be_error_t
be_create_unfinished(be_handle_t *h, const char *newbe,
    const be_create_opts_t *opts)
{
	return (create(h, newbe, opts, false));
}
