/*
 * kernel_scan.h - a BE's kernels as found in its /boot, with its settings
 * and the choice kernel_select.c makes from them.  Shared by the
 * systemd-boot backend (which entries to write) and `beadm kernel`.
 */
#ifndef KERNEL_SCAN_H
#define KERNEL_SCAN_H

#include "be_impl.h"
#include "kernel_select.h"
#include "sdboot_entry.h"

#define KSCAN_MAX	256	/* kernels looked at in one /boot */

struct kscan {
	char v[KSCAN_MAX][SDB_KVER_MAX + 1];	/* newest first */
	size_t n;
	bool entries[KSCAN_MAX];
	int deflt;				/* -1: none */
	unsigned keep;
	char pin[SDB_KVER_MAX + 1];
	char add[KSEL_LIST_MAX];
	char omit[KSEL_LIST_MAX];
	char added[KSEL_LIST_MAX];		/* files beadm wrote */
};

/* The BE's settings (zhp: its dataset), kernel-keep validated. */
be_error_t kscan_settings(be_handle_t *, zfs_handle_t *, struct kscan *);
/* The kernels in dir (vmlinuz-V with initrd.img-V), skipping skip (NULL:
 * none), and the choice among them. */
void kscan_dir(const char *dir, const char *skip, struct kscan *);
/* The choice again, after a change of the settings in ks. */
void kscan_choose(struct kscan *);

#endif /* KERNEL_SCAN_H */
