/*
 * esp.c - finding, mounting and entering the EFI system partitions.
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "esp.h"
#include "esp_uuids.h"

#define ESP_MOUNT_DIR	"/run/beadm/esp"
#define MSDOS_MAGIC	0x4d44		/* statfs f_type of FAT */

static const char *const uuid_files[] = {
	"/etc/kernel/proxmox-boot-uuids",
	"/etc/kernel/pve-efiboot-uuids",	/* Proxmox VE 6.3 and older */
	NULL
};

const char *
esp_uuid_file(void)
{
	struct stat st;
	size_t i;

	for (i = 0; uuid_files[i] != NULL; i++)
		if (stat(uuid_files[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0)
			return (uuid_files[i]);
	return (NULL);
}

bool
esp_is_fat_mount(const char *path)
{
	struct statfs sfs;
	struct stat st, parent;
	char up[PATH_MAX];

	if (statfs(path, &sfs) != 0 || sfs.f_type != MSDOS_MAGIC)
		return (false);
	/* A mount point sits on another device than its parent. */
	snprintf(up, sizeof (up), "%s/..", path);
	return (stat(path, &st) == 0 && stat(up, &parent) == 0 &&
	    st.st_dev != parent.st_dev);
}

static be_error_t new_namespace(be_handle_t *, struct esp_set *);

static be_error_t
add(be_handle_t *h, struct esp_set *s, const char *id, const char *root,
    bool mounted)
{
	struct esp *v = realloc(s->v, (s->n + 1) * sizeof (*v));

	if (v == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	s->v = v;
	snprintf(v[s->n].id, sizeof (v[s->n].id), "%s", id);
	snprintf(v[s->n].root, sizeof (v[s->n].root), "%s", root);
	v[s->n].mounted_here = mounted;
	s->n++;
	return (BE_OK);
}

static void
init_set(struct esp_set *s)
{
	s->v = NULL;
	s->n = 0;
	s->outer_ns = -1;
	s->inner_ns = -1;
	s->outer_root = -1;
	s->inner_root = -1;
}

be_error_t
esp_set_open_path(be_handle_t *h, struct esp_set *s, const char *path)
{
	struct stat st;

	be_error_t err;

	init_set(s);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return (be_set_error(h, BE_ERR_INVALID, "the EFI system "
		    "partition %s is not a directory: %s", path,
		    strerror(errno ? errno : ENOTDIR)));
	/* The ESP is mounted already; the private namespace is for the BEs
	 * beadm mounts to read their kernels, so that a beadm killed while
	 * it reads them leaves no mount behind. */
	if ((err = new_namespace(h, s)) != BE_OK)
		return (err);
	esp_leave(s);
	return (add(h, s, "", path, false));
}

/*
 * Switch to mount namespace ns with root as the root directory.  setns(2)
 * puts the caller at the namespace's own root, out of any chroot: beadm
 * run in a chroot (the kernel hook, when a kernel is installed into a
 * mounted BE) would then read the host's /boot as the BE's.  The working
 * directory stays where it was.  Returns 0 or an errno value.
 */
static int
switch_ns(int ns, int root)
{
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int e = 0;

	if (setns(ns, CLONE_NEWNS) != 0 || fchdir(root) != 0 ||
	    chroot(".") != 0)
		e = errno;
	if (cwd >= 0) {
		(void) fchdir(cwd);
		close(cwd);
	}
	return (e);
}

static int
open_root(void)
{
	return (open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
}

/* Leave the original namespace for a private copy, once. */
static be_error_t
new_namespace(be_handle_t *h, struct esp_set *s)
{
	if (s->inner_ns >= 0)
		return (BE_OK);
	s->outer_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	s->outer_root = open_root();
	if (s->outer_ns < 0 || s->outer_root < 0)
		return (be_set_error(h, BE_ERR_PERM, "cannot open the mount "
		    "namespace: %s", strerror(errno)));
	if (unshare(CLONE_NEWNS) != 0)
		return (be_set_error(h, errno == EPERM ? BE_ERR_PERM :
		    BE_ERR_BOOT, "cannot make a private mount namespace for "
		    "the EFI system partitions: %s", strerror(errno)));
	/* Mounts made here must not propagate back to the system. */
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		int e = errno;

		(void) switch_ns(s->outer_ns, s->outer_root);
		return (be_set_error(h, BE_ERR_BOOT, "cannot make the mount "
		    "namespace private: %s", strerror(e)));
	}
	/* unshare(2) moved the root directory to its copy in the new
	 * namespace: remember both. */
	s->inner_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	s->inner_root = open_root();
	if (s->inner_ns < 0 || s->inner_root < 0) {
		int e = errno;

		(void) switch_ns(s->outer_ns, s->outer_root);
		return (be_set_error(h, BE_ERR_BOOT, "cannot open the private "
		    "mount namespace: %s", strerror(e)));
	}
	return (BE_OK);
}

static be_error_t
mount_one(be_handle_t *h, struct esp_set *s, const char *uuid,
    const char *file)
{
	char dir[PATH_MAX], *dev;
	be_error_t err;

	dev = blkid_evaluate_tag("UUID", uuid, NULL);
	if (dev == NULL)
		return (be_set_error(h, BE_ERR_NOENT, "no device has the UUID "
		    "%s that %s lists as an EFI system partition", uuid, file));
	snprintf(dir, sizeof (dir), "%s/%s", ESP_MOUNT_DIR, uuid);
	if ((mkdir("/run/beadm", 0700) != 0 && errno != EEXIST) ||
	    (mkdir(ESP_MOUNT_DIR, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		err = be_set_error(h, BE_ERR_BOOT, "cannot make %s: %s", dir,
		    strerror(errno));
		free(dev);
		return (err);
	}
	if (mount(dev, dir, "vfat", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL) != 0) {
		err = be_set_error(h, errno == EPERM ? BE_ERR_PERM :
		    BE_ERR_BOOT, "cannot mount the EFI system partition %s "
		    "(%s): %s", uuid, dev, strerror(errno));
		free(dev);
		return (err);
	}
	free(dev);
	return (add(h, s, uuid, dir, true));
}

/* The whole list, as a C string; a file this size is not a list of
 * UUIDs, and one with a NUL byte would end early. */
#define UUID_FILE_MAX	(64 * 1024)

static be_error_t
read_list(be_handle_t *h, const char *file, char **out)
{
	char *text = malloc(UUID_FILE_MAX + 1);
	size_t len;
	FILE *f;

	if (text == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	if ((f = fopen(file, "re")) == NULL) {
		free(text);
		return (be_set_error(h, BE_ERR_NOENT, "cannot read %s: %s",
		    file, strerror(errno)));
	}
	len = fread(text, 1, UUID_FILE_MAX + 1, f);
	if (ferror(f) || len > UUID_FILE_MAX || memchr(text, '\0', len)) {
		int e = ferror(f) ? errno : 0;

		fclose(f);
		free(text);
		return (be_set_error(h, BE_ERR_INVALID, "cannot read %s: %s",
		    file, e != 0 ? strerror(e) : "not a list of UUIDs (too "
		    "long, or not text)"));
	}
	fclose(f);
	text[len] = '\0';
	*out = text;
	return (BE_OK);
}

static bool
listed(const struct esp_set *s, const char *uuid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, uuid) == 0)
			return (true);
	return (false);
}

be_error_t
esp_set_open_uuids(be_handle_t *h, struct esp_set *s, const char *file)
{
	char uuid[ESP_UUID_MAX + 1], *text;
	const char *p;
	be_error_t err;
	int rc;

	init_set(s);
	if ((err = read_list(h, file, &text)) != BE_OK)
		return (err);
	if ((err = new_namespace(h, s)) != BE_OK) {
		free(text);
		return (err);
	}
	p = text;
	while (err == BE_OK &&
	    (rc = esp_uuids_next(&p, uuid, sizeof (uuid))) != 0) {
		if (rc < 0)
			err = be_set_error(h, BE_ERR_INVALID, "%s lists '%s', "
			    "which is not a file system UUID", file, uuid);
		else if (!listed(s, uuid))	/* the same ESP once */
			err = mount_one(h, s, uuid, file);
	}
	free(text);
	if (err == BE_OK && s->n == 0)
		err = be_set_error(h, BE_ERR_NOENT, "%s lists no EFI system "
		    "partition", file);
	/* Stay outside until asked in: later dataset mounts must be seen. */
	esp_leave(s);
	if (err != BE_OK)
		esp_set_close(s);
	return (err);
}

be_error_t
esp_enter(be_handle_t *h, struct esp_set *s)
{
	int e;

	if (s->inner_ns < 0)
		return (BE_OK);
	if ((e = switch_ns(s->inner_ns, s->inner_root)) != 0)
		return (be_set_error(h, BE_ERR_BOOT, "cannot enter the mount "
		    "namespace of the EFI system partitions: %s",
		    strerror(e)));
	return (BE_OK);
}

void
esp_leave(struct esp_set *s)
{
	if (s->outer_ns >= 0)
		(void) switch_ns(s->outer_ns, s->outer_root);
}

void
esp_set_close(struct esp_set *s)
{
	size_t i;

	if (s->inner_ns >= 0 && switch_ns(s->inner_ns, s->inner_root) == 0) {
		for (i = 0; i < s->n; i++)
			if (s->v[i].mounted_here)
				(void) umount2(s->v[i].root, 0);
		esp_leave(s);
	}
	if (s->inner_ns >= 0)
		close(s->inner_ns);
	if (s->outer_ns >= 0)
		close(s->outer_ns);
	if (s->inner_root >= 0)
		close(s->inner_root);
	if (s->outer_root >= 0)
		close(s->outer_root);
	free(s->v);
	init_set(s);
}
