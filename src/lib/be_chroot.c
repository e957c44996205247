/*
 * be_chroot.c - preparing a BE to run programs in it, and tidying up after.
 *
 * The BE is mounted deep (be_mount) unless it is mounted already, and the
 * system's /dev, /proc, /sys and /run are bound into it, each with its
 * submounts (/dev/pts, /sys/firmware/efi/efivars, ...).  All of this happens
 * in a private mount namespace of the calling process whose mounts are
 * slaves of the system's: nothing made here shows in or propagates back to
 * the system's namespace, unmounting a bound /sys cannot take the system's
 * submounts with it, and whatever a killed beadm could not unmount goes
 * away with the namespace when its last process ends.
 *
 * Running the program is the caller's business: a library must not decide
 * how its caller's process handles signals or the terminal.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "be_impl.h"
#include "be_mounts.h"

/* The system directories a chroot needs, bound in this order. */
static const char *const system_dirs[] = { "/dev", "/proc", "/sys", "/run" };
#define NSYSTEM_DIRS	(sizeof (system_dirs) / sizeof (system_dirs[0]))

struct be_chroot {
	char be[BE_NAME_MAX + 1];
	char root[PATH_MAX];
	bool mounted_be;	/* we mounted it, so we unmount it */
	size_t nbound;		/* system_dirs[0..nbound) are bound */
};

const char *
be_chroot_root(const be_chroot_t *c)
{
	return (c->root);
}

/* Mounts made from here on are ours alone and never reach the system. */
be_error_t
be_private_namespace(be_handle_t *h)
{
	if (unshare(CLONE_NEWNS) != 0)
		return (be_set_error(h, errno == EPERM ? BE_ERR_PERM :
		    BE_ERR_UNKNOWN, "cannot make a private mount namespace: %s",
		    strerror(errno)));
	if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
		return (be_set_error(h, BE_ERR_UNKNOWN, "cannot make the "
		    "private mount namespace a slave of the system's: %s",
		    strerror(errno)));
	return (BE_OK);
}

/* The BE's mount, or a new one at a private directory. */
static be_error_t
mount_be(be_handle_t *h, be_chroot_t *c, const char *ds)
{
	be_error_t err;

	if (be_zfs_mount_of(ds, c->root, sizeof (c->root))) {
		if (strcmp(c->root, "/") == 0)
			return (be_set_error(h, BE_ERR_REFUSED, "will not chroot "
			    "into boot environment '%s': it is mounted at /",
			    c->be));
		return (BE_OK);
	}
	if ((err = be_mount(h, c->be, NULL, c->root, sizeof (c->root))) !=
	    BE_OK)
		return (err);
	c->mounted_be = true;
	return (BE_OK);
}

/*
 * Every directory to bind over must be a directory of the BE itself: a
 * symbolic link would be followed outside it, onto the system's own.
 */
static be_error_t
check_bind_targets(be_handle_t *h, const be_chroot_t *c)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < NSYSTEM_DIRS; i++) {
		snprintf(path, sizeof (path), "%s%s", c->root, system_dirs[i]);
		if (lstat(path, &st) != 0)
			return (be_set_error(h, BE_ERR_INVALID, "cannot bind %s "
			    "into boot environment '%s': %s: %s", system_dirs[i],
			    c->be, path, strerror(errno)));
		if (!S_ISDIR(st.st_mode))
			return (be_set_error(h, BE_ERR_INVALID, "cannot bind %s "
			    "into boot environment '%s': %s is not a directory",
			    system_dirs[i], c->be, path));
	}
	return (BE_OK);
}

static be_error_t
bind_system_dirs(be_handle_t *h, be_chroot_t *c)
{
	char path[PATH_MAX];

	for (; c->nbound < NSYSTEM_DIRS; c->nbound++) {
		const char *dir = system_dirs[c->nbound];

		snprintf(path, sizeof (path), "%s%s", c->root, dir);
		if (mount(dir, path, NULL, MS_BIND | MS_REC, NULL) != 0)
			return (be_set_error(h, BE_ERR_UNKNOWN, "cannot bind %s "
			    "at %s: %s", dir, path, strerror(errno)));
		/* Already so by the namespace; said again so that it stays
		 * true should the namespace ever go. */
		if (mount("none", path, NULL, MS_REC | MS_SLAVE, NULL) != 0) {
			c->nbound++;	/* bound: unbind it */
			return (be_set_error(h, BE_ERR_UNKNOWN, "cannot make "
			    "%s a slave mount: %s", path, strerror(errno)));
		}
	}
	return (BE_OK);
}

/*
 * Unmount each bound directory with all its submounts, the latest first,
 * so that a submount always goes before what it sits on.  A mount that
 * stays busy (a daemon the program left behind) is detached instead: it
 * is a slave in our namespace, so that cannot touch the system's.
 */
static be_error_t
unbind_system_dirs(be_handle_t *h, be_chroot_t *c)
{
	char path[PATH_MAX], **v;
	size_t n;

	while (c->nbound > 0) {
		snprintf(path, sizeof (path), "%s%s", c->root,
		    system_dirs[c->nbound - 1]);
		if ((v = be_mount_points_below(path, &n)) == NULL)
			return (be_set_error(h, BE_ERR_IO, "cannot read the "
			    "mount table /proc/self/mounts: %s",
			    strerror(errno)));
		while (n > 0) {
			n--;
			if (umount2(v[n], UMOUNT_NOFOLLOW) != 0 &&
			    umount2(v[n], UMOUNT_NOFOLLOW | MNT_DETACH) != 0) {
				be_error_t err = be_set_error(h, BE_ERR_BUSY,
				    "cannot unmount %s: %s", v[n],
				    strerror(errno));

				be_mount_points_free(v, n + 1);
				return (err);
			}
			free(v[n]);
		}
		free(v);
		c->nbound--;
	}
	return (BE_OK);
}

be_error_t
be_chroot_enter(be_handle_t *h, const char *be, be_chroot_t **out)
{
	char ds[BE_PATH_MAX];
	be_chroot_t *c;
	be_error_t err;

	*out = NULL;
	if ((err = be_existing_dataset(h, be, ds, sizeof (ds))) != BE_OK)
		return (err);
	if (strcmp(ds, h->running) == 0)
		return (be_set_error(h, BE_ERR_REFUSED, "will not chroot into "
		    "boot environment '%s': it is the running one; run the "
		    "command directly", be));
	if ((c = calloc(1, sizeof (*c))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	snprintf(c->be, sizeof (c->be), "%s", be);
	if ((err = be_private_namespace(h)) != BE_OK ||
	    (err = mount_be(h, c, ds)) != BE_OK)
		goto fail;
	if ((err = check_bind_targets(h, c)) != BE_OK ||
	    (err = bind_system_dirs(h, c)) != BE_OK) {
		/* Report the first failure, not the cleanup's. */
		struct be_saved_error first;

		be_error_save(h, &first);
		(void) be_chroot_leave(h, c);
		return (be_error_restore(h, &first));
	}
	*out = c;
	return (be_ok(h));
fail:
	free(c);
	return (err);
}

be_error_t
be_chroot_leave(be_handle_t *h, be_chroot_t *c)
{
	be_error_t err;

	if (c == NULL)
		return (be_ok(h));
	err = unbind_system_dirs(h, c);
	if (err == BE_OK && c->mounted_be)
		err = be_unmount(h, c->be, 0);
	free(c);
	return (err == BE_OK ? be_ok(h) : err);
}
