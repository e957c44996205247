/*
 * be_tree.h - a BE as a set of datasets: its top dataset and descendant
 * file systems, and snapshots taken of all of them in one transaction.
 * Shared by create, snapshot, rollback and destroy.
 */
#ifndef BE_TREE_H
#define BE_TREE_H

#include "be_impl.h"

typedef struct be_tree {
	size_t count;
	char (*names)[BE_PATH_MAX];	/* parents before their children */
} be_tree_t;

/*
 * Collect top and its descendant file systems.  With snap, keep only those
 * that have @snap, and drop the subtree below one that lacks it (its
 * children could not be cloned without their parent).
 */
be_error_t be_tree_collect(be_handle_t *, const char *top, const char *snap,
    be_tree_t *);
void be_tree_free(be_tree_t *);

/* The part of name below top: "" for top itself, "/var/log" below it. */
const char *be_tree_suffix(const be_tree_t *, size_t i);

/*
 * Snapshot every dataset of the tree as @snap in one transaction.  With
 * snap "" a name is made up (be_auto_snapname) and written back to snap;
 * on a collision the next microsecond is tried.  automatic marks the
 * snapshots beadm:auto=yes, so that destroy may remove them later.
 */
be_error_t be_tree_snapshot(be_handle_t *, const be_tree_t *, char *snap,
    size_t snapsz, bool automatic);
/* The same with the user properties props (NULL: none) on each snapshot. */
be_error_t be_tree_snapshot_props(be_handle_t *, const be_tree_t *, char *snap,
    size_t snapsz, nvlist_t *props);
/* Did beadm take this snapshot itself (beadm:auto=yes)? */
bool be_tree_snapshot_is_auto(zfs_handle_t *snap);
/* Destroy @snap of every dataset of the tree in one transaction. */
be_error_t be_tree_destroy_snapshots(be_handle_t *, const be_tree_t *,
    const char *snap);

/* True when name is the running root file system or lies below it. */
bool be_tree_is_running(const be_handle_t *, const char *dataset);

#endif /* BE_TREE_H */
