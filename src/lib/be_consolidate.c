/*
 * be_consolidate.c - moving the operating system's datasets that lie
 * outside the BE root (FreeBSD's POOL/usr, POOL/var, POOL/tmp) under a BE,
 * as the seed article did by hand, so that BEs cloned from it capture them.
 *
 * The whole plan is made and checked before anything changes.  Renames keep
 * every mount where it is (zfs rename -u): a busy /var/log stays mounted and
 * nothing is forced.  Every step leaves each dataset mounting where it did,
 * so a plan stopped half-way is safe, and planning again from what the pool
 * then holds yields exactly the steps not yet done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_impl.h"
#include "be_syspath.h"

struct node {
	char name[BE_PATH_MAX];
	char mp[BE_PATH_MAX];	/* where it mounts, without the altroot */
	bool mp_local;		/* mountpoint set on the dataset itself */
	bool off;		/* canmount=off: a container, never mounted */
	bool named;		/* named on the command line, or below one */
};

struct consolidate {
	be_handle_t *h;
	char beds[BE_PATH_MAX];
	struct node *nodes;
	size_t n, cap;
	be_consolidate_plan_t *plan;
	size_t stepcap;
	bool nomem;
	bool applying;		/* the plan was found sound and is being done */
};

static const char *
base_of(const char *name)
{
	const char *slash = strrchr(name, '/');

	return (slash == NULL ? name : slash + 1);
}

/* ---- the pool's file systems, parents before children ----------------- */

static int
collect_cb(zfs_handle_t *zhp, void *arg)
{
	struct consolidate *c = arg;
	struct node *nd, *grown;
	int rc = 0;

	if (zfs_get_type(zhp) != ZFS_TYPE_FILESYSTEM) {
		zfs_close(zhp);
		return (0);
	}
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 32 : c->cap * 2;
		if ((grown = realloc(c->nodes, c->cap * sizeof (*grown))) ==
		    NULL) {
			c->nomem = true;
			zfs_close(zhp);
			return (-1);
		}
		c->nodes = grown;
	}
	nd = &c->nodes[c->n++];
	memset(nd, 0, sizeof (*nd));
	snprintf(nd->name, sizeof (nd->name), "%s", zfs_get_name(zhp));
	if (!zfsa_mountpoint_path(zhp, nd->mp, sizeof (nd->mp)))
		nd->mp[0] = '\0';
	nd->mp_local = zfsa_prop_is_local(zhp, ZFS_PROP_MOUNTPOINT);
	nd->off = zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT) == ZFS_CANMOUNT_OFF;
	rc = zfsa_iter_filesystems(zhp, collect_cb, c);
	zfs_close(zhp);
	return (rc);
}

/* Names in pre-order, siblings by name: '/' sorts before any character,
 * so a dataset's descendants follow it at once ("a/b" < "a-b"). */
static int
name_order(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)
	    ((const struct node *)a)->name;
	const unsigned char *y = (const unsigned char *)
	    ((const struct node *)b)->name;

	for (; *x != '\0' && *x == *y; x++, y++)
		;
	return ((*x == '/' ? 1 : *x) - (*y == '/' ? 1 : *y));
}

static be_error_t
collect(struct consolidate *c)
{
	zfs_handle_t *zhp = zfsa_open(c->h->lzh, c->h->pool,
	    ZFS_TYPE_FILESYSTEM);

	if (zhp == NULL)
		return (be_set_zfs_error(c->h, "cannot open pool '%s'",
		    c->h->pool));
	if (collect_cb(zhp, c) != 0)
		return (c->nomem ? be_set_error(c->h, BE_ERR_NOMEM,
		    "out of memory listing pool '%s'", c->h->pool) :
		    be_set_zfs_error(c->h, "cannot list the file systems of "
		    "pool '%s'", c->h->pool));
	/* The plan's order must not depend on the order ZFS lists in. */
	qsort(c->nodes, c->n, sizeof (*c->nodes), name_order);
	return (BE_OK);
}

