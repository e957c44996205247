/*
 * zfs_adapter.c - shims over libzfs for the OpenZFS releases beadm supports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zfs_adapter.h"
#include "test_seam.h"

int
zfsa_iter_filesystems(zfs_handle_t *zhp, zfs_iter_f fn, void *arg)
{
#if BE_ZFS_AT_LEAST(2, 2)
	return (zfs_iter_filesystems_v2(zhp, 0, fn, arg));
#else
	return (zfs_iter_filesystems(zhp, fn, arg));
#endif
}

int
zfsa_iter_snapshots(zfs_handle_t *zhp, zfs_iter_f fn, void *arg)
{
#if BE_ZFS_AT_LEAST(2, 2)
	return (zfs_iter_snapshots_sorted_v2(zhp, 0, fn, arg, 0, 0));
#else
	return (zfs_iter_snapshots_sorted(zhp, fn, arg, 0, 0));
#endif
}

int
zfsa_iter_dependents(zfs_handle_t *zhp, zfs_iter_f fn, void *arg)
{
#if BE_ZFS_AT_LEAST(2, 2)
	return (zfs_iter_dependents_v2(zhp, 0, B_FALSE, fn, arg));
#else
	return (zfs_iter_dependents(zhp, B_FALSE, fn, arg));
#endif
}

zfs_handle_t *
zfsa_open(libzfs_handle_t *lzh, const char *name, int types)
{
	/* zfs_open prints nothing unless libzfs_print_on_error is set. */
	return (zfs_open(lzh, name, types));
}

bool
zfsa_exists(libzfs_handle_t *lzh, const char *name, int types)
{
	return (zfs_dataset_exists(lzh, name, (zfs_type_t)types) != B_FALSE);
}

bool
zfsa_prop_string(zfs_handle_t *zhp, zfs_prop_t prop, char *buf, size_t sz)
{
	if (zfs_prop_get(zhp, prop, buf, sz, NULL, NULL, 0, B_TRUE) != 0) {
		if (sz > 0)
			buf[0] = '\0';
		return (false);
	}
	return (true);
}

bool
zfsa_prop_is_local(zfs_handle_t *zhp, zfs_prop_t prop)
{
	char value[ZFS_MAXPROPLEN], from[ZFS_MAX_DATASET_NAME_LEN];
	zprop_source_t src = ZPROP_SRC_NONE;

	/* libzfs leaves src at NONE unless it has somewhere to say from. */
	if (zfs_prop_get(zhp, prop, value, sizeof (value), &src, from,
	    sizeof (from), B_TRUE) != 0)
		return (false);
	return (src == ZPROP_SRC_LOCAL || src == ZPROP_SRC_RECEIVED);
}

/*
 * Is a user property with this source the dataset's own: set on it, or
 * received with it (zfs receive of a stream with properties, as beadm
 * import makes)?  Inherited ones name the dataset they come from.
 */
static bool
own_source(zfs_handle_t *zhp, const char *source)
{
	return (strcmp(source, zfs_get_name(zhp)) == 0 ||
	    strcmp(source, ZPROP_SOURCE_VAL_RECVD) == 0);
}

bool
zfsa_user_prop(zfs_handle_t *zhp, const char *prop, char *buf, size_t sz)
{
	nvlist_t *user = zfs_get_user_props(zhp);
	nvlist_t *entry;
	const char *value, *source;

	if (user == NULL || nvlist_lookup_nvlist(user, prop, &entry) != 0)
		return (false);
	if (!zfsa_nvlist_string(entry, ZPROP_VALUE, &value) ||
	    !zfsa_nvlist_string(entry, ZPROP_SOURCE, &source))
		return (false);
	if (!own_source(zhp, source))
		return (false);
	if (strlen(value) >= sz)
		return (false);
	memcpy(buf, value, strlen(value) + 1);
	return (true);
}

bool
zfsa_nvlist_string(nvlist_t *nvl, const char *key, const char **value)
{
#if BE_ZFS_AT_LEAST(2, 2)
	return (nvlist_lookup_string(nvl, key, value) == 0);
#else
	char *v;

	if (nvlist_lookup_string(nvl, key, &v) != 0)
		return (false);
	*value = v;
	return (true);
#endif
}

const char *
zfsa_nvpair_string(nvpair_t *pair)
{
#if BE_ZFS_AT_LEAST(2, 2)
	const char *v;
#else
	char *v;
#endif
	if (nvpair_type(pair) != DATA_TYPE_STRING ||
	    nvpair_value_string(pair, &v) != 0)
		return (NULL);
	return (v);
}

int
zfsa_nvlist_add_strings(nvlist_t *nvl, const char *key,
    const char *const *values, unsigned count)
{
#if BE_ZFS_AT_LEAST(2, 2)
	return (nvlist_add_string_array(nvl, key, values, count));
#else
	/* 2.1 copies the strings without changing them. */
	return (nvlist_add_string_array(nvl, key, (char *const *)values,
	    count));
#endif
}

/* Failures that mean "not here, or not this big": use libzfs instead. */
static bool
zcp_unavailable(int rc)
{
	switch (rc) {
	case ENOTSUP:
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP:
#endif
	case ENOTTY:	/* a kernel module without the ioctl */
	case ENOSYS:
	case EPERM:	/* channel programs are refused */
	case EACCES:
	case EINVAL:
	case ETIME:	/* the instruction limit */
	case ENOSPC:	/* the memory limit, or the pool's space check */
		return (true);
	default:
		return (false);
	}
}

