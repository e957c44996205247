/*
 * kernel_scan.c - reading a BE's kernels and kernel settings; see
 * kernel_scan.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_scan.h"

/* A list property of the BE; values too long read as unset, and such a
 * value beadm never writes. */
static void
be_list_prop(zfs_handle_t *zhp, const char *prop, char *buf, size_t sz)
{
	if (!zfsa_user_prop(zhp, prop, buf, sz))
		buf[0] = '\0';
}

be_error_t
kscan_settings(be_handle_t *h, zfs_handle_t *zhp, struct kscan *ks)
{
	char keep[64];
	const char *where = zfs_get_name(zhp);

	if (!zfsa_user_prop(zhp, BE_PROP_KERNEL_KEEP, keep, sizeof (keep)) ||
	    keep[0] == '\0') {
		be_root_setting(h, BE_PROP_KERNEL_KEEP, keep, sizeof (keep));
		where = h->root;
	}
	if (!ksel_parse_keep(keep, &ks->keep))
		return (be_set_error(h, BE_ERR_INVALID, "%s=%s on %s is not a "
		    "number of kernels to give boot entries: use a whole number "
		    "from 1 to %d (zfs set %s=%d %s)", BE_PROP_KERNEL_KEEP,
		    keep, where, KSEL_KEEP_MAX, BE_PROP_KERNEL_KEEP,
		    KSEL_KEEP_DEFAULT, where));
	be_list_prop(zhp, BE_PROP_KERNEL_PIN, ks->pin, sizeof (ks->pin));
	be_list_prop(zhp, BE_PROP_KERNEL_ADD, ks->add, sizeof (ks->add));
	be_list_prop(zhp, BE_PROP_KERNEL_OMIT, ks->omit, sizeof (ks->omit));
	be_list_prop(zhp, BE_PROP_KERNEL_ADDED, ks->added, sizeof (ks->added));
	return (BE_OK);
}

void
kscan_choose(struct kscan *ks)
{
	const char *vp[KSCAN_MAX];
	struct ksel_settings s = { .keep = ks->keep, .pin = ks->pin,
	    .add = ks->add, .omit = ks->omit };
	size_t i;

	for (i = 0; i < ks->n; i++)
		vp[i] = ks->v[i];
	ks->deflt = ksel_choose(vp, ks->n, &s, ks->entries);
}

/* Is name in the directory dp a regular file (not a link to one)? */
static bool
regular_at(DIR *dp, const char *name)
{
	struct stat st;

	return (fstatat(dirfd(dp), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode));
}

void
kscan_dir(const char *dir, const char *skip, struct kscan *ks)
{
	const char *vp[KSCAN_MAX];
	char found[KSCAN_MAX][SDB_KVER_MAX + 1], initrd[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t i, n = 0;

	ks->n = 0;
	while (dp != NULL && (d = readdir(dp)) != NULL && n < KSCAN_MAX) {
		const char *v = d->d_name + strlen("vmlinuz-");

		if (strncmp(d->d_name, "vmlinuz-", 8) != 0 ||
		    !sdb_kver_valid(v) || (skip != NULL && strcmp(v, skip) == 0))
			continue;
		/* Both regular files: a link could lead out of the BE. */
		if ((size_t)snprintf(initrd, sizeof (initrd), "initrd.img-%s",
		    v) >= sizeof (initrd) || !regular_at(dp, d->d_name) ||
		    !regular_at(dp, initrd))
			continue;
		snprintf(found[n], sizeof (found[n]), "%s", v);
		vp[n] = found[n];
		n++;
	}
	if (dp != NULL)
		closedir(dp);
	ksel_sort(vp, n);
	for (i = 0; i < n; i++)
		snprintf(ks->v[i], sizeof (ks->v[i]), "%s", vp[i]);
	ks->n = n;
	kscan_choose(ks);
}