static struct node *
find(struct consolidate *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->nodes[i].name, name) == 0)
			return (&c->nodes[i]);
	return (NULL);
}

/* One past the last descendant of node i. */
static size_t
subtree_end(const struct consolidate *c, size_t i)
{
	size_t j = i + 1;

	while (j < c->n && be_path_within(c->nodes[j].name, c->nodes[i].name))
		j++;
	return (j);
}

/* The pool's top dataset, the BE root and what lies above or below it:
 * never moved. */
static bool
excluded(const struct consolidate *c, size_t i)
{
	const char *name = c->nodes[i].name, *root = c->h->root;

	return (i == 0 || be_path_within(name, root) ||
	    be_path_within(root, name));
}

static bool
wanted(const struct consolidate *c, size_t i)
{
	const struct node *nd = &c->nodes[i];

	return (!excluded(c, i) && (nd->named || be_syspath_is_system(nd->mp)));
}

static bool
has_unwanted_descendant(const struct consolidate *c, size_t i)
{
	for (size_t j = i + 1; j < subtree_end(c, i); j++)
		if (!wanted(c, j))
			return (true);
	return (false);
}

/* ---- the plan ---------------------------------------------------------- */

static be_consolidate_step_t *
add_step(struct consolidate *c, be_consolidate_op_t op, const char *dataset,
    const char *target)
{
	be_consolidate_plan_t *p = c->plan;
	be_consolidate_step_t *grown, *s;

	if (p->count == c->stepcap) {
		c->stepcap = c->stepcap == 0 ? 16 : c->stepcap * 2;
		if ((grown = realloc(p->steps, c->stepcap * sizeof (*grown))) ==
		    NULL)
			return (NULL);
		p->steps = grown;
	}
	s = &p->steps[p->count++];
	memset(s, 0, sizeof (*s));
	s->op = op;
	snprintf(s->dataset, sizeof (s->dataset), "%s", dataset);
	snprintf(s->target, sizeof (s->target), "%s", target);
	return (s);
}

static bool
add_prop(be_consolidate_step_t *s, const char *prop, const char *value)
{
	char **grown = realloc(s->props, (s->nprops + 1) * sizeof (*grown));
	size_t len = strlen(prop) + strlen(value) + 2;

	if (grown == NULL)
		return (false);
	s->props = grown;
	if ((s->props[s->nprops] = malloc(len)) == NULL)
		return (false);
	snprintf(s->props[s->nprops++], len, "%s=%s", prop, value);
	return (true);
}

static be_error_t
nomem(struct consolidate *c)
{
	return (be_set_error(c->h, BE_ERR_NOMEM, "out of memory planning the "
	    "consolidation"));
}

/* Where the existing file system name mounts. */
static bool
existing_mountpoint(struct consolidate *c, const char *name, char *buf,
    size_t sz)
{
	zfs_handle_t *zhp = zfsa_open(c->h->lzh, name, ZFS_TYPE_FILESYSTEM);
	bool ok;

	if (zhp == NULL)
		return (false);
	ok = zfsa_mountpoint_path(zhp, buf, sz);
	zfs_close(zhp);
	return (ok);
}

/* A new canmount=off container target for node nd, which keeps its place
 * outside because something below it stays there.  It carries the
 * properties nd's descendants inherit from nd, so that they keep them. */
