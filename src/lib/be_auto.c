/*
 * be_auto.c - checkpoints beadm makes by itself before apt runs, and
 * their retention.
 *
 * beadm:apt on the BE root says what a checkpoint is: a recursive snapshot
 * of the running BE, or a new BE cloned from it.  Each is marked
 * beadm:made-by=apt when it is made (in the same transaction for a
 * snapshot), and retention only ever destroys marked ones: whatever users
 * made themselves is never a candidate.  Of each kind, the newest
 * beadm:apt-keep stay; an older one stays too when destroying it would
 * take something else with it or pull a system from under its users.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "be_auto.h"
#include "be_tree.h"

#define MADE_BY		"apt"
#define NAME_PREFIX	"apt-"
#define NAME_TRIES	100	/* checkpoints a second before giving up */

static be_error_t
read_settings(be_handle_t *h, be_auto_mode_t *mode, unsigned *keep)
{
	char value[1024];	/* longer values (ZFS allows 8K) read as unset */

	be_root_setting(h, BE_PROP_APT, value, sizeof (value));
	if (!be_auto_parse_mode(value, mode))
		return (be_set_error(h, BE_ERR_INVALID, "%s=%s on %s is not a "
		    "setting: use off, snapshot or create (zfs set %s=snapshot "
		    "%s)", BE_PROP_APT, value, h->root, BE_PROP_APT, h->root));
	if (*mode == BE_AUTO_OFF)
		return (BE_OK);
	be_root_setting(h, BE_PROP_APT_KEEP, value, sizeof (value));
	if (!be_auto_parse_keep(value, keep))
		return (be_set_error(h, BE_ERR_INVALID, "%s=%s on %s is not a "
		    "number of checkpoints to keep: use a whole number from 1 "
		    "to %d (zfs set %s=%d %s)", BE_PROP_APT_KEEP, value,
		    h->root, BE_AUTO_KEEP_MAX, BE_PROP_APT_KEEP,
		    BE_AUTO_KEEP_DEFAULT, h->root));
	return (BE_OK);
}

/* apt-YYYYMMDD-HHMMSS, then -2, -3, ... for more in the same second. */
static void
checkpoint_name(char *buf, size_t sz, time_t now, int seq)
{
	char stamp[32];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof (stamp), "%Y%m%d-%H%M%S", &tm);
	if (seq <= 1)
		snprintf(buf, sz, NAME_PREFIX "%s", stamp);
	else
		snprintf(buf, sz, NAME_PREFIX "%s-%d", stamp, seq);
}

static be_error_t
make_snapshot(be_handle_t *h, const char *be, char *made, size_t madesz)
{
	char dataset[BE_PATH_MAX], snap[BE_NAME_MAX + 1];
	be_tree_t tree = { 0 };
	nvlist_t *props = NULL;
	time_t now = time(NULL);
	be_error_t err;
	int seq;

	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if (nvlist_alloc(&props, NV_UNIQUE_NAME, 0) != 0 ||
	    nvlist_add_string(props, BE_PROP_MADE_BY, MADE_BY) != 0) {
		nvlist_free(props);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	if ((err = be_tree_collect(h, dataset, NULL, &tree)) == BE_OK) {
		for (seq = 1, err = BE_ERR_EXISTS;
		    err == BE_ERR_EXISTS && seq <= NAME_TRIES; seq++) {
			checkpoint_name(snap, sizeof (snap), now, seq);
			err = be_tree_snapshot_props(h, &tree, snap,
			    sizeof (snap), props);
		}
	}
	if (err == BE_OK)
		snprintf(made, madesz, "%s@%s", be, snap);
	be_tree_free(&tree);
	nvlist_free(props);
	return (err);
}

static be_error_t
make_be(be_handle_t *h, char *made, size_t madesz)
{
	static const char *const props[] = { BE_PROP_MADE_BY "=" MADE_BY,
	    NULL };
	const be_create_opts_t opts = { .source = NULL,
	    .description = "before apt run", .props = props };
	char name[BE_NAME_MAX + 1];
	time_t now = time(NULL);
	be_error_t err = BE_ERR_EXISTS;
	int seq;

	for (seq = 1; err == BE_ERR_EXISTS && seq <= NAME_TRIES; seq++) {
		checkpoint_name(name, sizeof (name), now, seq);
		err = be_create(h, name, &opts);
	}
	if (err == BE_OK)
		snprintf(made, madesz, "%s", name);
	return (err);
}

/* ---- retention ---------------------------------------------------------- */

/* The checkpoints of one kind, as be_auto_select wants them. */
struct found {
	be_auto_item_t *items;
	char (*names)[BE_PATH_MAX];
	size_t count, cap;
};

static bool
marked(be_handle_t *h, const char *name, int type)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, name, type);
	char value[32];
	bool yes;

	if (zhp == NULL)
		return (false);
	yes = zfsa_user_prop(zhp, BE_PROP_MADE_BY, value, sizeof (value)) &&
	    strcmp(value, MADE_BY) == 0;
	zfs_close(zhp);
	return (yes);
}

