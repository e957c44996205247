/*
 * be_diff.c - what changed between two system states: two BEs, a BE and a
 * snapshot of a BE, or a BE and the running one.
 *
 * Each side is read through one directory per dataset of its BE: where the
 * dataset is mounted now, else a read-only mount of its own (or of its
 * snapshot, for BE@SNAP) in a private directory /tmp/beadm.XXXXXX/N, undone
 * afterwards.  Mounting each dataset apart, read-only, means nothing of
 * either side can be written, nothing is mounted inside anything else, and
 * a snapshot needs no .zfs automount (which would outlive the command).
 * Datasets pair up by their place in the BE ("/", "/var/log"); one found on
 * one side only counts as wholly added or removed.  canmount=off
 * containers hold no files anyone sees and are left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "be_diff_walk.h"
#include "be_impl.h"
#include "dpkg_status.h"

#define DIFF_TMP_TEMPLATE	"/tmp/beadm.XXXXXX"
#define DPKG_STATUS		"/var/lib/dpkg/status"

struct diff_ds {
	char top[PATH_MAX];	/* its place in the BE: "/", "/var/log" */
	char dir[PATH_MAX];	/* where its files are visible */
	bool ours;		/* dir is a mount of our own */
};

struct diff_side {
	const char *arg;	/* "BE" or "BE@SNAP" as given */
	char be[BE_NAME_MAX + 2];
	char snap[BE_PATH_MAX];	/* "" for the BE itself */
	char ds[BE_PATH_MAX];
	struct diff_ds *v;
	size_t n;
	char tmp[sizeof (DIFF_TMP_TEMPLATE)];	/* ours, "" if none */
	unsigned nmounts;	/* subdirectories made in tmp */
};

/* ---- naming the sides -------------------------------------------------- */

static be_error_t
parse_side(be_handle_t *h, const char *arg, struct diff_side *s)
{
	const char *why;

	s->arg = arg;
	if (!be_split_snapshot(arg, s->be, sizeof (s->be), s->snap,
	    sizeof (s->snap)))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid boot "
		    "environment or snapshot '%s': the name is too long", arg));
	if (!be_name_valid(s->be, &why))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid boot "
		    "environment name '%s': %s", s->be, why));
	if (strchr(arg, '@') != NULL && !be_snapname_valid(s->snap, &why))
		return (be_set_error(h, BE_ERR_BADNAME, "invalid snapshot name "
		    "'%s': %s", s->snap, why));
	return (BE_OK);
}

static be_error_t
check_side_exists(be_handle_t *h, struct diff_side *s)
{
	char snap[BE_PATH_MAX + BE_PATH_MAX];
	be_error_t err;

	if ((err = be_existing_dataset(h, s->be, s->ds, sizeof (s->ds))))
		return (err);
	if (s->snap[0] == '\0')
		return (BE_OK);
	snprintf(snap, sizeof (snap), "%s@%s", s->ds, s->snap);
	if (!zfsa_exists(h->lzh, snap, ZFS_TYPE_SNAPSHOT))
		return (be_set_error(h, BE_ERR_NOENT, "snapshot '%s' does not "
		    "exist (no snapshot %s); see 'beadm list -s'", s->arg,
		    snap));
	return (BE_OK);
}

/* ---- where each dataset's files are ----------------------------------- */

/* The place of dataset name in its BE, as be_mount would mount it: its
 * mountpoint relative to the BE's, else its name relative to the BE's. */
static void
place_in_be(be_handle_t *h, const struct diff_side *s, const char *name,
    char *top, size_t sz)
{
	char mp[ZFS_MAXPROPLEN] = "", bemp[ZFS_MAXPROPLEN] = "";
	zfs_handle_t *zhp;
	size_t len;

	if (strcmp(name, s->ds) == 0) {
		snprintf(top, sz, "/");
		return;
	}
	if ((zhp = zfsa_open(h->lzh, s->ds, ZFS_TYPE_FILESYSTEM)) != NULL) {
		zfsa_prop_string(zhp, ZFS_PROP_MOUNTPOINT, bemp, sizeof (bemp));
		zfs_close(zhp);
	}
	if ((zhp = zfsa_open(h->lzh, name, ZFS_TYPE_FILESYSTEM)) != NULL) {
		zfsa_prop_string(zhp, ZFS_PROP_MOUNTPOINT, mp, sizeof (mp));
		zfs_close(zhp);
	}
	len = strlen(bemp);
	if (mp[0] == '/' && strcmp(bemp, "/") == 0)
		snprintf(top, sz, "%s", mp);
	else if (mp[0] == '/' && bemp[0] == '/' &&
	    strncmp(mp, bemp, len) == 0 && mp[len] == '/')
		snprintf(top, sz, "%s", mp + len);
	else
		snprintf(top, sz, "%s", name + strlen(s->ds));
}

