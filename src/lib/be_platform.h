/*
 * be_platform.h - which Debian, Proxmox VE and OpenZFS releases beadm
 * supports, which of them its own tests run on, and how a system's
 * releases compare (beadm check says).  Pure: parses text it is given.
 *
 * The table is the contract of README.md ("Supported and tested") and of
 * beadm(8) COMPATIBILITY; change the three together.
 */
#ifndef BE_PLATFORM_H
#define BE_PLATFORM_H

#include <stddef.h>
#include <stdio.h>

enum be_support {
	BE_SUPPORT_TESTED,	/* supported, and beadm's tests run on it */
	BE_SUPPORT_UNTESTED,	/* supported, not in beadm's tests */
	BE_SUPPORT_NEWER,	/* newer than any tested: expected to work */
	BE_SUPPORT_OLDER,	/* older than the oldest supported */
	BE_SUPPORT_UNKNOWN,	/* not Debian, or no version to compare */
};

/* The fields of an os-release file that beadm uses ("" when absent). */
struct be_os_release {
	char id[32];		/* ID: "debian" */
	char version_id[32];	/* VERSION_ID: "13" (empty on testing/sid) */
	char pretty_name[128];	/* PRETTY_NAME */
};

/*
 * Parse os-release(5) text: KEY=VALUE lines, values unquoted as the format
 * says (one level of single or double quotes; \" \\ \$ \` escapes inside
 * double quotes).  A value too long for its field is left empty rather than
 * cut.  0, or EIO on a read error.
 */
int be_os_release_parse(FILE *f, struct be_os_release *out);

/* Debian by VERSION_ID: 12 and 13 tested. */
enum be_support be_support_debian(const struct be_os_release *os);
/* Proxmox VE by the version of its pve-manager package: 8 and 9 supported;
 * beadm's tests model its layout and boot tool, not Proxmox VE itself. */
enum be_support be_support_pve(const char *pve_manager_version);
/* OpenZFS by release ("2.3.9", "2.1.11-1", "zfs-2.2.7-pve1"): 2.1 and 2.3
 * tested, 2.2 supported. */
enum be_support be_support_openzfs(const char *version);

/*
 * Whether two OpenZFS versions are of the same release series (major and
 * minor): libzfs and the loaded kernel module of different series mean a
 * new userland was installed and the machine not rebooted.
 */
int be_openzfs_same_series(const char *a, const char *b);

/* "supported and tested", "supported, not tested by beadm", ... */
const char *be_support_words(enum be_support);

#endif /* BE_PLATFORM_H */
