/*
 * dpkg_version.c - Debian's version ordering, following dpkg's own
 * lib/dpkg/version.c (verrevcmp) so that "upgraded" means what apt and
 * dpkg mean by it: epochs first, then upstream, then revision, each
 * compared as alternating runs of non-digits and numbers, where '~'
 * sorts before everything, even the end of the string.
 */
#include <stdlib.h>
#include <string.h>

#include "dpkg_version.h"

struct version {
	unsigned long epoch;
	const char *upstream, *upstream_end;
	const char *revision, *revision_end;
};

static int
is_digit(int c)
{
	return (c >= '0' && c <= '9');
}

static int
is_alpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* The weight of one character among non-digits; 0 is the end. */
static int
order(const char *p, const char *end)
{
	int c = p < end ? (unsigned char)*p : 0;

	if (c == 0 || is_digit(c))
		return (0);
	if (is_alpha(c))
		return (c);
	if (c == '~')
		return (-1);
	return (c + 256);
}

static int
verrevcmp(const char *a, const char *aend, const char *b, const char *bend)
{
	while (a < aend || b < bend) {
		int first_diff = 0;

		while ((a < aend && !is_digit(*a)) ||
		    (b < bend && !is_digit(*b))) {
			int ac = order(a, aend), bc = order(b, bend);

			if (ac != bc)
				return (ac - bc);
			a++;
			b++;
		}
		while (a < aend && *a == '0')
			a++;
		while (b < bend && *b == '0')
			b++;
		while (a < aend && b < bend && is_digit(*a) && is_digit(*b)) {
			if (first_diff == 0)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < aend && is_digit(*a))
			return (1);
		if (b < bend && is_digit(*b))
			return (-1);
		if (first_diff != 0)
			return (first_diff);
	}
	return (0);
}

/* Split as dpkg does: the epoch before the first ':', the revision after
 * the last '-'.  A missing epoch is 0, a missing revision is empty. */
static void
split(const char *s, struct version *v)
{
	const char *colon = strchr(s, ':'), *end = s + strlen(s), *dash;

	v->epoch = 0;
	if (colon != NULL) {
		v->epoch = strtoul(s, NULL, 10);
		s = colon + 1;
	}
	dash = strrchr(s, '-');
	v->upstream = s;
	v->upstream_end = dash != NULL ? dash : end;
	v->revision = dash != NULL ? dash + 1 : end;
	v->revision_end = end;
}

int
dpkg_version_compare(const char *a, const char *b)
{
	struct version x, y;
	int r;

	split(a, &x);
	split(b, &y);
	if (x.epoch != y.epoch)
		return (x.epoch < y.epoch ? -1 : 1);
	r = verrevcmp(x.upstream, x.upstream_end, y.upstream, y.upstream_end);
	if (r != 0)
		return (r);
	return (verrevcmp(x.revision, x.revision_end, y.revision,
	    y.revision_end));
}