/* Mount name (a dataset or snapshot) read-only in a new directory of ours. */
static be_error_t
mount_private(be_handle_t *h, struct diff_side *s, const char *name,
    struct diff_ds *d)
{
	if (s->tmp[0] == '\0') {
		snprintf(s->tmp, sizeof (s->tmp), "%s", DIFF_TMP_TEMPLATE);
		if (mkdtemp(s->tmp) == NULL) {
			s->tmp[0] = '\0';
			return (be_set_error(h, BE_ERR_IO, "cannot create a "
			    "directory like %s: %s", DIFF_TMP_TEMPLATE,
			    strerror(errno)));
		}
	}
	snprintf(d->dir, sizeof (d->dir), "%s/%u", s->tmp, s->nmounts);
	if (mkdir(d->dir, 0700) != 0)
		return (be_set_error(h, BE_ERR_IO, "cannot create %s: %s",
		    d->dir, strerror(errno)));
	s->nmounts++;
	if (mount(name, d->dir, "zfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
	    MS_NOEXEC | MS_NOATIME, NULL) != 0)
		return (be_set_error(h, errno == EBUSY ? BE_ERR_BUSY :
		    BE_ERR_ZFS, "cannot mount %s read-only at %s: %s", name,
		    d->dir, strerror(errno)));
	d->ours = true;
	return (BE_OK);
}

static be_error_t
add_dataset(be_handle_t *h, struct diff_side *s, const be_dataset_info_t *di)
{
	char name[BE_PATH_MAX + BE_PATH_MAX];
	struct diff_ds *d;

	if (di->canmount == 0)
		return (BE_OK);		/* a container: nothing to see */
	if (s->snap[0] != '\0') {
		snprintf(name, sizeof (name), "%s@%s", di->name, s->snap);
		if (!zfsa_exists(h->lzh, name, ZFS_TYPE_SNAPSHOT))
			return (BE_OK);	/* made after the snapshot */
	} else {
		snprintf(name, sizeof (name), "%s", di->name);
	}
	if ((d = realloc(s->v, (s->n + 1) * sizeof (*d))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	s->v = d;
	d = &s->v[s->n++];
	memset(d, 0, sizeof (*d));
	place_in_be(h, s, di->name, d->top, sizeof (d->top));
	if (s->snap[0] == '\0' && di->mountpoint[0] != '\0') {
		snprintf(d->dir, sizeof (d->dir), "%s", di->mountpoint);
		return (BE_OK);
	}
	return (mount_private(h, s, name, d));
}

static void
release_side(struct diff_side *s)
{
	char dir[sizeof (s->tmp) + 16];
	size_t i = s->n;
	unsigned k;

	while (i-- > 0)
		if (s->v[i].ours && umount2(s->v[i].dir, 0) != 0)
			(void) umount2(s->v[i].dir, MNT_DETACH);
	for (k = 0; k < s->nmounts; k++) {
		snprintf(dir, sizeof (dir), "%s/%u", s->tmp, k);
		(void) rmdir(dir);
	}
	if (s->tmp[0] != '\0')
		(void) rmdir(s->tmp);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static be_error_t
open_side(be_handle_t *h, struct diff_side *s, const be_list_t *l)
{
	const be_info_t *be = NULL;
	be_error_t err = BE_OK;
	size_t i;

	for (i = 0; i < l->count && be == NULL; i++)
		if (strcmp(l->bes[i].dataset, s->ds) == 0)
			be = &l->bes[i];
	if (be == NULL)
		return (be_set_error(h, BE_ERR_NOENT, "boot environment '%s' "
		    "does not exist", s->be));
	for (i = 0; i < be->ndatasets && err == BE_OK; i++)
		err = add_dataset(h, s, &be->datasets[i]);
	if (err != BE_OK)
		release_side(s);
	return (err);
}

static const struct diff_ds *
find_top(const struct diff_side *s, const char *top)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].top, top) == 0)
			return (&s->v[i]);
	return (NULL);
}

/* ---- files ------------------------------------------------------------ */

struct file_report {
	be_diff_fn fn;
	void *arg;
	const char *top;
};

static void
report_file(char change, const char *path, void *arg)
{
	struct file_report *r = arg;
	be_diff_entry_t e = {
		.change = change == '+' ? BE_DIFF_ADDED :
		    change == '-' ? BE_DIFF_REMOVED : BE_DIFF_MODIFIED,
		.name = path,
		.dataset = r->top,
	};

	r->fn(&e, r->arg);
}

