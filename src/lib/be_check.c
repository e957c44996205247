/*
 * be_check.c - is this system ready for boot environments?
 *
 * Each finding goes to the caller's callback as "ok" or as a problem with a
 * hint that fixes it.  be_check may be given a handle whose be_set_root()
 * failed: explaining why there is no BE root is one of its jobs.  It reads
 * only, so it takes no lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "be_impl.h"
#include "be_platform.h"
#include "dpkg_status.h"

#define WHAT_MAX	(BE_PATH_MAX * 2 + 1024)

struct report {
	be_check_fn fn;
	void *arg;
	int problems;
	be_handle_t *h;
};

static void
found(struct report *r, bool ok, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
found(struct report *r, bool ok, const char *hint, const char *fmt, ...)
{
	char what[WHAT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof (what), fmt, ap);
	va_end(ap);
	if (!ok)
		r->problems++;
	if (r->fn != NULL)
		r->fn(ok, what, ok ? NULL : hint, r->arg);
}

static void
check_root_user(struct report *r)
{
	if (geteuid() == 0)
		found(r, true, NULL, "running as root");
	else
		found(r, false, "run beadm as root (e.g. with sudo)",
		    "not running as root: beadm changes pools and needs root");
}

static bool
check_zfs(struct report *r)
{
	if (r->h->lzh != NULL) {
		found(r, true, NULL, "the ZFS library and kernel module are "
		    "available (libzfs %s)", BE_ZFS_VERSION);
		return (true);
	}
	found(r, false, "load the module (modprobe zfs) and make sure "
	    "/dev/zfs exists", "%s", be_errmsg(r->h));
	return (false);
}

/* The release the running system says it is (os-release(5)'s two places). */
static bool
read_os_release(struct be_os_release *os)
{
	static const char *const paths[] = { "/etc/os-release",
	    "/usr/lib/os-release" };
	size_t i;

	for (i = 0; i < sizeof (paths) / sizeof (paths[0]); i++) {
		FILE *f = fopen(paths[i], "re");
		int e;

		if (f == NULL)
			continue;
		e = be_os_release_parse(f, os);
		fclose(f);
		return (e == 0);
	}
	return (false);
}

/* The installed version of pve-manager into buf; false when none. */
static bool
read_pve_version(char *buf, size_t size)
{
	struct dpkg_status st;
	FILE *f = fopen("/var/lib/dpkg/status", "re");
	bool found = false;
	size_t i;

	if (f == NULL)
		return (false);
	if (dpkg_status_read(f, &st) != 0) {
		fclose(f);
		return (false);
	}
	fclose(f);
	for (i = 0; i < st.n; i++)
		if (strcmp(st.v[i].name, "pve-manager") == 0 &&
		    strlen(st.v[i].version) < size) {
			snprintf(buf, size, "%s", st.v[i].version);
			found = true;
		}
	dpkg_status_free(&st);
	return (found);
}

/* The loaded module's version ("2.3.9-1") into buf; false when none. */
static bool
read_zfs_module_version(char *buf, size_t size)
{
	FILE *f = fopen("/sys/module/zfs/version", "re");
	bool ok;

	if (f == NULL)
		return (false);
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return (false);	/* buf is indeterminate */
	buf[strcspn(buf, "\n")] = '\0';
	return (buf[0] != '\0');
}

/*
 * Which Debian, Proxmox VE and OpenZFS this is, against what beadm supports
 * and tests (be_platform.h).  Only a release older than beadm supports, or
 * a kernel module of another OpenZFS release than libzfs, is a problem.
 */