static be_error_t
plan_container(struct consolidate *c, const struct node *nd,
    const char *target, const char *inherited)
{
	zfs_handle_t *zhp = zfsa_open(c->h->lzh, nd->name, ZFS_TYPE_FILESYSTEM);
	be_consolidate_step_t *s;
	nvlist_t *props = NULL;
	nvpair_t *pair = NULL;
	const char *value;
	bool ok;

	if (zhp == NULL)
		return (be_set_zfs_error(c->h, "cannot open %s", nd->name));
	ok = nvlist_alloc(&props, NV_UNIQUE_NAME, 0) == 0 &&
	    zfsa_local_inheritable_props(zhp, props) == 0 &&
	    (s = add_step(c, BE_CONSOLIDATE_CREATE, target, "")) != NULL &&
	    add_prop(s, "canmount", "off");
	zfs_close(zhp);
	if (ok && strcmp(inherited, nd->mp) != 0)
		ok = add_prop(s, "mountpoint", nd->mp);
	while (ok && (pair = nvlist_next_nvpair(props, pair)) != NULL)
		ok = (value = zfsa_nvpair_string(pair)) == NULL ||
		    add_prop(s, nvpair_name(pair), value);
	nvlist_free(props);
	return (ok ? BE_OK : nomem(c));
}

static be_error_t plan_children(struct consolidate *, size_t, const char *,
    const char *);

/*
 * Node i, whose parent moves to ptarget (NULL: the parent stays, and i
 * would go directly below the BE) that mounts at pmp.
 */
static be_error_t
plan_node(struct consolidate *c, size_t i, const char *ptarget,
    const char *pmp)
{
	const struct node *nd = &c->nodes[i];
	char target[BE_PATH_MAX], inherited[BE_PATH_MAX], tmp[BE_PATH_MAX];
	be_consolidate_step_t *s;
	bool exists;
	be_error_t err;

	if (excluded(c, i) && be_path_within(nd->name, c->h->root))
		return (BE_OK);
	if (!wanted(c, i))
		return (plan_children(c, i, NULL, "/"));
	if ((size_t)snprintf(target, sizeof (target), "%s/%s",
	    ptarget != NULL ? ptarget : c->beds, base_of(nd->name)) >=
	    ZFS_MAX_DATASET_NAME_LEN)
		return (be_set_error(c->h, BE_ERR_INVALID, "cannot move %s "
		    "under %s: the new name would be too long", nd->name,
		    c->beds));
	if (!be_syspath_inherited(pmp, base_of(nd->name), inherited,
	    sizeof (inherited)))
		return (nomem(c));
	exists = zfsa_exists(c->h->lzh, target, ZFS_TYPE_DATASET);
	for (size_t k = 0; k < c->plan->count; k++)
		if (strcmp(c->plan->steps[k].target, target) == 0 ||
		    (c->plan->steps[k].op == BE_CONSOLIDATE_CREATE &&
		    strcmp(c->plan->steps[k].dataset, target) == 0))
			return (be_set_error(c->h, BE_ERR_REFUSED, "cannot "
			    "move %s: another dataset would be moved to %s "
			    "as well", nd->name, target));
	if (!exists && !has_unwanted_descendant(c, i)) {
		/* The whole subtree moves; make its top mount where it did. */
		if (!nd->mp_local && strcmp(inherited, nd->mp) != 0 &&
		    ((s = add_step(c, BE_CONSOLIDATE_SET, nd->name, "")) ==
		    NULL || !add_prop(s, "mountpoint", nd->mp)))
			return (nomem(c));
		if (add_step(c, BE_CONSOLIDATE_RENAME, nd->name, target) ==
		    NULL)
			return (nomem(c));
		return (BE_OK);
	}
	if (!nd->off && exists)
		return (be_set_error(c->h, BE_ERR_EXISTS, "cannot move %s "
		    "under boot environment '%s': %s exists already",
		    nd->name, c->plan->be, target));
	if (!nd->off)
		return (be_set_error(c->h, BE_ERR_REFUSED, "cannot move %s "
		    "under boot environment '%s': datasets below it are "
		    "shared and stay, and it holds files of its own "
		    "(canmount is not off), so it cannot be split; move the "
		    "shared ones out of it first, or name them to move them "
		    "too", nd->name, c->plan->be));
	/* A container: its moving children go into one under the BE. */
	if (exists) {
		if (!existing_mountpoint(c, target, tmp, sizeof (tmp)))
			return (be_set_zfs_error(c->h, "cannot read the "
			    "mountpoint of %s", target));
	} else {
		if ((err = plan_container(c, nd, target, inherited)) != BE_OK)
			return (err);
		snprintf(tmp, sizeof (tmp), "%s", nd->mp);
	}
	return (plan_children(c, i, target, tmp));
}

