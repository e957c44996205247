/*
 * apt_sources.h - which mirror the machine's apt uses for Debian's main
 * archive, from /etc/apt/sources.list (one-line form) and
 * /etc/apt/sources.list.d/ *.sources (deb822).  Pure: reads a FILE,
 * never prints.
 */
#ifndef APT_SOURCES_H
#define APT_SOURCES_H

#include <stdio.h>

#define APT_URI_MAX	512

/*
 * The best entry seen so far.  Entries of type deb that list component
 * main and are not a security archive are candidates, ranked (first seen
 * wins a tie):
 *   0  it lists the suite asked for ("bookworm");
 *   1  it lists a plain release name (no '-' or '/': not bookworm-updates,
 *      bookworm-backports, bookworm-security);
 *   2  any other.
 */
struct apt_mirror {
	const char *suite;	/* the suite to be installed */
	int rank;		/* of uri; APT_RANK_NONE while none */
	char uri[APT_URI_MAX];
};
#define APT_RANK_NONE	3

void apt_mirror_init(struct apt_mirror *, const char *suite);
/* Offer every entry of a file in either form; 0, or ENOMEM/EIO. */
int apt_mirror_scan_deb822(struct apt_mirror *, FILE *);
int apt_mirror_scan_list(struct apt_mirror *, FILE *);

#endif /* APT_SOURCES_H */