static void
check_platform(struct report *r)
{
	struct be_os_release os;
	char pve[64], kmod[64];
	enum be_support s;

	if (!read_os_release(&os)) {
		found(r, true, NULL, "this system has no os-release(5) file: "
		    "beadm is tested on Debian 12 and 13");
	} else {
		s = be_support_debian(&os);
		found(r, s != BE_SUPPORT_OLDER, "upgrade to Debian 12 or "
		    "later", "%s: %s", os.pretty_name[0] != '\0' ?
		    os.pretty_name : os.id, be_support_words(s));
	}
	if (read_pve_version(pve, sizeof (pve))) {
		s = be_support_pve(pve);
		found(r, s != BE_SUPPORT_OLDER, "upgrade to Proxmox VE 8 or "
		    "later", "Proxmox VE (pve-manager %s): %s; beadm's tests "
		    "model its layout and proxmox-boot-tool", pve,
		    be_support_words(s));
	}
	if (!read_zfs_module_version(kmod, sizeof (kmod)))
		return;
	s = be_support_openzfs(kmod);
	found(r, s != BE_SUPPORT_OLDER, "upgrade OpenZFS to 2.1 or later",
	    "OpenZFS %s (kernel module): %s", kmod, be_support_words(s));
	if (!be_openzfs_same_series(kmod, BE_ZFS_VERSION))
		found(r, false, "reboot, so that the kernel module of the "
		    "installed OpenZFS is loaded", "the loaded OpenZFS kernel "
		    "module (%s) and libzfs (%s) are of different releases",
		    kmod, BE_ZFS_VERSION);
}

static bool
check_be_root(struct report *r, const char *why)
{
	if (r->h->pool[0] != '\0') {
		found(r, true, NULL, "the BE root is %s (pool %s)", r->h->root,
		    r->h->pool);
		return (true);
	}
	found(r, false, "keep / on a dataset directly below a BE root (e.g. "
	    "rpool/ROOT/default below rpool/ROOT), or name the root with "
	    "beadm -r POOL/ROOT", "%s", why);
	return (false);
}

/* The BE name of dataset when it is directly below the root, else NULL. */
static const char *
be_name_in_root(const be_handle_t *h, const char *dataset)
{
	size_t len = strlen(h->root);

	if (strncmp(dataset, h->root, len) != 0 || dataset[len] != '/' ||
	    strchr(dataset + len + 1, '/') != NULL)
		return (NULL);
	return (dataset + len + 1);
}

static void
check_running(struct report *r)
{
	be_handle_t *h = r->h;
	const char *be;

	if (h->running[0] == '\0') {
		found(r, false, "install the system on a dataset below the BE "
		    "root, or boot one", "/ is not a ZFS file system, so this "
		    "system does not run from a BE");
		return;
	}
	if ((be = be_name_in_root(h, h->running)) == NULL) {
		found(r, false, "move the root file system to a dataset "
		    "directly below the BE root, or name its parent with -r",
		    "/ is %s, which is not a BE below %s", h->running, h->root);
		return;
	}
	found(r, true, NULL, "/ is BE '%s' (%s)", be, h->running);
}

static void
check_bootfs(struct report *r)
{
	be_handle_t *h = r->h;
	char be[BE_PATH_MAX], dataset[BE_PATH_MAX * 2], hint[BE_PATH_MAX];

	if (be_bootfs(h, be, sizeof (be)) != BE_OK) {
		found(r, false, "check that the pool is imported and healthy",
		    "%s", be_errmsg(h));
		return;
	}
	if (be[0] == '\0') {
		found(r, false, "beadm activate BE", "pool '%s' has no bootfs "
		    "naming a BE below %s, so loaders that read bootfs "
		    "(FreeBSD's, ZFSBootMenu) do not know what to boot",
		    h->pool, h->root);
		return;
	}
	snprintf(dataset, sizeof (dataset), "%s/%s", h->root, be);
	if (!zfsa_exists(h->lzh, dataset, ZFS_TYPE_FILESYSTEM)) {
		snprintf(hint, sizeof (hint), "beadm activate BE");
		found(r, false, hint, "pool '%s' has bootfs=%s, which does "
		    "not exist", h->pool, dataset);
		return;
	}
	found(r, true, NULL, "pool '%s' boots BE '%s' (bootfs=%s)", h->pool,
	    be, dataset);
}

/*
 * The mountpoint as set, without the pool's altroot that libzfs puts in
 * front of it (an imported foreign pool is still checked as it would boot).
 */
