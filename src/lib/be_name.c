/*
 * be_name.c - the rules for BE and snapshot names.  Pure functions: the unit
 * tests link this file alone.
 *
 * A BE name ends up in a dataset name, in paths and file names on a FAT
 * file system (the ESP) and in boot loader configuration, so it is held to
 * the intersection of what all of those accept: ASCII letters, digits, '.',
 * '_' and '-', not starting with '-' or '.'.  ZFS alone would also allow ':'
 * and ' ', which FAT or config files do not.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "be.h"

static bool
is_name_char(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
}

/* Common checks; extra is one more character allowed (':' for snapshots). */
static bool
component_valid(const char *name, size_t max, char extra, const char **why)
{
	size_t len;
	const char *p;

	if (name == NULL || name[0] == '\0') {
		*why = "the name is empty";
		return (false);
	}
	len = strlen(name);
	if (len > max) {
		*why = "the name is too long";
		return (false);
	}
	if (name[0] == '-') {
		*why = "the name starts with '-'";
		return (false);
	}
	if (name[0] == '.') {
		*why = "the name starts with '.'";
		return (false);
	}
	for (p = name; *p != '\0'; p++) {
		if (is_name_char(*p) || (extra != '\0' && *p == extra))
			continue;
		if (*p == ' ')
			*why = "the name contains a space";
		else if (*p == '/')
			*why = "the name contains '/'";
		else if (*p == '@')
			*why = "the name contains '@'";
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*why = "the name contains a control character";
		else
			*why = "the name contains a character other than "
			    "letters, digits, '.', '_' and '-'";
		return (false);
	}
	return (true);
}

bool
be_name_valid(const char *name, const char **why)
{
	const char *dummy;

	return (component_valid(name, BE_NAME_MAX, '\0', why ? why : &dummy));
}

bool
be_snapname_valid(const char *snap, const char **why)
{
	const char *dummy;

	/* Snapshot names never reach the ESP, so ':' (timestamps) is fine. */
	return (component_valid(snap, BE_NAME_MAX, ':', why ? why : &dummy));
}

bool
be_split_snapshot(const char *arg, char *be, size_t besz, char *snap,
    size_t snapsz)
{
	const char *at = strchr(arg, '@');
	size_t belen = at ? (size_t)(at - arg) : strlen(arg);

	if (belen >= besz)
		return (false);
	memcpy(be, arg, belen);
	be[belen] = '\0';
	if (at == NULL) {
		if (snapsz > 0)
			snap[0] = '\0';
		return (true);
	}
	if (strlen(at + 1) >= snapsz)
		return (false);
	strcpy(snap, at + 1);
	return (true);
}

void
be_auto_snapname(char *buf, size_t bufsz, const struct timespec *now)
{
	struct tm tm;
	char stamp[32];

	gmtime_r(&now->tv_sec, &tm);
	strftime(stamp, sizeof (stamp), "%Y-%m-%d-%H:%M:%S", &tm);
	/* Microseconds keep several snapshots a second apart. */
	snprintf(buf, bufsz, "%s-%06ld", stamp, now->tv_nsec / 1000);
}

bool
be_path_within(const char *path, const char *top)
{
	size_t n = strlen(top);

	return (strncmp(path, top, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/'));
}
