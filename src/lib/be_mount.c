/*
 * be_mount.c - mounting a BE with all its datasets somewhere else than
 * where it boots, and unmounting it again.
 *
 * A BE's datasets mount as one tree: each descendant at MOUNTPOINT plus its
 * mountpoint relative to the BE's own (parents before children), canmount=off
 * containers stay unmounted while their children mount.  The mount table
 * (/proc/self/mounts, util/mounttab.c) is the truth about what is mounted
 * where.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "be_impl.h"
#include "be_syspath.h"
#include "inroot.h"
#include "mounttab.h"

#define TMP_PREFIX	"/tmp/beadm."
#define TMP_TEMPLATE	TMP_PREFIX "XXXXXX"

/* ---- the mount table -------------------------------------------------- */

/* The mounts of one BE, children first: entries of the whole table. */
struct mount_list {
	const struct mounttab_entry **v;
	size_t n;
};

static be_error_t
read_mounts(be_handle_t *h, struct mounttab *t)
{
	int e;

	if ((e = mounttab_read(t)) != 0)
		return (be_set_error(h, BE_ERR_IO, "cannot read the mount "
		    "table /proc/self/mounts: %s", strerror(e)));
	return (BE_OK);
}

/* Where dataset ds is mounted (its latest mount), or NULL. */
static const char *
mounted_at(const struct mounttab *t, const char *ds)
{
	const struct mounttab_entry *e = mounttab_zfs_of(t, ds);

	return (e != NULL ? e->dir : NULL);
}

/* ---- planning a mount ------------------------------------------------- */

struct target {
	zfs_handle_t *zhp;
	char dir[PATH_MAX];
};

struct plan {
	struct target *v;
	size_t n;
	bool nomem;
	const char *bemp;	/* the BE's mountpoint property */
	const char *ds;		/* the BE's dataset */
	const char *at;		/* where the BE goes now */
};

static void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		zfs_close(p->v[i].zhp);
	free(p->v);
}

/*
 * Where dataset zhp of the BE goes below p->at: its mountpoint relative to
 * the BE's, or (legacy, none inherited, or outside the BE's tree) its name
 * relative to the BE's.  False when it is not to be mounted: canmount=off,
 * or mountpoint=none set on the dataset itself.
 */
static bool
target_dir(const struct plan *p, zfs_handle_t *zhp, char *buf, size_t sz)
{
	const char *name = zfs_get_name(zhp);
	char mp[ZFS_MAXPROPLEN];
	const char *rel;
	size_t len = strlen(p->bemp);

	if (zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT) == ZFS_CANMOUNT_OFF)
		return (false);
	if (strcmp(name, p->ds) == 0) {
		snprintf(buf, sz, "%s", p->at);
		return (true);
	}
	zfsa_prop_string(zhp, ZFS_PROP_MOUNTPOINT, mp, sizeof (mp));
	if (strcmp(mp, "none") == 0 &&
	    zfsa_prop_is_local(zhp, ZFS_PROP_MOUNTPOINT))
		return (false);
	if (mp[0] == '/' && strcmp(p->bemp, "/") == 0)
		rel = mp;
	else if (mp[0] == '/' && p->bemp[0] == '/' &&
	    strncmp(mp, p->bemp, len) == 0 && mp[len] == '/')
		rel = mp + len;
	else
		rel = name + strlen(p->ds);	/* "/var/log" */
	return ((size_t)snprintf(buf, sz, "%s%s", p->at, rel) < sz);
}

static int
plan_cb(zfs_handle_t *zhp, void *arg)
{
	struct plan *p = arg;
	struct target *v;
	int rc;

	if (zfs_get_type(zhp) != ZFS_TYPE_FILESYSTEM) {
		zfs_close(zhp);
		return (0);
	}
	if ((p->n & (p->n - 1)) == 0) {
		v = realloc(p->v, (p->n ? p->n * 2 : 1) * sizeof (*v));
		if (v == NULL) {
			p->nomem = true;
			zfs_close(zhp);
			return (-1);
		}
		p->v = v;
	}
	p->v[p->n].zhp = zhp;
	if (!target_dir(p, zhp, p->v[p->n].dir, sizeof (p->v[p->n].dir)))
		p->v[p->n].dir[0] = '\0';	/* stays unmounted */
	p->n++;
	rc = zfsa_iter_filesystems(zhp, plan_cb, p);
	return (rc);
}

static int
target_cmp(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	int r = strcmp(x->dir, y->dir);

	return (r != 0 ? r : strcmp(zfs_get_name(x->zhp),
	    zfs_get_name(y->zhp)));
}

