/*
 * be_diff_walk.h - comparing two directory trees of one dataset, read-only,
 * without crossing into other file systems.  No libzfs: the caller says
 * where each side's tree is.
 */
#ifndef BE_DIFF_WALK_H
#define BE_DIFF_WALK_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>

/* change: '+' added, '-' removed, 'M' modified; path as seen in the BE. */
typedef void (*diff_report_fn)(char change, const char *path, void *arg);

struct diff_walk {
	const char *const *skip;	/* BE paths never entered: the roots of
					   the BE's other datasets */
	size_t nskip;
	diff_report_fn report;
	void *arg;
	const volatile sig_atomic_t *stop;	/* true: end with EINTR */
	int err;			/* on failure: errno ... */
	char failed[PATH_MAX];		/* ... and the BE path it hit */
	char path[PATH_MAX];		/* the BE path being walked */
};

/*
 * Compare the trees at oldfd and newfd (directories; -1 for a side that
 * lacks the dataset: all of the other side is added or removed, top
 * included), whose top is BE path top ("/", "/var/log").  0, or -1 with
 * w->err and w->failed set.
 */
int diff_walk_trees(struct diff_walk *w, int oldfd, int newfd,
    const char *top);

#endif /* BE_DIFF_WALK_H */
