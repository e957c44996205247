/*
 * be_install_config.c - beadm install --copy-config: what a freshly
 * installed system needs from the running one to boot on this machine.
 *
 *   /etc/hostid                    the pool was imported under this host ID;
 *                                  the initramfs must present the same one
 *   /etc/kernel/cmdline            the kernel command line (beadm rewrites
 *                                  its root= per BE when it writes entries)
 *   /etc/kernel/proxmox-boot-uuids the ESPs proxmox-boot-tool keeps in sync
 *   /etc/fstab                     the lines for file systems outside every
 *                                  BE (/home on another dataset, the ESP,
 *                                  swap), appended to the new system's own
 *
 * Each only when the running system has it.  Lines of the new fstab stay;
 * which running lines join them is fstab_merge.c's business.  Files
 * are written as on an ESP (esp_io): temporary file, fsync, rename, fsync
 * of the directory, never through a symbolic link in the new system.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_install.h"
#include "esp_io.h"
#include "fstab_merge.h"

#define FSTAB		"etc/fstab"

static const char *const plain_files[] = {
	"etc/hostid", "etc/kernel/cmdline", "etc/kernel/proxmox-boot-uuids",
	NULL
};

static void
system_root(char *buf, size_t sz)
{
	be_install_system_path("/", buf, sz);
}

static be_error_t
write_error(struct be_install_job *j, const char *rel, int e)
{
	return (be_set_error(j->h, BE_ERR_IO, "cannot write /%s in the new "
	    "system: %s", rel, strerror(e)));
}

/* Copy rel when the running system has it; *copied tells. */
static be_error_t
copy_plain(struct be_install_job *j, const char *sys, const char *rel)
{
	char *buf, dir[256];
	const char *slash = strrchr(rel, '/');
	size_t len;
	int e;

	if ((e = esp_read(sys, rel, &buf, &len)) == ENOENT)
		return (BE_OK);
	if (e != 0)
		return (be_set_error(j->h, BE_ERR_IO, "cannot read /%s: %s",
		    rel, strerror(e)));
	snprintf(dir, sizeof (dir), "%.*s", (int)(slash - rel), rel);
	if ((e = esp_mkdirs(j->dir, dir)) == 0)
		e = esp_write(j->dir, rel, buf, len);
	free(buf);
	if (e != 0)
		return (write_error(j, rel, e));
	be_install_note(j, "copied /%s", rel);
	return (BE_OK);
}

static be_error_t
copy_fstab(struct be_install_job *j, const char *sys, const char *beroot)
{
	char *running, *mine = NULL, *out;
	size_t len, added;
	be_error_t err = BE_OK;
	int e;

	if ((e = esp_read(sys, FSTAB, &running, &len)) == ENOENT)
		return (BE_OK);
	if (e != 0)
		return (be_set_error(j->h, BE_ERR_IO, "cannot read /%s: %s",
		    FSTAB, strerror(e)));
	if ((e = esp_read(j->dir, FSTAB, &mine, &len)) == ENOENT)
		mine = NULL;
	else if (e != 0)
		err = be_set_error(j->h, BE_ERR_IO, "cannot read /%s in the new "
		    "system: %s", FSTAB, strerror(e));
	if (err == BE_OK && (out = fstab_merge(running, mine != NULL ?
	    mine : "", beroot, &added)) == NULL)
		err = be_set_error(j->h, BE_ERR_NOMEM, "out of memory");
	if (err == BE_OK) {
		if (added > 0 && (e = esp_mkdirs(j->dir, "etc")) == 0)
			e = esp_write(j->dir, FSTAB, out, strlen(out));
		if (added > 0 && e != 0)
			err = write_error(j, FSTAB, e);
		else if (added > 0)
			be_install_note(j, "copied %zu line%s of /%s", added,
			    added == 1 ? "" : "s", FSTAB);
		free(out);
	}
	free(running);
	free(mine);
	return (err);
}

be_error_t
be_install_copy_config(struct be_install_job *j, const char *beroot)
{
	char sys[4096];
	be_error_t err;
	size_t i;

	system_root(sys, sizeof (sys));
	for (i = 0; plain_files[i] != NULL; i++)
		if ((err = copy_plain(j, sys, plain_files[i])) != BE_OK)
			return (err);
	return (copy_fstab(j, sys, beroot));
}