/* The BE's datasets with their directories, in mount order: a directory
 * sorts before every path below it.  The plan takes over be's handle. */
static be_error_t
make_plan(be_handle_t *h, zfs_handle_t *be, struct plan *p)
{
	if (plan_cb(be, p) != 0) {
		if (p->nomem)
			return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
		return (be_set_zfs_error(h, "cannot list the datasets of %s",
		    p->ds));
	}
	qsort(p->v, p->n, sizeof (*p->v), target_cmp);
	return (BE_OK);
}

/* ---- mount ------------------------------------------------------------ */

static be_error_t
check_mountpoint(be_handle_t *h, const char *mp, char *real)
{
	struct stat st;

	if (stat(mp, &st) != 0)
		return (be_set_error(h, BE_ERR_INVALID, "cannot mount at %s: "
		    "%s; create the directory first", mp, strerror(errno)));
	if (!S_ISDIR(st.st_mode))
		return (be_set_error(h, BE_ERR_INVALID, "cannot mount at %s: "
		    "it is not a directory", mp));
	if (realpath(mp, real) == NULL)
		return (be_set_error(h, BE_ERR_INVALID, "cannot mount at %s: "
		    "%s", mp, strerror(errno)));
	if (be_syspath_mount_refused(real))
		return (be_set_error(h, BE_ERR_REFUSED, "will not mount a boot "
		    "environment over %s, which the running system is made of "
		    "or uses; choose another directory, such as one below /mnt",
		    real));
	return (BE_OK);
}

/* Refuse a BE that is mounted anywhere, or is the running one. */
static be_error_t
check_unmounted(be_handle_t *h, const char *be, const char *ds)
{
	struct mounttab t;
	const char *where;
	be_error_t err;

	if (strcmp(ds, h->running) == 0)
		return (be_set_error(h, BE_ERR_BUSY, "boot environment '%s' is "
		    "the running one, mounted at /", be));
	if ((err = read_mounts(h, &t)) != BE_OK)
		return (err);
	if ((where = mounted_at(&t, ds)) != NULL)
		err = be_set_error(h, BE_ERR_BUSY, "boot environment '%s' is "
		    "already mounted at %s; unmount it first with "
		    "'beadm umount %s'", be, where, be);
	mounttab_free(&t);
	return (err);
}

/* Undo the first n mounts of the plan, children first. */
static void
unmount_plan(struct plan *p, size_t n)
{
	while (n-- > 0)
		if (p->v[n].dir[0] != '\0')
			(void) zfs_unmount(p->v[n].zhp, p->v[n].dir, MS_FORCE);
}

/*
 * The directory of a dataset below the BE's top lies in what the BE's
 * datasets hold: each component of it below the mount point must be a real
 * directory (made when missing), or a link in the BE would have a dataset
 * mounted over a directory of the host.
 */
static be_error_t
target_inside(be_handle_t *h, const struct plan *p, const struct target *t)
{
	size_t len = strlen(p->at);

	if (strncmp(t->dir, p->at, len) != 0 || t->dir[len] != '/')
		return (BE_OK);		/* the top itself */
	if (inroot_dirs(p->at, t->dir + len, true) == 0)
		return (BE_OK);
	return (be_set_error(h, errno == ELOOP ? BE_ERR_REFUSED : BE_ERR_IO,
	    "cannot mount %s at %s: %s%s", zfs_get_name(t->zhp), t->dir,
	    errno == ELOOP ? "a symbolic link inside the boot environment "
	    "is on the way, which could lead out of it" : strerror(errno),
	    errno == ELOOP ? "; nothing was mounted" : ""));
}

static be_error_t
mount_plan(be_handle_t *h, struct plan *p)
{
	size_t i;
	be_error_t err;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].dir[0] == '\0')
			continue;
		if ((err = target_inside(h, p, &p->v[i])) != BE_OK) {
			unmount_plan(p, i);
			return (err);
		}
		if (zfs_mount_at(p->v[i].zhp, NULL, 0, p->v[i].dir) != 0) {
			err = be_set_zfs_error(h, "cannot mount %s at %s",
			    zfs_get_name(p->v[i].zhp), p->v[i].dir);
			unmount_plan(p, i);
			return (err);
		}
	}
	return (BE_OK);
}

