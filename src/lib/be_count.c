/*
 * be_count.c - parsing settings that count something; see be_count.h.
 */
#include <stddef.h>

#include "be_count.h"

bool
be_parse_count(const char *value, unsigned deflt, unsigned max,
    unsigned *out)
{
	unsigned long n = 0;
	const char *p;

	if (value == NULL || value[0] == '\0') {
		*out = deflt;
		return (true);
	}
	/* Digits only: strtoul would take "-1", " 5" and "5x". */
	for (p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (false);
		if ((n = n * 10 + (unsigned long)(*p - '0')) > max)
			return (false);
	}
	if (n == 0)
		return (false);
	*out = (unsigned)n;
	return (true);
}
