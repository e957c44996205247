/*
 * be_platform.c - the supported and tested releases, and where a system's
 * own releases stand among them (see be_platform.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "be_platform.h"

/*
 * The table.  Debian and OpenZFS: the series tests/vm builds (debian13:
 * trixie's OpenZFS 2.3; debian12: bookworm's 2.1).  Proxmox VE 8 is built on
 * Debian 12 with OpenZFS 2.2 or 2.3, Proxmox VE 9 on Debian 13 with 2.3.
 */
#define DEBIAN_OLDEST	12
#define DEBIAN_NEWEST	13
#define PVE_OLDEST	8
#define PVE_NEWEST	9
static const struct { unsigned major, minor; bool tested; } openzfs[] = {
	{ 2, 1, true }, { 2, 2, false }, { 2, 3, true },
};

/* Copy an os-release value into dst, unquoted; false when it does not fit. */
static bool
unquote(char *dst, size_t size, const char *v)
{
	size_t n = 0;
	char q = 0;

	if (*v == '"' || *v == '\'')
		q = *v++;
	for (; *v != '\0' && *v != q; v++) {
		if (q == '"' && *v == '\\' && strchr("\"\\$`", v[1]) != NULL)
			v++;
		if (n + 1 >= size)
			return (false);
		dst[n++] = *v;
	}
	dst[n] = '\0';
	return (true);
}

int
be_os_release_parse(FILE *f, struct be_os_release *out)
{
	char line[1024];

	memset(out, 0, sizeof (*out));
	while (fgets(line, sizeof (line), f) != NULL) {
		char *eq, *v;
		char *field = NULL;
		size_t size = 0;

		line[strcspn(line, "\n")] = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		v = eq + 1;
		if (strcmp(line, "ID") == 0) {
			field = out->id;
			size = sizeof (out->id);
		} else if (strcmp(line, "VERSION_ID") == 0) {
			field = out->version_id;
			size = sizeof (out->version_id);
		} else if (strcmp(line, "PRETTY_NAME") == 0) {
			field = out->pretty_name;
			size = sizeof (out->pretty_name);
		}
		if (field != NULL && !unquote(field, size, v))
			field[0] = '\0';
	}
	return (ferror(f) ? EIO : 0);
}

/* Leading decimal number of s, with *end after it; false when none. */
static bool
number(const char *s, unsigned *n, const char **end)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return (false);
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno != 0 || v > 100000)
		return (false);
	*n = (unsigned)v;
	*end = e;
	return (true);
}

/* MAJOR.MINOR of an OpenZFS version, after any "zfs-" or "zfs-kmod-". */
static bool
openzfs_series(const char *v, unsigned *major, unsigned *minor)
{
	const char *e;

	if (v == NULL)
		return (false);
	if (strncmp(v, "zfs-kmod-", 9) == 0)
		v += 9;
	else if (strncmp(v, "zfs-", 4) == 0)
		v += 4;
	return (number(v, major, &e) && *e == '.' &&
	    number(e + 1, minor, &e));
}

static enum be_support
by_major(const char *v, unsigned oldest, unsigned newest, bool tested)
{
	unsigned major;
	const char *e;

	if (v == NULL || !number(v, &major, &e) || (*e != '\0' && *e != '.'))
		return (BE_SUPPORT_UNKNOWN);
	if (major < oldest)
		return (BE_SUPPORT_OLDER);
	if (major > newest)
		return (BE_SUPPORT_NEWER);
	return (tested ? BE_SUPPORT_TESTED : BE_SUPPORT_UNTESTED);
}

enum be_support
be_support_debian(const struct be_os_release *os)
{
	if (strcmp(os->id, "debian") != 0)
		return (BE_SUPPORT_UNKNOWN);
	return (by_major(os->version_id, DEBIAN_OLDEST, DEBIAN_NEWEST, true));
}

enum be_support
be_support_pve(const char *pve_manager_version)
{
	return (by_major(pve_manager_version, PVE_OLDEST, PVE_NEWEST, false));
}

enum be_support
be_support_openzfs(const char *version)
{
	unsigned major, minor;
	size_t i, n = sizeof (openzfs) / sizeof (openzfs[0]);

	if (!openzfs_series(version, &major, &minor))
		return (BE_SUPPORT_UNKNOWN);
	for (i = 0; i < n; i++)
		if (openzfs[i].major == major && openzfs[i].minor == minor)
			return (openzfs[i].tested ? BE_SUPPORT_TESTED :
			    BE_SUPPORT_UNTESTED);
	if (major < openzfs[0].major || (major == openzfs[0].major &&
	    minor < openzfs[0].minor))
		return (BE_SUPPORT_OLDER);
	return (BE_SUPPORT_NEWER);
}

int
be_openzfs_same_series(const char *a, const char *b)
{
	unsigned amaj, amin, bmaj, bmin;

	return (openzfs_series(a, &amaj, &amin) &&
	    openzfs_series(b, &bmaj, &bmin) && amaj == bmaj && amin == bmin);
}

const char *
be_support_words(enum be_support s)
{
	switch (s) {
	case BE_SUPPORT_TESTED:
		return ("supported and tested");
	case BE_SUPPORT_UNTESTED:
		return ("supported, not tested by beadm's tests");
	case BE_SUPPORT_NEWER:
		return ("newer than beadm is tested with");
	case BE_SUPPORT_OLDER:
		return ("older than beadm supports");
	case BE_SUPPORT_UNKNOWN:
		break;
	}
	return ("not tested by beadm's tests");
}
