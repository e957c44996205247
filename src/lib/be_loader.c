/*
 * be_loader.c - keeping the boot loader in line with the BEs: bringing an
 * existing BE under it (init), and writing entries and the default again
 * after a kernel update or another tool's refresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "be_impl.h"

/* The kernel hook: contrib/zzz-beadm is the same text, and a test checks
 * that the two agree. */
static const char kernel_hook[] =
#include "zzz-beadm.inc"
;

static be_error_t
which_be(be_handle_t *h, const char *be, char *buf, size_t sz)
{
	char dataset[BE_PATH_MAX];

	if (be == NULL) {
		be_running_name(h, buf, sz);
		if (buf[0] == '\0')
			return (be_set_error(h, BE_ERR_INVALID, "/ is not a "
			    "boot environment below %s; name one", h->root));
	} else {
		snprintf(buf, sz, "%s", be);
	}
	return (be_existing_dataset(h, buf, dataset, sizeof (dataset)));
}

static be_error_t
need_loader(be_handle_t *h)
{
	if (h->backend == NULL)
		return (be_set_error(h, BE_ERR_INVALID, "no boot loader backend "
		    "is in use (only the pool's bootfs); on a systemd-boot "
		    "system set %s=systemd-boot or proxmox on %s",
		    BE_PROP_BOOTLOADER, h->root));
	return (BE_OK);
}

be_error_t
be_refresh(be_handle_t *h, const char *be)
{
	char name[BE_PATH_MAX];
	be_error_t err;

	if ((err = need_loader(h)) != BE_OK ||
	    (err = which_be(h, be, name, sizeof (name))) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	err = be_boot_refresh(h, name);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}

/* Install the hook at path unless a file is there already (ours or not).
 * dir is made when make_dir, else a missing dir means nothing runs hooks
 * there and none is installed. */
static be_error_t
install_hook(be_handle_t *h, const char *dir, bool make_dir)
{
	char path[BE_PATH_MAX], tmp[BE_PATH_MAX];
	size_t len = strlen(kernel_hook);
	struct stat st;
	int fd;

	if (snprintf(path, sizeof (path), "%s/%s", dir, BE_HOOK_NAME) >=
	    (int)sizeof (path) || snprintf(tmp, sizeof (tmp), "%s.beadm-tmp",
	    path) >= (int)sizeof (tmp))
		return (be_set_error(h, BE_ERR_INVALID, "hook path too long: "
		    "%s", dir));
	if (lstat(path, &st) == 0)
		return (BE_OK);
	if (make_dir) {
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return (be_set_error(h, BE_ERR_IO, "cannot create %s: "
			    "%s", dir, strerror(errno)));
	} else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return (BE_OK);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0755);
	if (fd < 0 || write(fd, kernel_hook, len) != (ssize_t)len ||
	    fchmod(fd, 0755) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		int e = errno;

		(void) unlink(tmp);
		return (be_set_error(h, BE_ERR_IO, "cannot install the hook "
		    "%s: %s", path, strerror(e)));
	}
	return (BE_OK);
}

/* The hook, wherever a tool that rewrites the ESPs' loader.conf or the
 * BE's kernels and initrds runs its own: after a kernel is installed and
 * removed (the directories are made: the kernel packages run them when
 * they are there), and after update-initramfs where a boot tool hooks it
 * (proxmox-boot-tool, systemd-boot: the directory exists). */
const struct be_hook_dir be_hook_dirs[] = {
	{ BE_HOOK_DIR_KERNEL_INST, true, "a kernel install" },
	{ BE_HOOK_DIR_KERNEL_RM, true, "a kernel removal" },
	{ BE_HOOK_DIR_INITRAMFS, false, "update-initramfs" },
	{ NULL, false, NULL }
};

static be_error_t
install_hooks(be_handle_t *h)
{
	const struct be_hook_dir *d;
	be_error_t err = BE_OK;

	for (d = be_hook_dirs; err == BE_OK && d->dir != NULL; d++)
		err = install_hook(h, d->dir, d->made_by_beadm);
	return (err);
}

be_error_t
be_init_boot(be_handle_t *h, const char *be)
{
	char name[BE_PATH_MAX], deflt[BE_PATH_MAX], once[BE_PATH_MAX];
	char bootfs[BE_PATH_MAX];
	be_error_t err;

	if ((err = need_loader(h)) != BE_OK ||
	    (err = which_be(h, be, name, sizeof (name))) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = be_boot_state(h, deflt, sizeof (deflt), once,
	    sizeof (once))) != BE_OK ||
	    (err = be_bootfs(h, bootfs, sizeof (bootfs))) != BE_OK)
		goto out;
	/* What boots stays what boots: the default moves to beadm's entries
	 * only when they boot the same BE. */
	if (strcmp(deflt, name) == 0 || (deflt[0] == '\0' &&
	    strcmp(bootfs, name) == 0))
		err = be_boot_activate(h, name);
	else
		err = be_boot_create(h, name);
	/* The installer's BE is canmount=on: any other BE booted would
	 * have it mounted over / by `zfs mount -a`. */
	if (err == BE_OK)
		err = be_settle_all_canmount(h);
	if (err == BE_OK)
		err = install_hooks(h);
out:
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}
