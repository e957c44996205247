/*
 * vm_initrd.c - the kernel of a root tree and the initramfs that boots it
 * over virtiofs or 9p.
 *
 * The initramfs is beadm's own: /init is beadm-vm-init (a static program,
 * vm_init.c), /beadm-modules lists the kernel modules the root share needs in
 * the order they load, and the modules themselves come from the root's own
 * lib/modules/KVER, so they always match its kernel.  Nothing of the root
 * is changed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "dpkg_version.h"
#include "inroot.h"
#include "read_whole.h"
#include "vm.h"
#include "vm_moddep.h"

/* What a root over virtio-pci needs; dependencies (fuse) are added. */
static const char *const modules_9p[] = {
	"virtio_pci", "9pnet_virtio", "9p", NULL
};
static const char *const modules_virtiofs[] = {
	"virtio_pci", "virtiofs", NULL
};
/* modules.dep of a kernel with every driver: about 1 MB. */
#define MODDEP_MAX	(64UL << 20)

void
vm_err(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, VM_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* ---- the kernel ------------------------------------------------------- */

/*
 * The real path of root/usr/lib/modules/KVER or root/lib/modules/KVER,
 * when a directory.  Resolved inside root, as everything of the root is
 * here: the root is a BE, and no link in it may make beadm pack or boot a
 * file of the host's.
 */
static bool
modules_dir(const char *root, const char *kver, char *buf, size_t sz)
{
	static const char *const where[] = { "usr/lib", "lib", NULL };
	char rel[512];
	struct stat st;
	size_t i;

	for (i = 0; where[i] != NULL; i++) {
		if ((size_t)snprintf(rel, sizeof (rel), "%s/modules/%s",
		    where[i], kver) < sizeof (rel) &&
		    inroot_realpath(root, rel, buf, sz) == 0 &&
		    stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return (true);
	}
	return (false);
}

/* A kernel: a regular file in the root's /boot, and its modules.  Its
 * real path (inside root) into path. */
static bool
is_kernel(const char *root, const char *kver, char *path, size_t sz)
{
	char rel[512], mods[4096];
	struct stat st;

	if (kver[0] == '\0' || strchr(kver, '/') != NULL ||
	    (size_t)snprintf(rel, sizeof (rel), "boot/vmlinuz-%s", kver) >=
	    sizeof (rel) || inroot_realpath(root, rel, path, sz) != 0 ||
	    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return (false);
	return (modules_dir(root, kver, mods, sizeof (mods)));
}

int
vm_find_kernel(const char *root, const char *want, char *kver, size_t ksz,
    char *vmlinuz, size_t vsz, char *err)
{
	char boot[4096], best[256] = "", path[4096];
	struct dirent *de;
	DIR *d;

	if (want != NULL) {
		if (!is_kernel(root, want, path, sizeof (path))) {
			vm_err(err, "no kernel %s: need "
			    "boot/vmlinuz-%s and lib/modules/%s", want, want,
			    want);
			return (-1);
		}
		snprintf(best, sizeof (best), "%s", want);
	} else {
		snprintf(boot, sizeof (boot), "%s/boot", root);
		if ((d = opendir(boot)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				const char *v = de->d_name + 8;

				if (strncmp(de->d_name, "vmlinuz-", 8) != 0 ||
				    strlen(v) >= sizeof (best) ||
				    !is_kernel(root, v, path, sizeof (path)))
					continue;
				if (best[0] == '\0' ||
				    dpkg_version_compare(v, best) > 0)
					snprintf(best, sizeof (best), "%s", v);
			}
			closedir(d);
		}
		if (best[0] == '\0') {
			vm_err(err, "no kernel to boot: found no "
			    "boot/vmlinuz-VERSION with modules in "
			    "lib/modules/VERSION; install a kernel package in "
			    "it first");
			return (-1);
		}
	}
	snprintf(kver, ksz, "%s", best);
	if (!is_kernel(root, best, path, sizeof (path)) ||
	    (size_t)snprintf(vmlinuz, vsz, "%s", path) >= vsz) {
		vm_err(err, "kernel %s: its path is too long", best);
		return (-1);
	}
	return (0);
}

/* ---- the modules the root share needs --------------------------------- */

/* A file of the modules directory (a real path), read whole from inside
 * it: a link there leads nowhere outside.  0 or an errno. */
static int
read_in_moddir(const char *moddir, const char *name, char **text)
{
	size_t len;
	int fd, e;

	if ((fd = inroot_open_file(moddir, name)) < 0)
		return (errno);
	e = read_whole_fd(fd, MODDEP_MAX, text, &len);
	(void) close(fd);
	return (e);
}

/*
 * Add module want and what it needs, dependencies first, from the text of
 * modules.dep (dep); *builtin is modules.builtin's, read the first time a
 * module is not in dep ("" when the kernel has none).
 */
static int
resolve(struct vm_modlist *m, const char *moddir, const char *dep,
    char **builtin, const char *want, const char *fs, char *err)
{
	int rc = vm_moddep_resolve(m, dep, want, err);

	if (rc == 1 && *builtin == NULL &&
	    read_in_moddir(moddir, "modules.builtin", builtin) != 0)
		*builtin = strdup("");
	if (rc == 1 && *builtin != NULL && vm_moddep_builtin(*builtin, want))
		rc = 0;
	if (rc == 1) {
		vm_err(err, "kernel module %s is neither in %s/modules.dep "
		    "nor built in; this kernel cannot mount a %s root", want,
		    moddir, fs);
		rc = -1;
	}
	return (rc);
}

/* ---- the archive ------------------------------------------------------ */

/* Every directory leading to name ("lib", "lib/modules", ...). */
static int
parents(struct cpio *c, const char *name)
{
	char dir[4096];
	const char *p;

	for (p = strchr(name, '/'); p != NULL; p = strchr(p + 1, '/')) {
		snprintf(dir, sizeof (dir), "%.*s", (int)(p - name), name);
		if (cpio_dir(c, dir, 0755) != 0)
			return (-1);
	}
	return (0);
}

static int
pack(struct cpio *c, const struct vm_modlist *m, const char *moddir,
    const char *kver, const char *init_path, char *err)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "newroot",
		NULL };
	char name[4096], src[4096], *list;
	size_t i, len = 0;
	int fd;

	for (i = 0; dirs[i] != NULL; i++)
		if (cpio_dir(c, dirs[i], 0755) != 0)
			goto io;
	if (cpio_copy(c, "init", 0755, init_path) != 0) {
		vm_err(err, "cannot read %s: %s", init_path,
		    strerror(errno));
		return (-1);
	}
	if ((list = calloc(m->n + 1, 4096)) == NULL) {
		vm_err(err, "out of memory");
		return (-1);
	}
	for (i = 0; i < m->n; i++) {
		if ((size_t)snprintf(name, sizeof (name), "lib/modules/%s/%s",
		    kver, m->path[i]) >= sizeof (name) - 2 ||
		    (size_t)snprintf(src, sizeof (src), "%s/%s", moddir,
		    m->path[i]) >= sizeof (src)) {
			vm_err(err, "module path too long: %s", m->path[i]);
			free(list);
			return (-1);
		}
		len += (size_t)sprintf(list + len, "/%s\n", name);
		if (parents(c, name) != 0)
			break;
		fd = inroot_open_file(moddir, m->path[i]);
		if (fd < 0 || cpio_copy_fd(c, name, 0644, fd) != 0) {
			vm_err(err, "cannot read %s: %s", src,
			    strerror(errno));
			free(list);
			return (-1);
		}
	}
	if (i == m->n && cpio_file(c, "beadm-modules", 0644, list, len) == 0 &&
	    cpio_close(c) == 0) {
		free(list);
		return (0);
	}
	free(list);
io:
	vm_err(err, "cannot write the initramfs: %s",
	    strerror(errno));
	return (-1);
}

/* The modules a root shared by share needs, into m. */
static int
root_modules(struct vm_modlist *m, const char *root, const char *kver,
    enum vm_share share, char *moddir, size_t msz, char *err)
{
	const char *const *want = share == VM_SHARE_VIRTIOFS ?
	    modules_virtiofs : modules_9p;
	const char *fs = share == VM_SHARE_VIRTIOFS ? "virtiofs" : "9p";
	char *dep, *builtin = NULL;
	size_t i;
	int rc = 0, e;

	if (!modules_dir(root, kver, moddir, msz)) {
		vm_err(err, "no lib/modules/%s", kver);
		return (-1);
	}
	/* Each file read once, however many modules are wanted. */
	if ((e = read_in_moddir(moddir, "modules.dep", &dep)) != 0) {
		vm_err(err, "cannot read %s/modules.dep: %s (run depmod for "
		    "the kernel)", moddir, strerror(e));
		return (-1);
	}
	for (i = 0; rc == 0 && want[i] != NULL; i++)
		rc = resolve(m, moddir, dep, &builtin, want[i], fs, err);
	free(dep);
	free(builtin);
	return (rc);
}

int
vm_check_modules(const char *root, const char *kver, enum vm_share share,
    char *err)
{
	struct vm_modlist m = { .n = 0 };
	char moddir[4096];
	int rc;

	rc = root_modules(&m, root, kver, share, moddir, sizeof (moddir), err);
	vm_modlist_free(&m);
	return (rc);
}

int
vm_write_initramfs(int fd, const char *root, const char *kver,
    enum vm_share share, const char *init_path, char *err)
{
	struct vm_modlist m = { .n = 0 };
	char moddir[4096];
	struct cpio c;
	int rc;

	rc = root_modules(&m, root, kver, share, moddir, sizeof (moddir), err);
	if (rc == 0) {
		cpio_open(&c, fd);
		rc = pack(&c, &m, moddir, kver, init_path, err);
	}
	vm_modlist_free(&m);
	return (rc);
}
