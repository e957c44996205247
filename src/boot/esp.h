/*
 * esp.h - the EFI system partitions a systemd-boot backend writes to.
 *
 * The Proxmox backend finds its ESPs by UUID (/etc/kernel/proxmox-boot-uuids)
 * and mounts each one at most once per command, inside a private mount
 * namespace so that no other process sees the mounts and they vanish with
 * the process.  The process keeps its original namespace for everything
 * else (dataset mounts must stay visible), switching into the private one
 * only around ESP work: esp_enter() ... esp_leave().  File descriptors
 * opened in one namespace stay usable in the other.
 *
 * The generic systemd-boot backend uses one ESP that is already mounted.
 */
#ifndef ESP_H
#define ESP_H

#include <limits.h>
#include <stdbool.h>

#include "be_impl.h"

struct esp {
	char id[64];		/* the UUID, or "" for a mounted ESP */
	char root[PATH_MAX];	/* its mount point (as seen inside) */
	bool mounted_here;	/* beadm mounted it and unmounts it */
};

struct esp_set {
	struct esp *v;
	size_t n;
	int outer_ns;		/* the original mount namespace, or -1 */
	int inner_ns;		/* the private one, or -1 when not needed */
	int outer_root;		/* the root directory (a chroot's) in each */
	int inner_root;
};

/* The Proxmox list of ESP UUIDs that exists, or NULL. */
const char *esp_uuid_file(void);
/* Mount every ESP listed in file (UUIDs, one per line). */
be_error_t esp_set_open_uuids(be_handle_t *, struct esp_set *,
    const char *file);
/* Use the ESP mounted at path. */
be_error_t esp_set_open_path(be_handle_t *, struct esp_set *,
    const char *path);
/* Switch into / out of the namespace where the ESPs are mounted. */
be_error_t esp_enter(be_handle_t *, struct esp_set *);
void esp_leave(struct esp_set *);
/* Unmount what was mounted; the set is empty afterwards. */
void esp_set_close(struct esp_set *);
/* Is path the mount point of a FAT file system? */
bool esp_is_fat_mount(const char *path);

#endif /* ESP_H */