static be_error_t
plan_children(struct consolidate *c, size_t i, const char *target,
    const char *mp)
{
	be_error_t err;

	for (size_t j = i + 1; j < subtree_end(c, i); j = subtree_end(c, j))
		if ((err = plan_node(c, j, target, mp)) != BE_OK)
			return (err);
	return (BE_OK);
}

/* ---- checking what was asked ------------------------------------------ */

static be_error_t
resolve_be(struct consolidate *c, const char *be)
{
	be_handle_t *h = c->h;
	char name[BE_PATH_MAX], mp[BE_PATH_MAX];
	be_error_t err;

	if (be == NULL) {
		be_running_name(h, name, sizeof (name));
		if (name[0] == '\0' &&
		    (err = be_bootfs(h, name, sizeof (name))) != BE_OK)
			return (err);
		if (name[0] == '\0')
			return (be_set_error(h, BE_ERR_NOENT, "no boot "
			    "environment to consolidate: the running system "
			    "is not one in %s and pool '%s' has no bootfs; "
			    "name one", h->root, h->pool));
		be = name;
	}
	if ((err = be_existing_dataset(h, be, c->beds, sizeof (c->beds))) !=
	    BE_OK)
		return (err);
	/* be_existing_dataset checked its length. */
	memcpy(c->plan->be, be, strlen(be) + 1);
	if (!existing_mountpoint(c, c->beds, mp, sizeof (mp)))
		return (be_set_zfs_error(h, "cannot read the mountpoint of %s",
		    c->beds));
	if (strcmp(mp, "/") != 0)
		return (be_set_error(h, BE_ERR_REFUSED, "cannot consolidate "
		    "boot environment '%s': its mountpoint is %s, not /; the "
		    "datasets it takes are chosen by where they mount below /",
		    be, mp));
	return (BE_OK);
}

static be_error_t
check_named(struct consolidate *c, const char *name)
{
	be_handle_t *h = c->h;
	struct node *nd;

	if (!zfsa_exists(h->lzh, name, ZFS_TYPE_FILESYSTEM))
		return (be_set_error(h, BE_ERR_NOENT, "cannot move '%s': no "
		    "such file system", name));
	if ((nd = find(c, name)) == NULL)
		return (be_set_error(h, BE_ERR_INVALID, "cannot move %s: it "
		    "is not in pool '%s', which holds boot environment '%s'",
		    name, h->pool, c->plan->be));
	if (nd == &c->nodes[0] || be_path_within(h->root, name))
		return (be_set_error(h, BE_ERR_REFUSED, "cannot move %s: it "
		    "is or holds the BE root %s", name, h->root));
	if (be_path_within(name, c->beds))
		return (be_set_error(h, BE_ERR_REFUSED, "cannot move %s: it "
		    "is part of boot environment '%s' already", name,
		    c->plan->be));
	if (be_path_within(name, h->root))
		return (be_set_error(h, BE_ERR_REFUSED, "cannot move %s: it "
		    "is part of another boot environment", name));
	for (size_t j = (size_t)(nd - c->nodes); j < subtree_end(c,
	    (size_t)(nd - c->nodes)); j++)
		c->nodes[j].named = true;
	return (BE_OK);
}

/* ---- carrying it out -------------------------------------------------- */

static int
create_step(be_handle_t *h, const be_consolidate_step_t *s)
{
	nvlist_t *props;
	char *eq;
	int rc = 0;

	if (nvlist_alloc(&props, NV_UNIQUE_NAME, 0) != 0)
		return (ENOMEM);
	for (size_t k = 0; rc == 0 && k < s->nprops; k++) {
		eq = strchr(s->props[k], '=');
		*eq = '\0';
		rc = nvlist_add_string(props, s->props[k], eq + 1);
		*eq = '=';
	}
	if (rc == 0)
		rc = zfsa_create_filesystem(h->lzh, s->dataset, props);
	nvlist_free(props);
	return (rc);
}

