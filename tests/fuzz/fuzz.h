/*
 * fuzz.h - what the libFuzzer targets share: the input as a C string, and
 * an assertion that fails the run (abort, which libFuzzer reports with the
 * input) when a property does not hold.
 */
#ifndef FUZZ_H
#define	FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define	FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The input up to its first NUL, as a malloc'd string. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return (s);
}

#endif /* FUZZ_H */
