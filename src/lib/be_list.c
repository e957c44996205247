/*
 * be_list.c - describing the boot environments below the BE root.
 *
 * One pass over the root's children with libzfs: each handle arrives from
 * the iterator with its properties already read, so no dataset is opened
 * twice; the pool's bootfs (next boot) is read once.  Descendants, snapshots
 * and origins cost more ioctls, so be_list_flags() fetches them only on
 * request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "be_impl.h"

/* A growable array of zfs handles, to sort children before visiting them. */
struct handles {
	zfs_handle_t **v;
	size_t n, cap;
	bool nomem;
};

struct list_ctx {
	be_handle_t *h;
	int flags;
	be_info_t *be;		/* the BE being described */
};

static int
gather_cb(zfs_handle_t *zhp, void *arg)
{
	struct handles *hs = arg;
	zfs_handle_t **v;

	if (zfs_get_type(zhp) != ZFS_TYPE_FILESYSTEM) {
		zfs_close(zhp);		/* volumes are not part of a BE */
		return (0);
	}
	if (hs->n == hs->cap) {
		v = realloc(hs->v, (hs->cap ? hs->cap * 2 : 16) * sizeof (*v));
		if (v == NULL) {
			zfs_close(zhp);
			hs->nomem = true;
			return (-1);
		}
		hs->v = v;
		hs->cap = hs->cap ? hs->cap * 2 : 16;
	}
	hs->v[hs->n++] = zhp;
	return (0);
}

static int
handle_cmp(const void *a, const void *b)
{
	return (strcmp(zfs_get_name(*(zfs_handle_t *const *)a),
	    zfs_get_name(*(zfs_handle_t *const *)b)));
}

static void
handles_free(struct handles *hs)
{
	size_t i;

	for (i = 0; i < hs->n; i++)
		if (hs->v[i] != NULL)
			zfs_close(hs->v[i]);
	free(hs->v);
}

/* The file system children of zhp, sorted by name (the iterator's order is
 * the on-disk hash order, which means nothing to a reader). */
static be_error_t
children_of(be_handle_t *h, zfs_handle_t *zhp, struct handles *hs)
{
	memset(hs, 0, sizeof (*hs));
	if (zfsa_iter_filesystems(zhp, gather_cb, hs) != 0) {
		if (hs->nomem) {
			handles_free(hs);
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory "
			    "listing the children of %s", zfs_get_name(zhp)));
		}
		handles_free(hs);
		return (be_set_zfs_error(h, "cannot list the children of %s",
		    zfs_get_name(zhp)));
	}
	if (hs->n > 1)
		qsort(hs->v, hs->n, sizeof (*hs->v), handle_cmp);
	return (BE_OK);
}

static be_dataset_info_t *
append_info(be_dataset_info_t **v, size_t *n)
{
	be_dataset_info_t *nv;

	/* Grow by doubling: *n is a power of two exactly when full. */
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		nv = realloc(*v, (*n ? *n * 2 : 1) * sizeof (**v));
		if (nv == NULL)
			return (NULL);
		*v = nv;
	}
	memset(&(*v)[*n], 0, sizeof (**v));
	return (&(*v)[(*n)++]);
}

static void
mounted_at(zfs_handle_t *zhp, char *buf, size_t sz)
{
	char *where = NULL;

	buf[0] = '\0';
	if (zfs_is_mounted(zhp, &where) && where != NULL)
		snprintf(buf, sz, "%s", where);
	free(where);
}

static void
origin_of(zfs_handle_t *zhp, char *buf, size_t sz)
{
	if (!zfsa_prop_string(zhp, ZFS_PROP_ORIGIN, buf, sz) ||
	    strcmp(buf, "-") == 0)
		buf[0] = '\0';
}

static void
fill_dataset(zfs_handle_t *zhp, be_dataset_info_t *d)
{
	snprintf(d->name, sizeof (d->name), "%s", zfs_get_name(zhp));
	d->used = zfs_prop_get_int(zhp, ZFS_PROP_USED);
	d->referenced = zfs_prop_get_int(zhp, ZFS_PROP_REFERENCED);
	d->creation = (time_t)zfs_prop_get_int(zhp, ZFS_PROP_CREATION);
	d->is_snapshot = zfs_get_type(zhp) == ZFS_TYPE_SNAPSHOT;
	if (d->is_snapshot)
		return;
	mounted_at(zhp, d->mountpoint, sizeof (d->mountpoint));
	origin_of(zhp, d->origin, sizeof (d->origin));
	d->canmount = (int)zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT);
}

static int
snapshot_cb(zfs_handle_t *zhp, void *arg)
{
	struct list_ctx *c = arg;
	be_dataset_info_t *d = append_info(&c->be->snapshots,
	    &c->be->nsnapshots);

	if (d != NULL)
		fill_dataset(zhp, d);
	zfs_close(zhp);
	return (d == NULL ? -1 : 0);
}

/* The bytes of zhp's origin snapshot: what the dataset would own if
 * everything else sharing that snapshot were destroyed. */
static be_error_t
add_origin_space(struct list_ctx *c, const char *origin)
{
	zfs_handle_t *snap;

	if (origin[0] == '\0')
		return (BE_OK);
	if ((snap = zfsa_open(c->h->lzh, origin, ZFS_TYPE_SNAPSHOT)) == NULL)
		return (be_set_zfs_error(c->h, "cannot open %s, the origin of "
		    "boot environment '%s'", origin, c->be->name));
	c->be->origin_used += zfs_prop_get_int(snap, ZFS_PROP_REFERENCED);
	zfs_close(snap);
	return (BE_OK);
}