static int
by_top(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* Every place of a dataset on either side, sorted, without repeats. */
static const char **
all_tops(const struct diff_side *o, const struct diff_side *n, size_t *count)
{
	const char **v = calloc(o->n + n->n + 1, sizeof (*v));
	size_t i, k = 0;

	if (v == NULL)
		return (NULL);
	for (i = 0; i < o->n; i++)
		v[k++] = o->v[i].top;
	for (i = 0; i < n->n; i++)
		if (find_top(o, n->v[i].top) == NULL)
			v[k++] = n->v[i].top;
	qsort(v, k, sizeof (*v), by_top);
	*count = k;
	return (v);
}

/* O_NOATIME: reading a directory of a mounted side must not write. */
static int
open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return (fd);
}

static int
open_top(const struct diff_side *s, const char *top)
{
	const struct diff_ds *d = find_top(s, top);

	if (d == NULL)
		return (-1);
	return (open_dir(d->dir));
}

static be_error_t
diff_files(be_handle_t *h, const struct diff_side *o,
    const struct diff_side *n, be_diff_fn fn, void *arg,
    const volatile sig_atomic_t *stop)
{
	struct diff_walk *w = calloc(1, sizeof (*w));
	struct file_report r = { .fn = fn, .arg = arg };
	const char **tops;
	size_t ntops = 0, i;
	be_error_t err = BE_OK;
	int ofd, nfd;

	if (w == NULL || (tops = all_tops(o, n, &ntops)) == NULL) {
		free(w);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	w->skip = tops;
	w->nskip = ntops;
	w->report = report_file;
	w->arg = &r;
	w->stop = stop;
	for (i = 0; i < ntops && err == BE_OK; i++) {
		r.top = tops[i];
		ofd = open_top(o, tops[i]);
		nfd = open_top(n, tops[i]);
		if ((find_top(o, tops[i]) != NULL && ofd < 0) ||
		    (find_top(n, tops[i]) != NULL && nfd < 0))
			err = be_set_error(h, BE_ERR_IO, "cannot open the "
			    "files of %s: %s", tops[i], strerror(errno));
		else if (diff_walk_trees(w, ofd, nfd, tops[i]) != 0 &&
		    w->err == EINTR)
			err = be_set_error(h, BE_ERR_UNKNOWN, "interrupted "
			    "while comparing %s", w->failed);
		else if (w->err != 0)
			err = be_set_error(h, BE_ERR_IO, "cannot compare %s: "
			    "%s", w->failed, strerror(w->err));
		if (ofd >= 0)
			close(ofd);
		if (nfd >= 0)
			close(nfd);
	}
	free(tops);
	free(w);
	return (err);
}

/* ---- packages --------------------------------------------------------- */

/* Open path (a BE path) on side s without following symbolic links, which
 * could lead out of the side.  -1 with errno set when that fails. */
static int
open_in_side(const struct diff_side *s, const char *path)
{
	const struct diff_ds *best = NULL;
	char rest[PATH_MAX], *comp, *save;
	size_t i, len;
	int fd, next;

	for (i = 0; i < s->n; i++) {
		len = strcmp(s->v[i].top, "/") == 0 ? 0 : strlen(s->v[i].top);
		if (strncmp(path, s->v[i].top, len) == 0 &&
		    (path[len] == '/' || path[len] == '\0') &&
		    (best == NULL || len > strlen(best->top)))
			best = &s->v[i];
	}
	if (best == NULL) {
		errno = ENOENT;
		return (-1);
	}
	len = strcmp(best->top, "/") == 0 ? 0 : strlen(best->top);
	snprintf(rest, sizeof (rest), "%s", path + len);
	if ((fd = open_dir(best->dir)) < 0)
		return (-1);
	for (comp = strtok_r(rest, "/", &save); comp != NULL; comp = next < 0 ?
	    NULL : strtok_r(NULL, "/", &save)) {
		next = openat(fd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOATIME);
		close(fd);
		if (next < 0)
			return (-1);
		fd = next;
	}
	return (fd);
}

/* false in *found when the side has no dpkg status file. */
static be_error_t
read_packages(be_handle_t *h, const struct diff_side *s,
    struct dpkg_status *st, bool *found)
{
	int fd = open_in_side(s, DPKG_STATUS), rc;
	FILE *f;

	memset(st, 0, sizeof (*st));
	*found = false;
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return (BE_OK);
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return (be_set_error(h, BE_ERR_IO, "cannot read %s of '%s': %s",
		    DPKG_STATUS, s->arg, strerror(errno)));
	}
	rc = dpkg_status_read(f, st);
	fclose(f);
	if (rc != 0)
		return (be_set_error(h, rc == ENOMEM ? BE_ERR_NOMEM : BE_ERR_IO,
		    "cannot read %s of '%s': %s", DPKG_STATUS, s->arg,
		    strerror(rc)));
	*found = true;
	return (BE_OK);
}