static void
mountpoint_of(be_handle_t *h, zfs_handle_t *zhp, char *buf, size_t sz)
{
	char altroot[BE_PATH_MAX], mp[BE_PATH_MAX];
	zpool_handle_t *zph = zfs_get_pool_handle(zhp);
	size_t len;

	(void)h;
	(void) zfsa_prop_string(zhp, ZFS_PROP_MOUNTPOINT, mp, sizeof (mp));
	if (zph == NULL || zpool_get_prop(zph, ZPOOL_PROP_ALTROOT, altroot,
	    sizeof (altroot), NULL, B_FALSE) != 0 || altroot[0] != '/' ||
	    strcmp(altroot, "/") == 0) {
		snprintf(buf, sz, "%s", mp);
		return;
	}
	len = strlen(altroot);
	if (strcmp(mp, altroot) == 0)
		snprintf(buf, sz, "/");
	else if (strncmp(mp, altroot, len) == 0 && mp[len] == '/')
		snprintf(buf, sz, "%s", mp + len);
	else
		snprintf(buf, sz, "%s", mp);
}

/* An inactive BE's descendant that `zfs mount -a` would mount. */
static int
auto_mounted_cb(zfs_handle_t *zhp, void *arg)
{
	struct report *r = arg;
	char hint[BE_PATH_MAX + 64], mp[BE_PATH_MAX];

	mountpoint_of(r->h, zhp, mp, sizeof (mp));
	/* mountpoint=none or legacy: `zfs mount -a` leaves it alone. */
	if (zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT) == ZFS_CANMOUNT_ON &&
	    mp[0] == '/') {
		snprintf(hint, sizeof (hint), "zfs set canmount=noauto %s",
		    zfs_get_name(zhp));
		found(r, false, hint, "%s has canmount=on: `zfs mount -a` "
		    "would mount it at %s over the running system's",
		    zfs_get_name(zhp), mp);
	}
	(void) zfsa_iter_filesystems(zhp, auto_mounted_cb, r);
	zfs_close(zhp);
	return (0);
}

static void
check_be_dataset(struct report *r, zfs_handle_t *zhp)
{
	const char *name = zfs_get_name(zhp);
	const char *be = strrchr(name, '/') + 1;
	char mp[BE_PATH_MAX], hint[BE_PATH_MAX + 64];
	uint64_t canmount = zfs_prop_get_int(zhp, ZFS_PROP_CANMOUNT);
	bool good = true;

	if (canmount != ZFS_CANMOUNT_NOAUTO) {
		snprintf(hint, sizeof (hint), "zfs set canmount=noauto %s",
		    name);
		found(r, false, hint, "BE '%s' has canmount=%s: %s", be,
		    canmount == ZFS_CANMOUNT_ON ? "on" : "off",
		    canmount == ZFS_CANMOUNT_ON ? "`zfs mount -a` would mount "
		    "it over the running BE" : "it cannot be mounted as /");
		good = false;
	}
	mountpoint_of(r->h, zhp, mp, sizeof (mp));
	if (strcmp(mp, "/") != 0) {
		snprintf(hint, sizeof (hint), "zfs set mountpoint=/ %s", name);
		found(r, false, hint, "BE '%s' has mountpoint=%s, not /", be,
		    mp);
		good = false;
	}
	if (strcmp(name, r->h->running) != 0) {
		int before = r->problems;

		(void) zfsa_iter_filesystems(zhp, auto_mounted_cb, r);
		good = good && r->problems == before;
	}
	if (good)
		found(r, true, NULL, "BE '%s' has canmount=noauto and "
		    "mountpoint=/", be);
}

/* A child of the BE root whose name is not a BE's: beadm lists no BE for
 * it, but `zfs mount -a` would mount what of it is canmount=on. */
static void
check_stray_dataset(struct report *r, zfs_handle_t *zhp)
{
	const char *name = zfs_get_name(zhp);
	const char *why = "";
	int before = r->problems;
	zfs_handle_t *self;

	(void) be_name_valid(strrchr(name, '/') + 1, &why);
	/* auto_mounted_cb closes the handle it is given. */
	if ((self = zfsa_open(r->h->lzh, name, ZFS_TYPE_FILESYSTEM)) != NULL)
		(void) auto_mounted_cb(self, r);
	found(r, r->problems == before, r->problems == before ? NULL :
	    "rename it (zfs rename) to a name beadm takes, or set "
	    "canmount=noauto as said above", "%s below the BE root is not a "
	    "boot environment (%s): beadm neither lists nor activates it",
	    name, why);
}