/* Whether snapshot name has clones: destroying it would take them along. */
static bool
cloned(be_handle_t *h, const char *name)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, name, ZFS_TYPE_SNAPSHOT);
	nvlist_t *clones;
	bool any;

	if (zhp == NULL)
		return (true);	/* not knowing, keep it */
	/* The list belongs to the handle. */
	clones = zfs_get_clones_nvl(zhp);
	any = clones != NULL && !nvlist_empty(clones);
	zfs_close(zhp);
	return (any);
}

static be_error_t
add(be_handle_t *h, struct found *f, const char *name, time_t creation,
    bool pinned)
{
	void *p;

	if (f->count == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		if ((p = realloc(f->items, f->cap * sizeof (*f->items))) ==
		    NULL)
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
		f->items = p;
		if ((p = realloc(f->names, f->cap * sizeof (*f->names))) ==
		    NULL)
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
		f->names = p;
	}
	snprintf(f->names[f->count], sizeof (f->names[0]), "%s", name);
	f->items[f->count].creation = creation;
	f->items[f->count].pinned = pinned;
	f->count++;
	return (BE_OK);
}

/* Marked BEs; and the marked snapshots of every BE's top dataset. */
static be_error_t
gather(be_handle_t *h, const be_list_t *list, struct found *bes,
    struct found *snaps)
{
	char name[BE_PATH_MAX];
	const be_info_t *be;
	const be_dataset_info_t *s;
	size_t i, j, len;
	be_error_t err;

	for (i = 0; i < list->count; i++) {
		be = &list->bes[i];
		/* A BE someone snapshotted or cloned from is in use. */
		if (marked(h, be->dataset, ZFS_TYPE_FILESYSTEM) &&
		    (err = add(h, bes, be->name, be->creation, be->active ||
		    be->next_boot || be->next_boot_once ||
		    be->mountpoint[0] != '\0' || be->nsnapshots > 0)))
			return (err);
		len = strlen(be->dataset);
		for (j = 0; j < be->nsnapshots; j++) {
			s = &be->snapshots[j];
			if (strncmp(s->name, be->dataset, len) != 0 ||
			    s->name[len] != '@' ||
			    !marked(h, s->name, ZFS_TYPE_SNAPSHOT))
				continue;
			snprintf(name, sizeof (name), "%s%s", be->name,
			    s->name + len);
			if ((err = add(h, snaps, name, s->creation,
			    cloned(h, s->name))))
				return (err);
		}
	}
	return (BE_OK);
}

/*
 * Destroy what be_auto_select picks.  One that be_destroy refuses (held,
 * busy, cloned from below its top dataset) is kept, as a pinned one is:
 * retention is housekeeping, not a reason to fail.
 */
static be_error_t
prune(be_handle_t *h, struct found *f, unsigned keep, be_auto_fn fn,
    void *arg)
{
	bool *doomed;
	be_error_t err = BE_OK;
	size_t i;

	if (f->count == 0)
		return (BE_OK);
	if ((doomed = calloc(f->count, sizeof (*doomed))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (i = 0; i < f->count; i++)
		f->items[i].name = f->names[i];
	(void) be_auto_select(f->items, f->count, keep, doomed);
	for (i = 0; i < f->count && err == BE_OK; i++) {
		if (!doomed[i])
			continue;
		err = be_destroy(h, f->names[i], 0);
		if (err == BE_ERR_REFUSED || err == BE_ERR_BUSY)
			err = BE_OK;
		else if (err == BE_OK && fn != NULL)
			fn(f->names[i], arg);
	}
	free(doomed);
	return (err);
}

static be_error_t
prune_all(be_handle_t *h, unsigned keep, be_auto_fn fn, void *arg)
{
	struct found bes = { 0 }, snaps = { 0 };
	be_list_t *list = NULL;
	be_error_t err;

	if ((err = be_list_flags(h, BE_LIST_SNAPSHOTS, &list)) == BE_OK &&
	    (err = gather(h, list, &bes, &snaps)) == BE_OK &&
	    (err = prune(h, &snaps, keep, fn, arg)) == BE_OK)
		err = prune(h, &bes, keep, fn, arg);
	be_list_free(list);
	free(bes.items);
	free(bes.names);
	free(snaps.items);
	free(snaps.names);
	return (err);
}

be_error_t
be_auto_checkpoint(be_handle_t *h, char *made, size_t madesz,
    be_auto_fn destroyed, void *arg)
{
	char running[BE_NAME_MAX + 1];
	be_auto_mode_t mode;
	unsigned keep = BE_AUTO_KEEP_DEFAULT;
	be_error_t err;

	made[0] = '\0';
	if ((err = read_settings(h, &mode, &keep)) != BE_OK)
		return (err);
	if (mode == BE_AUTO_OFF)
		return (be_ok(h));
	be_running_name(h, running, sizeof (running));
	if (running[0] == '\0')
		return (be_set_error(h, BE_ERR_NOENT, "cannot make a "
		    "checkpoint: / is not a boot environment below %s",
		    h->root));
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	err = mode == BE_AUTO_SNAPSHOT ?
	    make_snapshot(h, running, made, madesz) :
	    make_be(h, made, madesz);
	/* Without a new checkpoint, the old ones are all there is. */
	if (err == BE_OK)
		err = prune_all(h, keep, destroyed, arg);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}
