/*
 * be_auto_select.c - the settings of automatic checkpoints, and which of
 * them retention destroys.  Pure: no handle, no ZFS.
 */
#include <stdlib.h>
#include <string.h>

#include "be.h"
#include "be_auto.h"
#include "be_count.h"

bool
be_auto_parse_mode(const char *value, be_auto_mode_t *mode)
{
	if (value == NULL || value[0] == '\0' || strcmp(value, "off") == 0)
		*mode = BE_AUTO_OFF;
	else if (strcmp(value, "snapshot") == 0)
		*mode = BE_AUTO_SNAPSHOT;
	else if (strcmp(value, "create") == 0)
		*mode = BE_AUTO_CREATE;
	else
		return (false);
	return (true);
}

bool
be_auto_parse_keep(const char *value, unsigned *keep)
{
	return (be_parse_count(value, BE_AUTO_KEEP_DEFAULT, BE_AUTO_KEEP_MAX,
	    keep));
}

/* Newest first: later creation, then the greater name. */
static bool
newer(const be_auto_item_t *a, const be_auto_item_t *b)
{
	if (a->creation != b->creation)
		return (a->creation > b->creation);
	return (strcmp(a->name, b->name) > 0);
}

size_t
be_auto_select(const be_auto_item_t *items, size_t n, unsigned keep,
    bool *prune)
{
	size_t i, j, rank, count = 0;

	/* Quadratic, but there are a handful of checkpoints, not thousands,
	 * and it needs no copy of the list to sort. */
	for (i = 0; i < n; i++) {
		for (rank = 0, j = 0; j < n; j++)
			if (j != i && newer(&items[j], &items[i]))
				rank++;
		prune[i] = rank >= keep && !items[i].pinned;
		if (prune[i])
			count++;
	}
	return (count);
}
