/*
 * fuzz_fstab.c - beadm install --copy-config's merge of the running
 * system's /etc/fstab into the new one's (lib/fstab_merge.c).  Both are
 * text anyone may have written.  The input is three parts split at the
 * first two NULs: the running fstab, the new system's, the BE root.
 * Properties: the new fstab comes first, whole; every other line is a whole
 * line of the running fstab, none mounting at /, none a dataset of the BE
 * root, none at a mount point the new fstab has; *added counts them;
 * taking the merge as the new fstab again adds nothing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fstab_merge.h"
#include "fuzz.h"

#define	MARK	"# Copied from the running system by beadm install " \
		"--copy-config:\n"

/* Is line (n bytes, no newline) a whole line of text? */
static bool
a_line_of(const char *text, const char *line, size_t n)
{
	const char *p = text;

	for (; *p != '\0'; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0'))
		if (strcspn(p, "\n") == n && memcmp(p, line, n) == 0)
			return (true);
	return (false);
}

/* The first two fields of line (n bytes), as malloc'd strings; false for
 * a comment, a blank line or one field. */
static bool
two_fields(const char *line, size_t n, char **spec, char **file)
{
	char *copy = strndup(line, n), *save, *a, *b;

	*spec = *file = NULL;
	if (copy == NULL)
		return (false);
	if ((a = strtok_r(copy, " \t\r", &save)) == NULL || a[0] == '#' ||
	    (b = strtok_r(NULL, " \t\r", &save)) == NULL) {
		free(copy);
		return (false);
	}
	*spec = strdup(a);
	*file = strdup(b);
	free(copy);
	return (*spec != NULL && *file != NULL);
}

/* Does text have a line mounting something at file? */
static bool
has_mount_point(const char *text, const char *file)
{
	const char *p;
	char *s, *f;
	bool found = false;
	size_t n;

	for (p = text; !found && *p != '\0'; p += n + (p[n] != '\0')) {
		n = strcspn(p, "\n");
		if (two_fields(p, n, &s, &f))
			found = strcmp(f, file) == 0;
		free(s);
		free(f);
	}
	return (found);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3), *running, *mine, *beroot, *out, *again;
	char *spec, *file;
	size_t added, added2, mlen, lines = 0, n;
	const char *p;

	if (buf == NULL)
		return (0);
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	running = buf;
	mine = running + strlen(running) + (strlen(running) < size);
	if (mine > buf + size)
		mine = buf + size;
	beroot = mine + strlen(mine) + 1;
	if (beroot > buf + size + 1)
		beroot = buf + size + 1;

	if ((out = fstab_merge(running, mine, beroot, &added)) == NULL) {
		free(buf);
		return (0);
	}
	mlen = strlen(mine);
	FUZZ_ASSERT(strncmp(out, mine, mlen) == 0);
	p = out + mlen;
	if (mlen > 0 && mine[mlen - 1] != '\n')
		FUZZ_ASSERT(*p++ == '\n');
	FUZZ_ASSERT(strncmp(p, MARK, strlen(MARK)) == 0);
	for (p += strlen(MARK); *p != '\0'; p += n + 1) {
		n = strcspn(p, "\n");
		FUZZ_ASSERT(p[n] == '\n');
		FUZZ_ASSERT(a_line_of(running, p, n));
		FUZZ_ASSERT(two_fields(p, n, &spec, &file));
		FUZZ_ASSERT(strcmp(file, "/") != 0);
		FUZZ_ASSERT(!has_mount_point(mine, file));
		/* A dataset of the BE root: the BE brings its own. */
		FUZZ_ASSERT(beroot[0] == '\0' || spec[0] == '/' ||
		    strchr(spec, '=') != NULL ||
		    strncmp(spec, beroot, strlen(beroot)) != 0 ||
		    (spec[strlen(beroot)] != '\0' &&
		    spec[strlen(beroot)] != '/'));
		free(spec);
		free(file);
		lines++;
	}
	FUZZ_ASSERT(lines == added);

	/* What was taken is already there: merging again adds nothing. */
	if ((again = fstab_merge(running, out, beroot, &added2)) != NULL)
		FUZZ_ASSERT(added2 == 0);
	free(again);
	free(out);
	free(buf);
	return (0);
}
