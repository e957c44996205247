/*
 * be_auto.h - which automatic checkpoints retention destroys.  Pure (no
 * handle, no ZFS), so that the host unit tests can call it; be_auto.c
 * gathers the checkpoints and destroys what this selects.
 */
#ifndef BE_AUTO_H
#define BE_AUTO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct be_auto_item {
	const char *name;	/* BE or BE@SNAP */
	time_t creation;
	bool pinned;		/* must stay: running, boots next, mounted,
				   cloned from, ... */
} be_auto_item_t;

/*
 * Rank items newest first (by creation, then by name) and set prune[i] for
 * each one past the first keep that is not pinned.  A pinned one still
 * counts among the keep newest, so no more than keep stay unless pinned
 * ones force more.  Returns how many are to be pruned.
 */
size_t be_auto_select(const be_auto_item_t *items, size_t n, unsigned keep,
    bool *prune);

#endif /* BE_AUTO_H */
