/*
 * kernel_select.h - which of a BE's kernels get boot entries, and which of
 * them boots by default.  Pure: the unit tests link this file alone.
 *
 * The rule (beadm(8), KERNELS): the newest beadm:kernel-keep kernels (by
 * Debian version order) that are not omitted, plus the ones added, plus
 * the pinned one.  The default is the pinned kernel when it is there, else
 * the newest that has entries.
 */
#ifndef KERNEL_SELECT_H
#define KERNEL_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#define KSEL_KEEP_DEFAULT	2	/* like Proxmox VE: the newest two */
#define KSEL_KEEP_MAX		16
#define KSEL_MAX		32	/* kernels of one BE with entries */
#define KSEL_LIST_MAX		1024	/* a comma list property's value */

/* A BE's settings, each "" when unset. */
struct ksel_settings {
	unsigned keep;
	const char *pin;
	const char *add;	/* comma-separated versions */
	const char *omit;	/* comma-separated versions */
};

/* beadm:kernel-keep: "" is the default; digits 1..KSEL_KEEP_MAX. */
bool ksel_parse_keep(const char *value, unsigned *keep);
/* Is v one of the versions in the comma-separated list? */
bool ksel_list_has(const char *list, const char *v);
/* The list with v added (once) or removed, into buf; false when too long. */
bool ksel_list_add(const char *list, const char *v, char *buf, size_t sz);
bool ksel_list_remove(const char *list, const char *v, char *buf, size_t sz);
/* Sort versions newest first, in dpkg's order. */
void ksel_sort(const char **v, size_t n);
/*
 * v[0..n) sorted newest first: set entries[i] for each version that gets
 * entries (at most KSEL_MAX, the pinned one always among them) and return
 * the index of the default, -1 when none gets entries.
 */
int ksel_choose(const char *const *v, size_t n, const struct ksel_settings *,
    bool *entries);

#endif /* KERNEL_SELECT_H */
