/*
 * mounttab.c - the kernel's mount table, read whole and decoded (see
 * mounttab.h).  Read by hand rather than with getmntent(): libzfs's libspl
 * headers redefine that, and glibc's decodes only some escapes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mounttab.h"
#include "read_whole.h"

#define	MOUNTS		"/proc/self/mounts"
#define	MOUNTS_MAX	(256UL << 20)	/* a million mounts or so */

static bool
octal(char c)
{
	return (c >= '0' && c <= '7');
}

/*
 * Decode the field at s, ending at the first blank or the end of the line
 * (a line is NUL-terminated here); the decoded text replaces it,
 * NUL-terminated.  Returns where the next field begins (past one blank),
 * or NULL at the end of the line.  An escape that would stand for NUL is
 * kept as it is: no path holds one.
 */
static char *
field(char *s)
{
	char *o = s;
	bool more;

	while (*s != '\0' && *s != ' ') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    octal(s[2]) && octal(s[3]) &&
		    (s[1] != '0' || s[2] != '0' || s[3] != '0')) {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	/* o may be s itself: look at what ends the field before the NUL. */
	more = *s == ' ';
	*o = '\0';
	return (more ? s + 1 : NULL);
}

int
mounttab_parse(char *text, struct mounttab *t)
{
	struct mounttab_entry *grown;
	char *line, *next, *nl, *dir, *type;
	size_t cap = 0;

	t->v = NULL;
	t->n = 0;
	t->text = text;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			next = nl + 1;
		} else {
			next = NULL;
		}
		if ((dir = field(line)) == NULL || (type = field(dir)) == NULL)
			continue;
		(void) field(type);
		if (t->n == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			if ((grown = realloc(t->v, cap * sizeof (*grown))) ==
			    NULL) {
				mounttab_free(t);
				return (ENOMEM);
			}
			t->v = grown;
		}
		t->v[t->n++] = (struct mounttab_entry){ line, dir, type };
	}
	return (0);
}

int
mounttab_read(struct mounttab *t)
{
	char *text;
	size_t len;
	int fd, e;

	t->v = NULL;
	t->n = 0;
	t->text = NULL;
	if ((fd = open(MOUNTS, O_RDONLY | O_CLOEXEC)) < 0)
		return (errno);
	e = read_whole_fd(fd, MOUNTS_MAX, &text, &len);
	(void) close(fd);
	return (e != 0 ? e : mounttab_parse(text, t));
}

void
mounttab_free(struct mounttab *t)
{
	free(t->v);
	free(t->text);
	t->v = NULL;
	t->text = NULL;
	t->n = 0;
}

bool
mounttab_is_zfs(const struct mounttab_entry *e)
{
	return (strcmp(e->type, "zfs") == 0);
}

const struct mounttab_entry *
mounttab_at(const struct mounttab *t, const char *dir)
{
	size_t i = t->n;

	while (i-- > 0)
		if (strcmp(t->v[i].dir, dir) == 0)
			return (&t->v[i]);
	return (NULL);
}

const struct mounttab_entry *
mounttab_zfs_of(const struct mounttab *t, const char *ds)
{
	size_t i = t->n;

	while (i-- > 0)
		if (mounttab_is_zfs(&t->v[i]) &&
		    strcmp(t->v[i].source, ds) == 0)
			return (&t->v[i]);
	return (NULL);
}
