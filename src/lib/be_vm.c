/*
 * be_vm.c - the ZFS side of beadm vm: a throwaway clone of a BE to boot
 * under QEMU, so that the BE itself is never written by the test boot.
 *
 * The clone is an ordinary BE (be_create from the BE) named BE-vm-XXXXXX
 * and marked beadm:vm=yes, so that one left behind by a crash can be told
 * apart from the user's own; it is mounted with all its datasets at a
 * private directory.  Afterwards it is unmounted and destroyed with the
 * origin snapshot create took, or kept: then the mark goes and it is a BE
 * like any other, ready to activate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "be_impl.h"

#define BE_PROP_VM	"beadm:vm"
#define VM_SUFFIX	"-vm-XXXXXX"
#define VM_TRIES	5

/* BE-vm-XXXXXX, with BE shortened to keep the name within BE_NAME_MAX. */
static void
clone_name(const char *be, char *buf, size_t sz)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[6];
	size_t keep = strlen(be), i, len;

	if (keep > BE_NAME_MAX - strlen(VM_SUFFIX))
		keep = BE_NAME_MAX - strlen(VM_SUFFIX);
	if (getrandom(rnd, sizeof (rnd), 0) != (ssize_t)sizeof (rnd)) {
		unsigned long seed = (unsigned long)time(NULL) ^
		    ((unsigned long)getpid() << 16);

		for (i = 0; i < sizeof (rnd); i++, seed >>= 5)
			rnd[i] = (unsigned char)seed;
	}
	len = (size_t)snprintf(buf, sz, "%.*s-vm-", (int)keep, be);
	for (i = 0; i < sizeof (rnd) && len + i + 1 < sz; i++)
		buf[len + i] = chars[rnd[i] % (sizeof (chars) - 1)];
	buf[len + i] = '\0';
}

be_error_t
be_vm_prepare(be_handle_t *h, const char *be, char *clone, size_t csz,
    char *mnt, size_t msz)
{
	static const char *const props[] = { BE_PROP_VM "=yes", NULL };
	be_create_opts_t opts = { .source = be, .props = props };
	char ds[BE_PATH_MAX], name[BE_NAME_MAX + 1];
	struct be_saved_error first;
	const char *why;
	be_error_t err = BE_ERR_EXISTS;
	int tries;

	if ((err = be_existing_dataset(h, be, ds, sizeof (ds))) != BE_OK)
		return (err);
	err = BE_ERR_EXISTS;
	for (tries = 0; err == BE_ERR_EXISTS && tries < VM_TRIES; tries++) {
		clone_name(be, name, sizeof (name));
		if (!be_name_valid(name, &why))
			return (be_set_error(h, BE_ERR_BADNAME, "cannot name "
			    "a clone of '%s' for the test boot: %s", be, why));
		err = be_create(h, name, &opts);
	}
	if (err != BE_OK)
		return (err);
	if ((err = be_mount(h, name, NULL, mnt, msz)) != BE_OK) {
		be_error_save(h, &first);
		(void) be_destroy(h, name, BE_DESTROY_FORCE);
		return (be_error_restore(h, &first));
	}
	snprintf(clone, csz, "%s", name);
	return (be_ok(h));
}

static be_error_t
unmark(be_handle_t *h, const char *clone)
{
	char ds[BE_PATH_MAX];
	zfs_handle_t *zhp;
	be_error_t err;
	int rc;

	if ((err = be_existing_dataset(h, clone, ds, sizeof (ds))) != BE_OK)
		return (err);
	if ((zhp = zfsa_open(h->lzh, ds, ZFS_TYPE_FILESYSTEM)) == NULL)
		return (be_set_zfs_error(h, "cannot open %s", ds));
	rc = zfs_prop_inherit(zhp, BE_PROP_VM, B_FALSE);
	zfs_close(zhp);
	if (rc != 0)
		return (be_set_zfs_error(h, "cannot clear %s on %s",
		    BE_PROP_VM, ds));
	return (BE_OK);
}

be_error_t
be_vm_release(be_handle_t *h, const char *clone, bool keep)
{
	be_error_t err;

	err = be_unmount(h, clone, BE_MOUNT_FORCE);
	/* Not mounted (any more) is where we want it. */
	if (err != BE_OK && err != BE_ERR_INVALID)
		return (err);
	if (keep)
		err = unmark(h, clone);
	else
		err = be_destroy(h, clone, BE_DESTROY_FORCE);
	return (err == BE_OK ? be_ok(h) : err);
}
