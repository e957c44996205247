/*
 * be_zcp.h - changing every dataset of a BE in one transaction group, with
 * a ZFS channel program (zfs-program(8)): destroy and rollback.  Each
 * program checks every step before it changes anything, so a failure
 * found by a check leaves the whole BE as it was.
 */
#ifndef BE_ZCP_H
#define BE_ZCP_H

#include "be_tree.h"

typedef struct be_zcp_result {
	bool ran;		/* false: no channel programs here, use libzfs */
	int error;		/* errno of the step that stopped it, 0 if none */
	char name[BE_PATH_MAX];	/* the dataset or snapshot it stopped on */
	char hold[BE_PATH_MAX];	/* destroy: a user hold on that snapshot */
	bool foreign;		/* destroy: name is inside the BE, not of it */
	bool newer;		/* rollback: name is newer than the target */
	int done;		/* steps done before it; 0: nothing changed */
} be_zcp_result_t;

/*
 * Destroy every snapshot of the tree's datasets, then the datasets,
 * children first.  A failure that is not the program's own (it could not
 * run to the end) is set in the handle and returned; else BE_OK with res
 * saying whether it ran and how it ended.
 */
be_error_t be_zcp_destroy(be_handle_t *, const char *be, const be_tree_t *,
    be_zcp_result_t *res);
/* Roll every dataset of the tree back to @snap, its most recent snapshot. */
be_error_t be_zcp_rollback(be_handle_t *, const char *arg, const be_tree_t *,
    const char *snap, be_zcp_result_t *res);

#endif /* BE_ZCP_H */
