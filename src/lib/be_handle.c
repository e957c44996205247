/*
 * be_handle.c - opening libbe: libzfs, the BE root, the running BE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "be_impl.h"
#include "be_mounts.h"
#include "test_seam.h"

be_handle_t *
be_init(void)
{
	be_handle_t *h = calloc(1, sizeof (*h));

	if (h == NULL)
		return (NULL);
	h->lock_fd = -1;
	h->esp_lock_fd = -1;
	h->lzh = libzfs_init();
	if (h->lzh == NULL) {
		be_set_error(h, BE_ERR_NOPOOL, "cannot initialise the ZFS "
		    "library: %s", libzfs_error_init(errno));
		return (h);
	}
	libzfs_print_on_error(h->lzh, B_FALSE);
	return (h);
}

void
be_fini(be_handle_t *h)
{
	if (h == NULL)
		return;
	be_boot_fini(h);
	while (h->esp_lock_depth > 0)
		be_unlock_esps(h);
	while (h->lock_depth > 0)
		be_unlock(h);
	if (h->lzh != NULL)
		libzfs_fini(h->lzh);
	free(h);
}

const char *
be_root(const be_handle_t *h)
{
	return (h->root);
}

const char *
be_pool(const be_handle_t *h)
{
	return (h->pool);
}

/* The ZFS dataset mounted at /, or "" when / is not ZFS. */
static void
find_running(be_handle_t *h)
{
	const char *override = test_seam("BEADM_TEST_ROOTFS");

	h->running[0] = '\0';
	/* Tests run in a VM whose / is not a BE; they name one instead. */
	if (override != NULL) {
		snprintf(h->running, sizeof (h->running), "%s", override);
		return;
	}
	if (!be_zfs_mounted_at("/", h->running, sizeof (h->running)))
		h->running[0] = '\0';
}

struct bootfs_search {
	char found[BE_PATH_MAX];
	int count;
};

static int
bootfs_cb(zpool_handle_t *zph, void *arg)
{
	struct bootfs_search *s = arg;
	char value[BE_PATH_MAX];

	if (zpool_get_prop(zph, ZPOOL_PROP_BOOTFS, value, sizeof (value),
	    NULL, B_FALSE) == 0 && value[0] != '\0' &&
	    strcmp(value, "-") != 0) {
		snprintf(s->found, sizeof (s->found), "%s", value);
		s->count++;
	}
	zpool_close(zph);
	return (0);
}

static be_error_t
parent_of(be_handle_t *h, const char *dataset, const char *what)
{
	const char *slash = strrchr(dataset, '/');

	if (slash == NULL)
		return (be_set_error(h, BE_ERR_NOPOOL, "%s '%s' is a pool's "
		    "top-level dataset, not a boot environment; use -r BEROOT",
		    what, dataset));
	snprintf(h->root, sizeof (h->root), "%.*s", (int)(slash - dataset),
	    dataset);
	return (BE_OK);
}

be_error_t
be_set_root(be_handle_t *h, const char *beroot)
{
	char mark[ZFSA_USER_PROP_MAX];
	zfs_handle_t *zhp;
	be_error_t err;
	bool have_mark;

	if (h->lzh == NULL)
		return (h->err);
	find_running(h);
	if (beroot != NULL) {
		if (strlen(beroot) >= sizeof (h->root))
			return (be_set_error(h, BE_ERR_INVALID,
			    "BE root name is too long: %s", beroot));
		snprintf(h->root, sizeof (h->root), "%s", beroot);
	} else if (h->running[0] != '\0') {
		if ((err = parent_of(h, h->running, "the root file system")))
			return (err);
	} else {
		struct bootfs_search s = { .count = 0 };

		(void) zpool_iter(h->lzh, bootfs_cb, &s);
		if (s.count != 1)
			return (be_set_error(h, BE_ERR_NOPOOL, "cannot find the "
			    "boot environment root: / is not on ZFS and %s "
			    "pool has bootfs set; name one with -r BEROOT",
			    s.count == 0 ? "no" : "more than one"));
		if ((err = parent_of(h, s.found, "the pool's bootfs")))
			return (err);
	}
	zhp = zfsa_open(h->lzh, h->root, ZFS_TYPE_FILESYSTEM);
	if (zhp == NULL)
		return (be_set_error(h, BE_ERR_NOPOOL, "cannot open the boot "
		    "environment root '%s': %s", h->root,
		    libzfs_error_description(h->lzh)));
	snprintf(h->pool, sizeof (h->pool), "%s", zfs_get_pool_name(zhp));
	/* What an interrupted create, install or import left goes first. */
	have_mark = zfsa_user_prop(zhp, BE_PROP_MAKING, mark, sizeof (mark));
	zfs_close(zhp);
	if ((err = be_backend_select(h)) == BE_OK && have_mark)
		be_making_sweep(h, mark);
	return (err);
}

