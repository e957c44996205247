/*
 * kernel_select.c - the choice of a BE's kernels with boot entries; see
 * kernel_select.h.  No I/O here: sdboot.c and `beadm kernel` both ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_count.h"
#include "dpkg_version.h"
#include "kernel_select.h"

bool
ksel_parse_keep(const char *value, unsigned *keep)
{
	return (be_parse_count(value, KSEL_KEEP_DEFAULT, KSEL_KEEP_MAX, keep));
}

/* Is v an item of the comma-separated list? */
static bool
list_find(const char *list, const char *v)
{
	size_t len = strlen(v);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");

		if (n == len && n > 0 && strncmp(p, v, n) == 0)
			return (true);
		p += n;
		if (*p == ',')
			p++;
	}
	return (false);
}

bool
ksel_list_has(const char *list, const char *v)
{
	return (v != NULL && v[0] != '\0' && list_find(list, v));
}

/* Copy the items of list other than skip into buf; false when too long. */
static bool
list_copy_without(const char *list, const char *skip, char *buf, size_t sz)
{
	size_t len = 0, slen = strlen(skip);
	const char *p = list ? list : "";

	if (sz == 0)
		return (false);
	buf[0] = '\0';
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n > 0 && !(n == slen && strncmp(p, skip, n) == 0)) {
			if (len + (len > 0) + n >= sz)
				return (false);
			if (len > 0)
				buf[len++] = ',';
			memcpy(buf + len, p, n);
			len += n;
			buf[len] = '\0';
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return (true);
}

bool
ksel_list_add(const char *list, const char *v, char *buf, size_t sz)
{
	size_t len;

	if (!list_copy_without(list, v, buf, sz))
		return (false);
	len = strlen(buf);
	if (len + (len > 0) + strlen(v) >= sz)
		return (false);
	snprintf(buf + len, sz - len, "%s%s", len > 0 ? "," : "", v);
	return (true);
}

bool
ksel_list_remove(const char *list, const char *v, char *buf, size_t sz)
{
	return (list_copy_without(list, v, buf, sz));
}

static int
newest_first(const void *a, const void *b)
{
	return (dpkg_version_compare(*(const char *const *)b,
	    *(const char *const *)a));
}

void
ksel_sort(const char **v, size_t n)
{
	qsort(v, n, sizeof (v[0]), newest_first);
}

int
ksel_choose(const char *const *v, size_t n, const struct ksel_settings *s,
    bool *entries)
{
	size_t i, kept = 0, count = 0;
	int deflt = -1, pin = -1;

	for (i = 0; i < n; i++) {
		bool omitted = ksel_list_has(s->omit, v[i]);

		entries[i] = false;
		if (s->pin != NULL && strcmp(s->pin, v[i]) == 0)
			pin = (int)i;
		if (!omitted && kept < s->keep) {
			kept++;
			entries[i] = true;
		}
		if (ksel_list_has(s->add, v[i]))
			entries[i] = true;
	}
	if (pin >= 0)
		entries[pin] = true;
	/* Too many: the oldest give way, never the pinned one. */
	for (i = 0; i < n; i++)
		count += entries[i];
	for (i = n; i-- > 0 && count > KSEL_MAX; )
		if (entries[i] && (int)i != pin) {
			entries[i] = false;
			count--;
		}
	if (pin >= 0)
		return (pin);
	for (i = 0; i < n && deflt < 0; i++)
		if (entries[i])
			deflt = (int)i;
	return (deflt);
}