/* Describe one dataset of the BE, then its snapshots, then its children. */
static be_error_t
visit_dataset(struct list_ctx *c, zfs_handle_t *zhp)
{
	be_dataset_info_t *d, tmp;
	struct handles kids;
	be_error_t err;
	size_t i;

	d = &tmp;
	if (c->flags & BE_LIST_DATASETS) {
		d = append_info(&c->be->datasets, &c->be->ndatasets);
		if (d == NULL)
			return (be_set_error(c->h, BE_ERR_NOMEM, "out of memory"));
	}
	fill_dataset(zhp, d);
	if ((c->flags & BE_LIST_ORIGINS) &&
	    (err = add_origin_space(c, d->origin)) != BE_OK)
		return (err);
	if ((c->flags & BE_LIST_SNAPSHOTS) &&
	    zfsa_iter_snapshots(zhp, snapshot_cb, c) != 0)
		return (be_set_zfs_error(c->h, "cannot list the snapshots of %s",
		    zfs_get_name(zhp)));
	if ((err = children_of(c->h, zhp, &kids)) != BE_OK)
		return (err);
	for (i = 0; i < kids.n && err == BE_OK; i++)
		err = visit_dataset(c, kids.v[i]);
	handles_free(&kids);
	return (err);
}

static void
fill_be(be_handle_t *h, zfs_handle_t *zhp, be_info_t *be)
{
	const char *ds = zfs_get_name(zhp);

	snprintf(be->name, sizeof (be->name), "%s", strrchr(ds, '/') + 1);
	snprintf(be->dataset, sizeof (be->dataset), "%s", ds);
	mounted_at(zhp, be->mountpoint, sizeof (be->mountpoint));
	origin_of(zhp, be->origin, sizeof (be->origin));
	if (!zfsa_user_prop(zhp, BE_PROP_DESCRIPTION, be->description,
	    sizeof (be->description)))
		be->description[0] = '\0';
	be->creation = (time_t)zfs_prop_get_int(zhp, ZFS_PROP_CREATION);
	be->used = zfs_prop_get_int(zhp, ZFS_PROP_USED);
	be->used_ds = zfs_prop_get_int(zhp, ZFS_PROP_USEDDS);
	be->used_snap = zfs_prop_get_int(zhp, ZFS_PROP_USEDSNAP);
	be->used_refreserv = zfs_prop_get_int(zhp, ZFS_PROP_USEDREFRESERV);
	be->used_child = zfs_prop_get_int(zhp, ZFS_PROP_USEDCHILD);
	be->referenced = zfs_prop_get_int(zhp, ZFS_PROP_REFERENCED);
	be->active = strcmp(ds, h->running) == 0;
}

/* Only datasets whose names beadm accepts are BEs: every other command
 * would refuse to act on the rest. */
bool
be_dataset_is_be(const char *dataset)
{
	const char *slash = strrchr(dataset, '/');

	return (slash != NULL && be_name_valid(slash + 1, NULL));
}

static be_error_t
describe_all(be_handle_t *h, int flags, struct handles *bes,
    const char *making, be_list_t *l)
{
	struct list_ctx c = { .h = h, .flags = flags };
	char next[BE_PATH_MAX], once[BE_PATH_MAX];
	be_error_t err;
	size_t i;

	if ((err = be_boot_state(h, next, sizeof (next), once,
	    sizeof (once))) != BE_OK)
		return (err);
	if ((l->bes = calloc(bes->n ? bes->n : 1, sizeof (*l->bes))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (i = 0; i < bes->n; i++) {
		/* Not yet a BE: another beadm is making it. */
		if (!be_dataset_is_be(zfs_get_name(bes->v[i])) ||
		    (making[0] != '\0' && strcmp(strrchr(zfs_get_name(
		    bes->v[i]), '/') + 1, making) == 0))
			continue;
		c.be = &l->bes[l->count++];
		fill_be(h, bes->v[i], c.be);
		c.be->next_boot = strcmp(c.be->name, next) == 0;
		c.be->next_boot_once = strcmp(c.be->name, once) == 0;
		if (flags & (BE_LIST_DATASETS | BE_LIST_SNAPSHOTS |
		    BE_LIST_ORIGINS)) {
			if ((err = visit_dataset(&c, bes->v[i])) != BE_OK)
				return (err);
		}
	}
	return (BE_OK);
}

be_error_t
be_list_flags(be_handle_t *h, int flags, be_list_t **out)
{
	char making[BE_NAME_MAX + 1];
	zfs_handle_t *root;
	struct handles bes = { 0 };
	be_list_t *l;
	be_error_t err;

	*out = NULL;
	if ((l = calloc(1, sizeof (*l))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	if ((root = zfsa_open(h->lzh, h->root, ZFS_TYPE_FILESYSTEM)) == NULL) {
		free(l);
		return (be_set_error(h, BE_ERR_NOPOOL, "cannot open the boot "
		    "environment root '%s': %s", h->root,
		    libzfs_error_description(h->lzh)));
	}
	/* One read of the mount table for all "where mounted" questions. */
	libzfs_mnttab_cache(h->lzh, B_TRUE);
	(void) be_making_of(root, making, sizeof (making));
	err = children_of(h, root, &bes);
	if (err == BE_OK)
		err = describe_all(h, flags, &bes, making, l);
	handles_free(&bes);
	zfs_close(root);
	libzfs_mnttab_cache(h->lzh, B_FALSE);
	if (err != BE_OK) {
		be_list_free(l);
		return (err);
	}
	*out = l;
	return (be_ok(h));
}

be_error_t
be_list(be_handle_t *h, be_list_t **out)
{
	return (be_list_flags(h, BE_LIST_ALL, out));
}

void
be_list_free(be_list_t *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->bes[i].datasets);
		free(l->bes[i].snapshots);
	}
	free(l->bes);
	free(l);
}