struct pkg_report {
	be_diff_fn fn;
	void *arg;
};

static void
report_package(enum dpkg_change c, const struct dpkg_pkg *old,
    const struct dpkg_pkg *new, void *arg)
{
	struct pkg_report *r = arg;
	be_diff_entry_t e = {
		.package = true,
		.change = c == DPKG_ADDED ? BE_DIFF_ADDED :
		    c == DPKG_REMOVED ? BE_DIFF_REMOVED :
		    c == DPKG_UPGRADED ? BE_DIFF_UPGRADED : BE_DIFF_DOWNGRADED,
		.name = old != NULL ? old->name : new->name,
		.old_version = old != NULL ? old->version : NULL,
		.new_version = new != NULL ? new->version : NULL,
	};

	r->fn(&e, r->arg);
}

static be_error_t
diff_packages(be_handle_t *h, const struct diff_side *o,
    const struct diff_side *n, be_diff_fn fn, void *arg,
    be_diff_summary_t *sum)
{
	struct dpkg_status os, ns;
	struct pkg_report r = { .fn = fn, .arg = arg };
	be_error_t err;

	if ((err = read_packages(h, o, &os, &sum->old_has_dpkg)) != BE_OK)
		return (err);
	if ((err = read_packages(h, n, &ns, &sum->new_has_dpkg)) != BE_OK) {
		dpkg_status_free(&os);
		return (err);
	}
	if (sum->old_has_dpkg && sum->new_has_dpkg)
		dpkg_status_diff(&os, &ns, report_package, &r);
	dpkg_status_free(&os);
	dpkg_status_free(&ns);
	return (BE_OK);
}

/* ---- the whole ------------------------------------------------------- */

static be_error_t
diff_opened(be_handle_t *h, const struct diff_side *o,
    const struct diff_side *n, int what, be_diff_fn fn, void *arg,
    be_diff_summary_t *sum, const volatile sig_atomic_t *stop)
{
	be_error_t err = BE_OK;

	if (what & BE_DIFF_FILES)
		err = diff_files(h, o, n, fn, arg, stop);
	if (err == BE_OK && (what & BE_DIFF_PACKAGES))
		err = diff_packages(h, o, n, fn, arg, sum);
	return (err);
}

static be_error_t
open_sides(be_handle_t *h, struct diff_side *o, struct diff_side *n)
{
	be_list_t *l;
	be_error_t err;

	if ((err = be_list_flags(h, BE_LIST_DATASETS, &l)) != BE_OK)
		return (err);
	/* Mounting is a change to the pool's state: one beadm at a time. */
	if ((err = be_lock(h)) == BE_OK) {
		if ((err = open_side(h, o, l)) == BE_OK &&
		    (err = open_side(h, n, l)) != BE_OK)
			release_side(o);
		be_unlock(h);
	}
	be_list_free(l);
	return (err);
}

be_error_t
be_diff(be_handle_t *h, const char *old, const char *new, int what,
    be_diff_fn fn, void *arg, be_diff_summary_t *sum,
    const volatile sig_atomic_t *stop)
{
	struct diff_side o = { 0 }, n = { 0 };
	char running[BE_NAME_MAX + 2];
	be_error_t err;

	memset(sum, 0, sizeof (*sum));
	if (new == NULL) {
		be_running_name(h, running, sizeof (running));
		if (running[0] == '\0')
			return (be_set_error(h, BE_ERR_NOENT, "the running "
			    "system is not a boot environment in %s; name the "
			    "second side to compare with", h->root));
		new = running;
	}
	snprintf(sum->new_side, sizeof (sum->new_side), "%s", new);
	if ((err = parse_side(h, old, &o)) != BE_OK ||
	    (err = parse_side(h, new, &n)) != BE_OK)
		return (err);
	if ((err = check_side_exists(h, &o)) != BE_OK ||
	    (err = check_side_exists(h, &n)) != BE_OK)
		return (err);
	if ((err = open_sides(h, &o, &n)) != BE_OK)
		return (err);
	err = diff_opened(h, &o, &n, what, fn, arg, sum, stop);
	release_side(&n);
	release_side(&o);
	return (err == BE_OK ? be_ok(h) : err);
}
