/*
 * be_mounts.h - what the mount table says about datasets and directories.
 */
#ifndef BE_MOUNTS_H
#define BE_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* The ZFS dataset mounted at dir now (the last mount there wins); false
 * also when its name does not fit in sz bytes. */
bool be_zfs_mounted_at(const char *dir, char *dataset, size_t sz);
/* Where the ZFS dataset is mounted now (its latest mount), if anywhere
 * and if the path fits in sz bytes. */
bool be_zfs_mount_of(const char *dataset, char *dir, size_t sz);
/*
 * The mount points at or below dir, in the order they were mounted (a
 * mount's submounts come after it), as a malloc'd array of malloc'd
 * strings; *n gets their number.  NULL when the table cannot be read or
 * memory runs out.  Free with be_mount_points_free().
 */
char **be_mount_points_below(const char *dir, size_t *n);
void be_mount_points_free(char **v, size_t n);

#endif /* BE_MOUNTS_H */