void
be_root_setting(be_handle_t *h, const char *prop, char *buf, size_t sz)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, h->root, ZFS_TYPE_FILESYSTEM);

	buf[0] = '\0';
	if (zhp == NULL)
		return;
	if (!zfsa_user_prop(zhp, prop, buf, sz))
		buf[0] = '\0';
	zfs_close(zhp);
}

void
be_running_name(const be_handle_t *h, char *buf, size_t sz)
{
	size_t n = strlen(h->root);

	buf[0] = '\0';
	if (n > 0 && strncmp(h->running, h->root, n) == 0 &&
	    h->running[n] == '/' && strchr(h->running + n + 1, '/') == NULL)
		snprintf(buf, sz, "%s", h->running + n + 1);
}

be_error_t
be_dataset_of(be_handle_t *h, const char *be, char *buf, size_t sz)
{
	const char *why;

	if (!be_name_valid(be, &why))
		return (be_set_error(h, BE_ERR_BADNAME,
		    "invalid boot environment name '%s': %s", be, why));
	if ((size_t)snprintf(buf, sz, "%s/%s", h->root, be) >= sz ||
	    strlen(buf) >= ZFS_MAX_DATASET_NAME_LEN - 40)
		/* 40: room for descendants' and snapshots' names. */
		return (be_set_error(h, BE_ERR_BADNAME, "invalid boot "
		    "environment name '%s': the dataset name would be too long",
		    be));
	return (BE_OK);
}

be_error_t
be_existing_dataset(be_handle_t *h, const char *be, char *buf, size_t sz)
{
	be_error_t err;

	if ((err = be_dataset_of(h, be, buf, sz)) != BE_OK)
		return (err);
	if (!zfsa_exists(h->lzh, buf, ZFS_TYPE_FILESYSTEM))
		return (be_set_error(h, BE_ERR_NOENT, "boot environment '%s' "
		    "does not exist (no dataset %s)", be, buf));
	if (be_making_elsewhere(h, be))
		return (be_set_error(h, BE_ERR_BUSY, "boot environment '%s' "
		    "is being made by another beadm; try again when it has "
		    "finished", be));
	return (BE_OK);
}

be_error_t
be_bootfs(be_handle_t *h, char *buf, size_t sz)
{
	zpool_handle_t *zph = zpool_open_canfail(h->lzh, h->pool);
	char value[BE_PATH_MAX];
	size_t rootlen = strlen(h->root);

	buf[0] = '\0';
	if (zph == NULL)
		return (be_set_error(h, BE_ERR_NOPOOL, "cannot open pool '%s'",
		    h->pool));
	if (zpool_get_prop(zph, ZPOOL_PROP_BOOTFS, value, sizeof (value),
	    NULL, B_FALSE) == 0 && strncmp(value, h->root, rootlen) == 0 &&
	    value[rootlen] == '/' && strchr(value + rootlen + 1, '/') == NULL)
		snprintf(buf, sz, "%s", value + rootlen + 1);
	zpool_close(zph);
	return (BE_OK);
}
