/*
 * vm_moddep.c - a module's files from modules.dep (vm_moddep.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_moddep.h"

/*
 * Is the module at path[0..len) ("kernel/fs/9p/9p.ko.xz") module want?
 * Its name is the file name up to the first dot; '-' and '_' are one.
 */
static bool
named(const char *path, size_t len, const char *want)
{
	const char *base = path, *p;
	size_t i;

	for (p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	for (i = 0; base + i < path + len && base[i] != '.'; i++) {
		char a = base[i] == '-' ? '_' : base[i];
		char b = want[i] == '-' ? '_' : want[i];

		if (want[i] == '\0' || a != b)
			return (false);
	}
	return (want[i] == '\0');
}

/* A path modules.dep may give: relative, and not climbing. */
static bool
path_ok(const char *path)
{
	const char *p;

	if (path[0] == '/' || path[0] == '\0')
		return (false);
	for (p = path; p != NULL; p = strchr(p, '/'), p = p ? p + 1 : p)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return (false);
	return (true);
}

static int
add(struct vm_modlist *m, const char *path, size_t len, char *err)
{
	char *copy;
	size_t i;

	if ((copy = strndup(path, len)) == NULL) {
		snprintf(err, VM_ERR_MAX, "out of memory");
		return (-1);
	}
	if (!path_ok(copy)) {
		snprintf(err, VM_ERR_MAX, "modules.dep names %s, which is not "
		    "a path inside the modules directory", copy);
		free(copy);
		return (-1);
	}
	for (i = 0; i < m->n; i++)
		if (strcmp(m->path[i], copy) == 0) {
			free(copy);
			return (0);
		}
	if (m->n == VM_MAX_MODULES) {
		snprintf(err, VM_ERR_MAX, "too many module dependencies (more "
		    "than %d)", VM_MAX_MODULES);
		free(copy);
		return (-1);
	}
	m->path[m->n++] = copy;
	return (0);
}

/* The blank-separated words of line[at..len), last first, added to m;
 * the module itself (line[0..at - 1)) is not its own dependency. */
static int
add_deps_last_first(struct vm_modlist *m, const char *line, size_t at,
    size_t len, char *err)
{
	size_t end = len, start, self = at - 1;

	for (;;) {
		while (end > at && (line[end - 1] == ' ' ||
		    line[end - 1] == '\t'))
			end--;
		if (end == at)
			return (0);
		for (start = end; start > at && line[start - 1] != ' ' &&
		    line[start - 1] != '\t'; start--)
			;
		if ((end - start != self ||
		    memcmp(line + start, line, self) != 0) &&
		    add(m, line + start, end - start, err) != 0)
			return (-1);
		end = start;
	}
}

int
vm_moddep_resolve(struct vm_modlist *m, const char *dep, const char *want,
    char *err)
{
	const char *line, *colon;
	size_t len;

	for (line = dep; *line != '\0'; line += len + (line[len] == '\n')) {
		len = strcspn(line, "\n");
		colon = memchr(line, ':', len);
		if (colon == NULL || !named(line, (size_t)(colon - line), want))
			continue;
		/* Loading them last to first, as modprobe does, is an order
		 * in which each comes after what it needs. */
		if (add_deps_last_first(m, line, (size_t)(colon - line) + 1,
		    len, err) != 0 ||
		    add(m, line, (size_t)(colon - line), err) != 0)
			return (-1);
		return (0);
	}
	return (1);
}

bool
vm_moddep_builtin(const char *builtin, const char *want)
{
	const char *line;
	size_t len;

	for (line = builtin; *line != '\0'; line += len + (line[len] == '\n')) {
		len = strcspn(line, "\n");
		if (named(line, len, want))
			return (true);
	}
	return (false);
}

void
vm_modlist_free(struct vm_modlist *m)
{
	while (m->n > 0)
		free(m->path[--m->n]);
}
