/*
 * unit_tree.h - what the unit tests that work in a temporary directory
 * share: removing it, links and all (never followed), when they end.
 */
#ifndef UNIT_TREE_H
#define	UNIT_TREE_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static int
unit_remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/* Remove the tree at path; 0, or -1 when something stayed. */
static inline int
unit_rm_tree(const char *path)
{
	return (nftw(path, unit_remove_one, 16, FTW_DEPTH | FTW_PHYS));
}

#endif /* UNIT_TREE_H */
