/*
 * be_mounts.h - reading the mount table.  Kept apart from libzfs's headers,
 * whose libspl redefines getmntent().
 */
#ifndef BE_MOUNTS_H
#define BE_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* The ZFS dataset mounted at dir now (the last mount there wins). */
bool be_zfs_mounted_at(const char *dir, char *dataset, size_t sz);

#endif /* BE_MOUNTS_H */