int
zfsa_channel_program(const char *pool, const char *program, nvlist_t *args,
    nvlist_t **result, char *msg, size_t msgsz)
{
	const char *off = test_seam("BEADM_TEST_NO_ZCP");
	nvlist_t *out = NULL, *ret;
	const char *text;
	int rc;

	*result = NULL;
	if (msgsz > 0)
		msg[0] = '\0';
	if (off != NULL && strcmp(off, "1") == 0)
		return (ENOTSUP);
	/* The defaults (10 million instructions, 10 MiB) are ample: a BE of
	 * a thousand datasets and snapshots takes well under a tenth. */
	rc = lzc_channel_program(pool, program, ZCP_DEFAULT_INSTRLIMIT,
	    ZCP_DEFAULT_MEMLIMIT, args, &out);
	if (rc == 0) {
		if (out != NULL &&
		    nvlist_lookup_nvlist(out, ZCP_RET_RETURN, &ret) == 0)
			rc = nvlist_dup(ret, result, 0);
		else
			rc = nvlist_alloc(result, NV_UNIQUE_NAME, 0);
	} else if (zcp_unavailable(rc)) {
		rc = ENOTSUP;
	} else if (out != NULL &&
	    zfsa_nvlist_string(out, ZCP_RET_ERROR, &text)) {
		snprintf(msg, msgsz, "%s", text);
	}
	nvlist_free(out);
	return (rc);
}

int
zfsa_rename_nounmount(zfs_handle_t *zhp, const char *newname)
{
	renameflags_t flags = { .nounmount = zfsa_has_rename_nounmount() };

	return (zfs_rename(zhp, newname, flags));
}

bool
zfsa_has_rename_nounmount(void)
{
	/*
	 * Measured in the test VM (Linux): 2.1.11 and 2.3.2 both honour
	 * renameflags.nounmount.  Without it both unmount and remount the
	 * renamed tree (a BE mounted at a temporary directory comes back at
	 * its mountpoint property) and fail with EBUSY on a BE that has
	 * other file systems mounted below it, like the running one.
	 */
	return (true);
}

bool
zfsa_mountpoint_path(zfs_handle_t *zhp, char *buf, size_t sz)
{
	char value[ZFS_MAXPROPLEN], altroot[ZFS_MAXPROPLEN];
	const char *rest = value;
	size_t n;

	if (!zfsa_prop_string(zhp, ZFS_PROP_MOUNTPOINT, value, sizeof (value)))
		return (false);
	if (value[0] == '/' && zpool_get_prop(zfs_get_pool_handle(zhp),
	    ZPOOL_PROP_ALTROOT, altroot, sizeof (altroot), NULL,
	    B_FALSE) == 0 && altroot[0] == '/' && strcmp(altroot, "/") != 0) {
		n = strlen(altroot);
		if (strncmp(value, altroot, n) == 0 &&
		    (value[n] == '\0' || value[n] == '/'))
			rest = value[n] == '\0' ? "/" : value + n;
	}
	return ((size_t)snprintf(buf, sz, "%s", rest) < sz);
}

int
zfsa_set_prop(zfs_handle_t *zhp, const char *prop, const char *value)
{
	return (zfs_prop_set(zhp, prop, value));
}

int
zfsa_create_filesystem(libzfs_handle_t *lzh, const char *name,
    nvlist_t *props)
{
	return (zfs_create(lzh, name, ZFS_TYPE_FILESYSTEM, props));
}

struct local_props {
	zfs_handle_t *zhp;
	nvlist_t *out;
	int failed;
};

static int
local_native_cb(int prop, void *arg)
{
	struct local_props *l = arg;
	char value[ZFS_MAXPROPLEN], from[ZFS_MAX_DATASET_NAME_LEN];
	zprop_source_t src = ZPROP_SRC_NONE;

	switch (prop) {
	case ZFS_PROP_MOUNTPOINT:
	case ZFS_PROP_CANMOUNT:
	case ZFS_PROP_ENCRYPTION:
	case ZFS_PROP_KEYLOCATION:
	case ZFS_PROP_KEYFORMAT:
	case ZFS_PROP_PBKDF2_ITERS:
		return (ZPROP_CONT);
	default:
		break;
	}
	if (!zfs_prop_inheritable(prop) || zfs_prop_readonly(prop))
		return (ZPROP_CONT);
	/* Without a buffer for "inherited from", libzfs reports no source. */
	if (zfs_prop_get(l->zhp, prop, value, sizeof (value), &src, from,
	    sizeof (from), B_TRUE) != 0 ||
	    (src != ZPROP_SRC_LOCAL && src != ZPROP_SRC_RECEIVED))
		return (ZPROP_CONT);
	if (nvlist_add_string(l->out, zfs_prop_to_name(prop), value) != 0)
		l->failed = 1;
	return (ZPROP_CONT);
}

int
zfsa_local_inheritable_props(zfs_handle_t *zhp, nvlist_t *out)
{
	struct local_props l = { .zhp = zhp, .out = out, .failed = 0 };
	nvlist_t *user = zfs_get_user_props(zhp), *entry;
	nvpair_t *pair = NULL;
	const char *value, *source;

	(void) zprop_iter(local_native_cb, &l, B_FALSE, B_FALSE,
	    ZFS_TYPE_FILESYSTEM);
	while (user != NULL && (pair = nvlist_next_nvpair(user, pair))) {
		if (nvpair_value_nvlist(pair, &entry) != 0 ||
		    !zfsa_nvlist_string(entry, ZPROP_VALUE, &value) ||
		    !zfsa_nvlist_string(entry, ZPROP_SOURCE, &source) ||
		    !own_source(zhp, source))
			continue;
		if (nvlist_add_string(out, nvpair_name(pair), value) != 0)
			l.failed = 1;
	}
	return (l.failed ? ENOMEM : 0);
}
