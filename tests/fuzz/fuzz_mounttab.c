/*
 * fuzz_mounttab.c - the kernel's mount table as util/mounttab.c decodes it.
 * The table is the kernel's, but its paths are anyone's: a BE's
 * mountpoint, a directory a user made with blanks, tabs, newlines and
 * backslashes in its name.  Properties: parsing ends; no entry outlasts
 * its line; each entry, written back as the kernel writes it, parses to
 * the same fields (nothing cut, nothing merged); the latest mount on a
 * directory is the one found there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mounttab.h"

/* The field as the kernel writes it: blank, tab, newline and backslash as
 * three octal digits. */
static char *
encode(char *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr(" \t\n\\", *s) != NULL) {
			*o++ = '\\';
			*o++ = (char)('0' + ((unsigned char)*s >> 6));
			*o++ = (char)('0' + (((unsigned char)*s >> 3) & 7));
			*o++ = (char)('0' + ((unsigned char)*s & 7));
		} else {
			*o++ = *s;
		}
	}
	return (o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mounttab t, back;
	char *text = fuzz_string(data, size), *again, *o;
	size_t lines = 1, i, j;
	const char *p;

	if (text == NULL)
		return (0);
	for (p = text; *p != '\0'; p++)
		lines += *p == '\n';
	if (mounttab_parse(text, &t) != 0)
		return (0);
	FUZZ_ASSERT(t.n <= lines);

	/* Written back: each field at most 4 bytes a byte, 3 blanks, " rw 0 0\n". */
	if ((again = malloc(4 * size + 16 * t.n + 1)) == NULL) {
		mounttab_free(&t);
		return (0);
	}
	o = again;
	for (i = 0; i < t.n; i++) {
		FUZZ_ASSERT(strchr(t.v[i].source, '\0') <= t.text + size);
		o = encode(o, t.v[i].source);
		*o++ = ' ';
		o = encode(o, t.v[i].dir);
		*o++ = ' ';
		o = encode(o, t.v[i].type);
		memcpy(o, " rw 0 0\n", 8);
		o += 8;
	}
	*o = '\0';
	FUZZ_ASSERT(mounttab_parse(again, &back) == 0);
	FUZZ_ASSERT(back.n == t.n);
	for (i = 0; i < t.n; i++) {
		FUZZ_ASSERT(strcmp(back.v[i].source, t.v[i].source) == 0);
		FUZZ_ASSERT(strcmp(back.v[i].dir, t.v[i].dir) == 0);
		FUZZ_ASSERT(strcmp(back.v[i].type, t.v[i].type) == 0);
	}
	/* The latest mount on each directory is the one seen there. */
	for (i = 0; i < t.n; i++) {
		const struct mounttab_entry *e = mounttab_at(&t, t.v[i].dir);

		FUZZ_ASSERT(e != NULL && e >= &t.v[i]);
		for (j = (size_t)(e - t.v) + 1; j < t.n; j++)
			FUZZ_ASSERT(strcmp(t.v[j].dir, t.v[i].dir) != 0);
		if (mounttab_is_zfs(&t.v[i]))
			FUZZ_ASSERT(mounttab_zfs_of(&t, t.v[i].source) >=
			    &t.v[i]);
	}
	mounttab_free(&back);
	mounttab_free(&t);
	return (0);
}
