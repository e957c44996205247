/*
 * zfs_adapter.h - the one place that knows which OpenZFS release beadm is
 * built against.  libbe calls libzfs and libzfs_core through these names;
 * where OpenZFS 2.1 and 2.3 differ, the difference is settled here (and in
 * zfs_adapter.c), never in callers.
 *
 * BE_ZFS_MAJOR and BE_ZFS_MINOR come from the build (libzfs.pc's version).
 */
#ifndef ZFS_ADAPTER_H
#define ZFS_ADAPTER_H

#include <libzfs.h>
#include <libzfs_core.h>
#include <stdbool.h>

#define BE_ZFS_AT_LEAST(maj, min) \
	(BE_ZFS_MAJOR > (maj) || (BE_ZFS_MAJOR == (maj) && BE_ZFS_MINOR >= (min)))

/* Iterators: 2.2 added _v2 variants with a flags argument; 2.1 has only the
 * plain ones, which 2.3 still provides.  Use these names everywhere. */
int zfsa_iter_filesystems(zfs_handle_t *, zfs_iter_f, void *);
int zfsa_iter_snapshots(zfs_handle_t *, zfs_iter_f, void *);	/* sorted by txg */
int zfsa_iter_dependents(zfs_handle_t *, zfs_iter_f, void *);

/* Open a file system or snapshot without printing; NULL if it is not there. */
zfs_handle_t *zfsa_open(libzfs_handle_t *, const char *name, int types);
bool zfsa_exists(libzfs_handle_t *, const char *name, int types);

/* String value of a native property; "" (and false) when unavailable. */
bool zfsa_prop_string(zfs_handle_t *, zfs_prop_t, char *buf, size_t sz);
/* Source of a native property: true when set locally (or received). */
bool zfsa_prop_is_local(zfs_handle_t *, zfs_prop_t);
/* Value of a user property set on this dataset itself; false when not set
 * (or longer than sz - 1: a buffer of ZFSA_USER_PROP_MAX holds any). */
bool zfsa_user_prop(zfs_handle_t *, const char *prop, char *buf, size_t sz);
/* OpenZFS refuses user property values of ZAP_MAXVALUELEN (8192) bytes or
 * more. */
#define	ZFSA_USER_PROP_MAX	8192

/* nvlist string look-ups: 2.3 made the value const char *, 2.1 char *. */
bool zfsa_nvlist_string(nvlist_t *, const char *key, const char **value);
const char *zfsa_nvpair_string(nvpair_t *);	/* NULL if not a string */

/* nvlist_add_string_array: 2.3 takes const char *const *, 2.1 char *const *. */
int zfsa_nvlist_add_strings(nvlist_t *, const char *key,
    const char *const *values, unsigned count);

/*
 * Run a ZFS channel program (Lua, zfs-program(8)) on pool: whatever it
 * changes changes in one transaction group.  args becomes its argument
 * table.  0 with *result set to the table it returned (empty if none; the
 * caller frees it), or:
 *   ENOTSUP  channel programs are unavailable here, or it was stopped by
 *            its instruction or memory limit, maybe after doing part of
 *            its work: do the work another way;
 *   other    it failed; what Lua said is in msg.
 * BEADM_TEST_NO_ZCP=1 in the environment (for tests only) makes it return
 * ENOTSUP without running anything, to exercise the other way.
 */
int zfsa_channel_program(const char *pool, const char *program,
    nvlist_t *args, nvlist_t **result, char *msg, size_t msgsz);

/* Rename, keeping mounts as they are where the platform can (zfs rename -u). */
int zfsa_rename_nounmount(zfs_handle_t *, const char *newname);
/* Whether zfsa_rename_nounmount really avoids remounting on this build. */
bool zfsa_has_rename_nounmount(void);

/*
 * The path a file system mounts at by its mountpoint property (inherited
 * or not) as the pool stores it: without the pool's altroot, which
 * zfs_prop_get puts in front.  "none" and "legacy" as they are.
 */
bool zfsa_mountpoint_path(zfs_handle_t *, char *buf, size_t sz);
/* Set one property by name (libzfs remounts when it is the mountpoint). */
int zfsa_set_prop(zfs_handle_t *, const char *prop, const char *value);
/* Create a file system with props (name -> string value); mounts nothing. */
int zfsa_create_filesystem(libzfs_handle_t *, const char *name,
    nvlist_t *props);
/* Add to out, as strings, the properties set on zhp itself (locally or
 * received) that its descendants inherit: native ones other than the
 * mountpoint, canmount and encryption, and user properties. */
int zfsa_local_inheritable_props(zfs_handle_t *, nvlist_t *out);

#endif /* ZFS_ADAPTER_H */