static int
be_dataset_cb(zfs_handle_t *zhp, void *arg)
{
	struct report *r = arg;

	if (be_dataset_is_be(zfs_get_name(zhp)))
		check_be_dataset(r, zhp);
	else
		check_stray_dataset(r, zhp);
	zfs_close(zhp);
	return (0);
}

static void
check_bes(struct report *r)
{
	char making[BE_NAME_MAX + 1];
	zfs_handle_t *zhp = zfsa_open(r->h->lzh, r->h->root,
	    ZFS_TYPE_FILESYSTEM);
	if (zhp == NULL) {
		found(r, false, "check that the pool is imported", "cannot "
		    "open the BE root %s: %s", r->h->root,
		    libzfs_error_description(r->h->lzh));
		return;
	}
	(void) zfsa_iter_filesystems(zhp, be_dataset_cb, r);
	/* Opening the root removed what an interrupted run left, unless
	 * another beadm holds the pool (or the removal failed). */
	if (be_making_of(zhp, making, sizeof (making)))
		found(r, false, "wait for the other beadm to finish; if none "
		    "runs, run beadm again as root: it removes what was left "
		    "(zfs get beadm:making names it)", "boot environment '%s' "
		    "is not whole: another beadm is making it, or one that "
		    "was interrupted left it and it could not be removed",
		    making);
	zfs_close(zhp);
}

/* A finding of the loader backend's own (each ESP's default). */
static void
esp_finding(void *arg, bool ok, const char *fix, const char *what)
{
	found(arg, ok, fix, "%s", what);
}

/* beadm's hook in dir, run after what is done, is there. */
static void
check_hook(struct report *r, const char *dir, const char *what)
{
	char path[BE_PATH_MAX];

	(void) snprintf(path, sizeof (path), "%s/%s", dir, BE_HOOK_NAME);
	if (access(path, X_OK) != 0)
		found(r, false, "run 'beadm init' to install it", "the hook %s "
		    "is missing: after %s beadm's boot entries and default "
		    "would not be written again", path, what);
}

/* The loader backend can read its state (ESPs mounted, journal finished),
 * something boots, and beadm's hooks are there to keep it so. */
static void
check_loader(struct report *r)
{
	char deflt[BE_PATH_MAX], once[BE_PATH_MAX];
	const struct be_hook_dir *d;
	be_handle_t *h = r->h;

	found(r, true, NULL, "boot loader backend: %s", be_backend_name(h));
	if (h->backend == NULL)
		return;
	if (be_boot_state(h, deflt, sizeof (deflt), once,
	    sizeof (once)) != BE_OK) {
		found(r, false, "fix what the message names, then run "
		    "'beadm check' again", "the %s boot loader cannot be read: "
		    "%s", be_backend_name(h), be_errmsg(h));
		return;
	}
	if (deflt[0] == '\0')
		found(r, false, "run 'beadm init' to give the running BE its "
		    "boot entries", "no boot environment below %s boots by "
		    "default", h->root);
	else
		found(r, true, NULL, "boots by default: %s", deflt);
	if (be_boot_check_esps(h, esp_finding, r) != BE_OK)
		found(r, false, "fix what the message names, then run "
		    "'beadm check' again", "the ESPs cannot be checked: %s",
		    be_errmsg(h));
	for (d = be_hook_dirs; d->dir != NULL; d++)
		if (d->made_by_beadm || access(d->dir, F_OK) == 0)
			check_hook(r, d->dir, d->after);
}

be_error_t
be_check(be_handle_t *h, be_check_fn fn, void *arg)
{
	struct report r = { .fn = fn, .arg = arg, .problems = 0, .h = h };
	char why[sizeof (h->errmsg)];
	bool zfs_ok;

	/* The reason be_set_root() failed, if it did. */
	snprintf(why, sizeof (why), "%s", be_errmsg(h));
	check_root_user(&r);
	zfs_ok = check_zfs(&r);
	check_platform(&r);
	if (zfs_ok && check_be_root(&r, why)) {
		check_running(&r);
		check_bootfs(&r);
		check_bes(&r);
		check_loader(&r);
	}
	if (r.problems > 0)
		return (be_set_error(h, BE_ERR_INVALID, "%d problem%s found",
		    r.problems, r.problems == 1 ? "" : "s"));
	return (be_ok(h));
}