static be_error_t
mount_locked(be_handle_t *h, const char *be, const char *ds, char *at)
{
	struct plan p = { .ds = ds, .at = at };
	char bemp[ZFS_MAXPROPLEN];
	zfs_handle_t *zhp;
	bool made_tmp = false;
	be_error_t err;

	if ((err = check_unmounted(h, be, ds)) != BE_OK)
		return (err);
	if ((zhp = zfsa_open(h->lzh, ds, ZFS_TYPE_FILESYSTEM)) == NULL)
		return (be_set_zfs_error(h, "cannot open %s", ds));
	zfsa_prop_string(zhp, ZFS_PROP_MOUNTPOINT, bemp, sizeof (bemp));
	p.bemp = bemp;
	if (at[0] == '\0') {
		snprintf(at, PATH_MAX, "%s", TMP_TEMPLATE);
		if (mkdtemp(at) == NULL) {
			zfs_close(zhp);
			return (be_set_error(h, BE_ERR_IO, "cannot create a "
			    "directory like %s: %s", TMP_TEMPLATE,
			    strerror(errno)));
		}
		made_tmp = true;
	}
	if ((err = make_plan(h, zhp, &p)) == BE_OK)
		err = mount_plan(h, &p);
	if (err != BE_OK && made_tmp)
		(void) rmdir(at);
	plan_free(&p);
	return (err);
}

