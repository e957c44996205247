/*
 * be_install.c - a new BE filled with a system from outside: a root
 * file-system tarball or debootstrap.
 *
 * Everything that can be checked is checked before the first change: the
 * new name, the source (the tarball is opened and its first header read;
 * debootstrap and a mirror are found).  Then, holding the pool lock for
 * the whole install so that no other beadm activates, mounts or destroys
 * the half-made BE, the BE is created empty, mounted at a private
 * directory, filled, and unmounted.  All of it runs in a private mount
 * namespace: what debootstrap mounts in the BE (/proc, /sys) never shows
 * outside and cannot outlive beadm.  A failure or a stop request after the
 * create destroys the BE again unless the caller wants it kept.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "be_install.h"
#include "be_mounts.h"
#include "test_seam.h"

void
be_install_note(const struct be_install_job *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (j->o->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof (msg), fmt, ap);
	va_end(ap);
	j->o->note(msg, j->o->arg);
}

bool
be_install_stopped(const struct be_install_job *j)
{
	return (j->o->stop != NULL && *j->o->stop);
}

void
be_install_system_path(const char *path, char *buf, size_t sz)
{
	const char *root = test_seam("BEADM_TEST_SYSTEM_ROOT");

	snprintf(buf, sz, "%s%s", root != NULL ? root : "", path);
}

/* ---- checks before anything changes ------------------------------------- */

