/*
 * be_syspath.h - which mount paths belong to the operating system and so
 * to a boot environment (beadm consolidate).  Pure: no handle, no ZFS.
 */
#ifndef BE_SYSPATH_H
#define BE_SYSPATH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a dataset mounted at path holds part of the operating system:
 * path is /etc, /opt, /tmp, /usr or /var or lies below one of them, and is
 * not a shared tree (be_syspath_is_shared).  "none", "legacy" and relative
 * paths are never system paths. */
bool be_syspath_is_system(const char *path);
/* Whether path is, or lies below, a tree that holds data every BE shares
 * although it sits inside a system tree: /usr/home (FreeBSD's homes),
 * /var/lib/vz (Proxmox VE's storage), /var/lib/docker, /var/lib/libvirt. */
bool be_syspath_is_shared(const char *path);
/* Whether beadm mount must not mount a BE at the directory real (a path
 * without symlinks or dots): /, a directory the running system is made of
 * or runs on (/bin, /boot, /dev, /etc, /lib*, /proc, /sbin, /sys, /usr,
 * /var, anything below them, except below /var/tmp), or one that holds
 * what other things mount or keep (/home, /opt, /root, /run, /srv, /tmp
 * themselves; below them is fine, as are /mnt and /media). */
bool be_syspath_mount_refused(const char *real);
/* The mountpoint a dataset named base inherits from a parent whose
 * mountpoint is parent ("/" -> "/base", "none" -> "none"). */
bool be_syspath_inherited(const char *parent, const char *base, char *buf,
    size_t sz);

#endif /* BE_SYSPATH_H */