static int
change_step(be_handle_t *h, const be_consolidate_step_t *s)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, s->dataset, ZFS_TYPE_FILESYSTEM);
	char *eq;
	int rc = 0;

	if (zhp == NULL)
		return (-1);
	if (s->op == BE_CONSOLIDATE_RENAME)
		rc = zfsa_rename_nounmount(zhp, s->target);
	for (size_t k = 0; rc == 0 && s->op == BE_CONSOLIDATE_SET &&
	    k < s->nprops; k++) {
		eq = strchr(s->props[k], '=');
		*eq = '\0';
		rc = zfsa_set_prop(zhp, s->props[k], eq + 1);
		*eq = '=';
	}
	zfs_close(zhp);
	return (rc);
}

static be_error_t
apply(be_handle_t *h, be_consolidate_plan_t *p)
{
	static const char *const verb[] = { "create", "set properties on",
	    "rename" };

	for (size_t k = 0; k < p->count; k++) {
		be_consolidate_step_t *s = &p->steps[k];
		int rc = s->op == BE_CONSOLIDATE_CREATE ? create_step(h, s) :
		    change_step(h, s);

		if (rc != 0)
			return (be_set_zfs_error(h, "step %zu of %zu failed "
			    "(%s %s%s%s); the steps before it were done, it "
			    "and those after it were not, and every dataset "
			    "still mounts where it did; run consolidate again "
			    "to finish", k + 1, p->count, verb[s->op],
			    s->dataset, s->target[0] != '\0' ? " to " : "",
			    s->target));
		s->done = true;
	}
	return (BE_OK);
}

/* ---- the operation ---------------------------------------------------- */

static be_error_t
consolidate_locked(struct consolidate *c, const char *be,
    const char *const *datasets, size_t ndatasets, bool doit)
{
	be_error_t err;

	if ((err = resolve_be(c, be)) != BE_OK || (err = collect(c)) != BE_OK)
		return (err);
	for (size_t k = 0; k < ndatasets; k++)
		if ((err = check_named(c, datasets[k])) != BE_OK)
			return (err);
	if ((err = plan_children(c, 0, NULL, "/")) != BE_OK)
		return (err);
	if (!doit)
		return (BE_OK);
	c->applying = true;
	return (apply(c->h, c->plan));
}

be_error_t
be_consolidate(be_handle_t *h, const char *be, const char *const *datasets,
    size_t ndatasets, bool doit, be_consolidate_plan_t **out)
{
	struct consolidate c = { .h = h };
	be_error_t err;

	*out = NULL;
	if (be != NULL && (err = be_dataset_of(h, be, c.beds,
	    sizeof (c.beds))) != BE_OK)
		return (err);
	if ((c.plan = calloc(1, sizeof (*c.plan))) == NULL)
		return (nomem(&c));
	if ((err = be_lock(h)) != BE_OK) {
		be_consolidate_plan_free(c.plan);
		return (err);
	}
	err = consolidate_locked(&c, be, datasets, ndatasets, doit);
	be_unlock(h);
	free(c.nodes);
	/* A refused plan changed nothing and is not shown; one that failed
	 * on its way is, to tell what was done. */
	if (err != BE_OK && !c.applying) {
		be_consolidate_plan_free(c.plan);
		return (err);
	}
	*out = c.plan;
	return (err == BE_OK ? be_ok(h) : err);
}

void
be_consolidate_plan_free(be_consolidate_plan_t *p)
{
	if (p == NULL)
		return;
	for (size_t k = 0; k < p->count; k++) {
		for (size_t j = 0; j < p->steps[k].nprops; j++)
			free(p->steps[k].props[j]);
		free(p->steps[k].props);
	}
	free(p->steps);
	free(p);
}