static be_error_t
open_tarball(struct be_install_job *j)
{
	be_handle_t *h = j->h;
	struct stat st;

	if ((j->fd = open(j->source, O_RDONLY | O_CLOEXEC)) < 0)
		return (be_set_error(h, errno == ENOENT ? BE_ERR_NOENT :
		    BE_ERR_IO, "cannot open '%s': %s; give the path of a root "
		    "file-system tarball or debootstrap:SUITE", j->source,
		    strerror(errno)));
	if (fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return (be_set_error(h, BE_ERR_INVALID, "'%s' is not a file; "
		    "give the path of a root file-system tarball (.tar, "
		    ".tar.gz, .tar.xz, .tar.zst) or debootstrap:SUITE",
		    j->source));
	return (be_install_tar_probe(j));
}

static be_error_t
check_source(struct be_install_job *j)
{
	const char *colon = strchr(j->source, ':');
	size_t plen = strlen(DEBOOTSTRAP_PREFIX);

	if (strncmp(j->source, DEBOOTSTRAP_PREFIX, plen) == 0) {
		j->suite = j->source + plen;
		return (be_install_debootstrap_check(j));
	}
	/* "http://...", "docker:x": a kind of source beadm does not know,
	 * unless a file of that name is there. */
	if (colon != NULL && memchr(j->source, '/', (size_t)(colon -
	    j->source)) == NULL && access(j->source, F_OK) != 0)
		return (be_set_error(j->h, BE_ERR_INVALID, "unknown source "
		    "'%s': give the path of a root file-system tarball or "
		    "debootstrap:SUITE", j->source));
	return (open_tarball(j));
}

/* --root-dir: an existing, empty directory (never someone's files). */
static be_error_t
check_empty_dir(be_handle_t *h, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (d == NULL)
		return (be_set_error(h, errno == ENOENT ? BE_ERR_NOENT :
		    BE_ERR_INVALID, "cannot open directory %s: %s", dir,
		    strerror(errno)));
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		return (be_set_error(h, BE_ERR_INVALID, "will not install into "
		    "%s: it is not empty", dir));
	return (BE_OK);
}

/* ---- filling ------------------------------------------------------------ */

/*
 * What a stopped debootstrap left mounted in the directory (/proc, /sys),
 * deepest first, so that the BE's own datasets can be unmounted.  ZFS
 * mounts are the BE's: be_unmount takes those.
 */
static void
detach_leftovers(const char *dir)
{
	char ds[BE_PATH_MAX], **v;
	size_t n;

	if ((v = be_mount_points_below(dir, &n)) == NULL)
		return;
	while (n-- > 0) {
		if (!be_zfs_mounted_at(v[n], ds, sizeof (ds)))
			(void) umount2(v[n], UMOUNT_NOFOLLOW | MNT_DETACH);
		free(v[n]);
	}
	free(v);
}

static be_error_t
fill(struct be_install_job *j, const char *beroot)
{
	be_error_t err;

	err = j->suite != NULL ? be_install_debootstrap(j) : be_install_tar(j);
	detach_leftovers(j->dir);
	if (err == BE_OK && be_install_stopped(j))
		err = be_set_error(j->h, BE_ERR_UNKNOWN, "interrupted");
	if (err == BE_OK && j->o->copy_config)
		err = be_install_copy_config(j, beroot);
	return (err);
}

static void
job_end(struct be_install_job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

be_error_t
be_install_dir(be_handle_t *h, const char *dir, const char *source,
    const be_install_opts_t *o)
{
	struct be_install_job j = { .h = h, .o = o, .source = source,
	    .fd = -1 };
	be_error_t err;

	if ((size_t)snprintf(j.dir, sizeof (j.dir), "%s", dir) >=
	    sizeof (j.dir))
		return (be_set_error(h, BE_ERR_INVALID, "the directory name "
		    "is too long"));
	if ((err = check_empty_dir(h, dir)) == BE_OK &&
	    (err = check_source(&j)) == BE_OK &&
	    (err = be_private_namespace(h)) == BE_OK)
		err = fill(&j, "");
	job_end(&j);
	return (err == BE_OK ? be_ok(h) : err);
}

/* After a failure: take the half-made BE away, or keep it as asked. */
static void
undo(be_handle_t *h, const char *newbe, bool keep)
{
	struct be_saved_error saved;
	bool gone = false;

	be_error_save(h, &saved);
	if (!keep)
		gone = be_destroy(h, newbe, BE_DESTROY_FORCE) == BE_OK;
	/* Kept, or gone: either way no longer in the making.  (Left
	 * half-destroyed, it stays marked for the next beadm.) */
	if (keep || gone)
		(void) be_making_end(h);
	(void) be_error_restore(h, &saved);
	if (keep)
		be_error_append(h, "; the half-made boot environment '%s' is "
		    "kept (--keep-failed): 'beadm destroy %s' removes it",
		    newbe, newbe);
	else
		be_error_append(h, "; %s", gone ? "the half-made boot "
		    "environment was destroyed" : "destroying the half-made "
		    "boot environment failed too: remove it with 'beadm "
		    "destroy -F'");
}

static be_error_t
install_locked(struct be_install_job *j, const char *newbe)
{
	be_create_opts_t co = { .empty = true,
	    .description = j->o->description };
	struct be_saved_error saved;
	be_handle_t *h = j->h;
	be_error_t err;

	/* Marked as in the making until it is filled (be_making.c). */
	if ((err = be_create_unfinished(h, newbe, &co)) != BE_OK)
		return (err);
	if (be_install_stopped(j)) {
		err = be_set_error(h, BE_ERR_UNKNOWN, "interrupted");
	} else if ((err = be_mount(h, newbe, NULL, j->dir,
	    sizeof (j->dir))) == BE_OK) {
		err = fill(j, h->root);
		if (err == BE_OK) {
			if ((err = be_unmount(h, newbe, 0)) == BE_OK)
				err = be_making_end(h);
		} else {
			be_error_save(h, &saved);
			(void) be_unmount(h, newbe, BE_MOUNT_FORCE);
			(void) be_error_restore(h, &saved);
		}
	}
	if (err != BE_OK)
		undo(h, newbe, j->o->keep_failed);
	return (err);
}

be_error_t
be_install(be_handle_t *h, const char *newbe, const char *source,
    const be_install_opts_t *o)
{
	struct be_install_job j = { .h = h, .o = o, .source = source,
	    .fd = -1 };
	char ds[BE_PATH_MAX];
	be_error_t err;

	if ((err = be_dataset_of(h, newbe, ds, sizeof (ds))) != BE_OK)
		return (err);
	if (zfsa_exists(h->lzh, ds, ZFS_TYPE_DATASET))
		return (be_set_error(h, BE_ERR_EXISTS, "boot environment '%s' "
		    "exists already (dataset %s); choose another name or "
		    "destroy it first", newbe, ds));
	if ((err = check_source(&j)) == BE_OK &&
	    (err = be_private_namespace(h)) == BE_OK &&
	    (err = be_lock(h)) == BE_OK) {
		err = install_locked(&j, newbe);
		be_unlock(h);
	}
	job_end(&j);
	return (err == BE_OK ? be_ok(h) : err);
}