be_error_t
be_mount(be_handle_t *h, const char *be, const char *mountpoint, char *out,
    size_t outsz)
{
	char ds[BE_PATH_MAX], at[PATH_MAX] = "";
	be_error_t err;

	if ((err = be_existing_dataset(h, be, ds, sizeof (ds))) != BE_OK)
		return (err);
	if (mountpoint != NULL &&
	    (err = check_mountpoint(h, mountpoint, at)) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	err = mount_locked(h, be, ds, at);
	be_unlock(h);
	if (err != BE_OK)
		return (err);
	if (out != NULL && outsz > 0)
		snprintf(out, outsz, "%s", at);
	return (be_ok(h));
}

/* ---- unmount ---------------------------------------------------------- */

/* A directory beadm made: /tmp/beadm.XXXXXX exactly. */
static bool
is_our_tmpdir(const char *dir)
{
	size_t n = strlen(TMP_PREFIX);

	return (strlen(dir) == strlen(TMP_TEMPLATE) &&
	    strncmp(dir, TMP_PREFIX, n) == 0 && strcspn(dir + n, "/") ==
	    strlen(TMP_TEMPLATE) - n);
}

/*
 * The mounts to undo, children first: every mount of the BE's datasets at
 * or below the BE's mountpoint.  Anything else mounted there (a bind mount
 * of /dev for a chroot, another pool) is refused up front rather than found
 * busy halfway through.
 */
static be_error_t
select_mounts(be_handle_t *h, const char *be, const char *ds,
    const struct mounttab *all, struct mount_list *mine)
{
	const char *top = mounted_at(all, ds);
	const struct mounttab_entry *e;
	size_t i;

	if (top == NULL)
		return (be_set_error(h, BE_ERR_INVALID, "boot environment '%s' "
		    "is not mounted", be));
	if (strcmp(top, "/") == 0)
		return (be_set_error(h, BE_ERR_REFUSED, "will not unmount boot "
		    "environment '%s': it is mounted at /", be));
	if ((mine->v = calloc(all->n, sizeof (*mine->v))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (i = all->n; i-- > 0; ) {
		e = &all->v[i];
		if (!be_path_within(e->dir, top))
			continue;
		if (!mounttab_is_zfs(e) || !be_path_within(e->source, ds))
			return (be_set_error(h, BE_ERR_BUSY, "cannot unmount "
			    "boot environment '%s': %s is mounted below it; "
			    "unmount that first", be, e->dir));
		mine->v[mine->n++] = e;
		if (strcmp(e->dir, top) == 0 && strcmp(e->source, ds) == 0)
			break;	/* earlier mounts there are not ours */
	}
	return (BE_OK);
}

static int
unmount_one(be_handle_t *h, const struct mounttab_entry *m, int flags,
    bool mount)
{
	zfs_handle_t *zhp = zfsa_open(h->lzh, m->source, ZFS_TYPE_FILESYSTEM);
	int rc;

	if (zhp == NULL)
		return (-1);
	if (mount)
		rc = zfs_mount_at(zhp, NULL, 0, m->dir);
	else
		rc = zfs_unmount(zhp, m->dir,
		    (flags & BE_MOUNT_FORCE) ? MS_FORCE : 0);
	zfs_close(zhp);
	return (rc);
}

static be_error_t
unmount_all(be_handle_t *h, const struct mount_list *mine, int flags)
{
	be_error_t err;
	size_t i;

	for (i = 0; i < mine->n; i++) {
		if (unmount_one(h, mine->v[i], flags, false) == 0)
			continue;
		err = be_set_zfs_error(h, "cannot unmount %s from %s%s",
		    mine->v[i]->source, mine->v[i]->dir,
		    (flags & BE_MOUNT_FORCE) ? "" :
		    " (stop what uses it, or use -f)");
		/* Put back what was already unmounted: all or nothing. */
		while (i-- > 0)
			(void) unmount_one(h, mine->v[i], flags, true);
		return (err);
	}
	return (BE_OK);
}

static be_error_t
unmount_locked(be_handle_t *h, const char *be, const char *ds, int flags)
{
	struct mount_list mine = { NULL, 0 };
	struct mounttab all;
	const char *top;
	be_error_t err;

	if ((err = read_mounts(h, &all)) != BE_OK)
		return (err);
	if ((err = select_mounts(h, be, ds, &all, &mine)) != BE_OK)
		goto out;
	top = mine.v[mine.n - 1]->dir;
	if ((err = unmount_all(h, &mine, flags)) != BE_OK)
		goto out;
	/* Only an empty directory goes; rmdir refuses anything else. */
	if (is_our_tmpdir(top))
		(void) rmdir(top);
out:
	free(mine.v);
	mounttab_free(&all);
	return (err);
}

be_error_t
be_unmount(be_handle_t *h, const char *be, int flags)
{
	char ds[BE_PATH_MAX];
	be_error_t err;

	if ((err = be_existing_dataset(h, be, ds, sizeof (ds))) != BE_OK)
		return (err);
	if (strcmp(ds, h->running) == 0)
		return (be_set_error(h, BE_ERR_REFUSED, "will not unmount boot "
		    "environment '%s': it is the running one", be));
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	err = unmount_locked(h, be, ds, flags);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}

void
be_unmount_keeping_error(be_handle_t *h, const char *be, const char *dir)
{
	struct be_saved_error saved;

	/* Unmounting must not replace the error being reported. */
	be_error_save(h, &saved);
	(void) be_unmount(h, be, 0);
	(void) rmdir(dir);
	(void) be_error_restore(h, &saved);
}

/*
 * The BE's /boot, resolved inside the BE mounted at where: a symbolic link
 * there (absolute, or climbing with "..") names a directory of the BE, not
 * of the host, whose kernels beadm would copy or write into otherwise.
 */
static be_error_t
boot_inside(be_handle_t *h, const char *be, const char *where, char *boot,
    size_t bsz)
{
	struct stat st;

	if (inroot_realpath(where, "boot", boot, bsz) == 0) {
		if (stat(boot, &st) == 0 && S_ISDIR(st.st_mode))
			return (BE_OK);
		return (be_set_error(h, BE_ERR_BOOT, "the /boot of boot "
		    "environment '%s' is not a directory", be));
	}
	if (errno != ENOENT)
		return (be_set_error(h, BE_ERR_BOOT, "cannot find the /boot of "
		    "boot environment '%s' inside it: %s", be,
		    strerror(errno)));
	/* None: a directory made there later is the BE's, unless a link
	 * that leads nowhere inside the BE is in the way. */
	if ((size_t)snprintf(boot, bsz, "%s/boot", strcmp(where, "/") == 0 ?
	    "" : where) >= bsz)
		return (be_set_error(h, BE_ERR_INVALID, "boot environment "
		    "'%s' is mounted at too long a path", be));
	if (lstat(boot, &st) == 0)
		return (be_set_error(h, BE_ERR_BOOT, "the /boot of boot "
		    "environment '%s' is a symbolic link that leads to nothing "
		    "inside it", be));
	return (BE_OK);
}

be_error_t
be_boot_dir(be_handle_t *h, const char *be, zfs_handle_t *zhp, char *boot,
    size_t bsz, char *mounted_at, size_t msz)
{
	char where[PATH_MAX], *mnt = NULL;
	be_error_t err;

	mounted_at[0] = '\0';
	if (zfs_is_mounted(zhp, &mnt)) {
		snprintf(where, sizeof (where), "%s", mnt);
		free(mnt);
	} else if ((err = be_mount(h, be, NULL, where, sizeof (where))) ==
	    BE_OK) {
		snprintf(mounted_at, msz, "%s", where);
	} else {
		return (err);
	}
	return (boot_inside(h, be, where, boot, bsz));
}
