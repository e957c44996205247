/*
 * sdboot_entry.c - systemd-boot's files as beadm writes and reads them:
 * entry file names, entry contents, loader.conf, the kernel command line,
 * and the choice of entry systemd-boot v252 makes.  Pure functions: the
 * unit tests link this file alone, so nothing here does I/O.
 *
 * The name rules are systemd-boot's own: an entry's id is its file name
 * lower-cased without the boot counter, and boot counting ("+N" or "+N-M"
 * right before ".conf") applies to every entry, not only to beadm's.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdboot_entry.h"

#define	CONF_SUFFIX	".conf"
#define	PREFIX_NORMAL	"beadm-"
#define	PREFIX_TRY	"beadm~try-"
#define	PREFIX_FALLBACK	"beadm~fallback-"

/* Copy at most len bytes of src into buf; false (buf still terminated)
 * when they do not fit. */
static bool
copy_n(char *buf, size_t sz, const char *src, size_t len)
{
	if (sz == 0)
		return (false);
	if (len >= sz) {
		memcpy(buf, src, sz - 1);
		buf[sz - 1] = '\0';
		return (false);
	}
	memcpy(buf, src, len);
	buf[len] = '\0';
	return (true);
}

static bool
copy_str(char *buf, size_t sz, const char *src)
{
	return (copy_n(buf, sz, src, strlen(src)));
}

static bool
is_blank(char c)
{
	return (c == ' ' || c == '\t' || c == '\r');
}

/* A value of nothing but these is written as no value. */
static bool
is_blank_or_control(char c)
{
	return (is_blank(c) || (unsigned char)c < 0x20 || c == 0x7f);
}

static bool
all_blank_or_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_blank_or_control(*s))
			return (false);
	return (true);
}

static bool
is_be_char(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
}

/* The BE part of a name; the full rules are be_name_valid()'s, but this
 * file is linked alone, and here it only has to keep the name parseable. */
static bool
be_part_valid(const char *be, size_t len)
{
	if (len == 0 || len >= SDB_FIELD_MAX)
		return (false);
	for (size_t i = 0; i < len; i++)
		if (!is_be_char(be[i]))
			return (false);
	return (true);
}

static bool
kver_part_valid(const char *kver, size_t len)
{
	if (len == 0 || len > SDB_KVER_MAX)
		return (false);
	if ((len == 1 && kver[0] == '.') ||
	    (len == 2 && kver[0] == '.' && kver[1] == '.'))
		return (false);
	/* No '@' (it would be read as the end of the BE) and nothing a path
	 * or a command line would split on.  '+' is Debian's own since 13
	 * (6.12.117+deb13-amd64); sdb_kver_valid() keeps it off the end. */
	for (size_t i = 0; i < len; i++)
		if (!is_be_char(kver[i]) && kver[i] != '~' && kver[i] != '+')
			return (false);
	return (true);
}

int
sdb_kver_cmp(const char *a, const char *b)
{
	return (strverscmp(b, a));
}

/* Parse a run of digits from p up to end; false for none or > INT_MAX. */
static bool
parse_count(const char *p, const char *end, int *out)
{
	long v = 0;

	if (p == end)
		return (false);
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return (false);
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return (false);
	}
	*out = (int)v;
	return (true);
}

/*
 * Find the "+N[-M]" counter at the end of stem[0..len); *stemlen gets the
 * length without it.  systemd-boot takes the last '+'; "-M" missing means
 * no tries done yet.
 */
static void
parse_counter(const char *stem, size_t len, struct sdb_name *nm,
    size_t *stemlen)
{
	const char *end = stem + len, *plus = NULL, *dash;
	int left, done = 0;

	*stemlen = len;
	nm->tries_left = -1;
	nm->tries_done = -1;
	for (const char *p = stem; p < end; p++)
		if (*p == '+')
			plus = p;
	if (plus == NULL)
		return;
	dash = memchr(plus + 1, '-', (size_t)(end - plus - 1));
	if (dash == NULL) {
		if (!parse_count(plus + 1, end, &left))
			return;
	} else if (!parse_count(plus + 1, dash, &left) ||
	    !parse_count(dash + 1, end, &done)) {
		return;
	}
	nm->tries_left = left;
	nm->tries_done = done;
	*stemlen = (size_t)(plus - stem);
}

bool
sdb_kver_valid(const char *kver)
{
	struct sdb_name nm;
	size_t len, stemlen;

	if (kver == NULL || !kver_part_valid(kver, len = strlen(kver)))
		return (false);
	/* A version ending in "+N" or "+N-M" would be read by systemd-boot
	 * as a boot counter in every entry named after it. */
	parse_counter(kver, len, &nm, &stemlen);
	return (stemlen == len);
}

/* "<BE>@<kver>" after a beadm prefix; false when it is not that. */
static bool
split_be_kver(const char *s, size_t len, struct sdb_name *nm)
{
	const char *at = memchr(s, '@', len);
	size_t belen;

	if (at == NULL)
		return (false);
	belen = (size_t)(at - s);
	if (!be_part_valid(s, belen) ||
	    !kver_part_valid(at + 1, len - belen - 1))
		return (false);
	(void) copy_n(nm->be, sizeof (nm->be), s, belen);
	(void) copy_n(nm->kver, sizeof (nm->kver), at + 1, len - belen - 1);
	return (true);
}

static bool
has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return (len >= plen && strncmp(s, prefix, plen) == 0);
}

/*
 * Which kind of entry stem (the name without counter and ".conf") is.  The
 * kind goes by the prefix only: a beadm~try- entry whose counter someone
 * removed is still beadm's to manage and delete.
 */
static void
classify(const char *stem, size_t len, struct sdb_name *nm)
{
	static const struct {
		const char *prefix;
		enum sdb_kind kind;
	} kinds[] = {
		{ PREFIX_NORMAL, SDB_NORMAL },
		{ PREFIX_TRY, SDB_TRY },
		{ PREFIX_FALLBACK, SDB_FALLBACK },
	};

	nm->kind = SDB_FOREIGN;
	nm->be[0] = '\0';
	nm->kver[0] = '\0';
	for (size_t i = 0; i < sizeof (kinds) / sizeof (kinds[0]); i++) {
		size_t plen = strlen(kinds[i].prefix);

		if (!has_prefix(stem, len, kinds[i].prefix))
			continue;
		if (split_be_kver(stem + plen, len - plen, nm)) {
			nm->kind = kinds[i].kind;
		} else {
			nm->be[0] = '\0';
			nm->kver[0] = '\0';
		}
		return;
	}
}

bool
sdb_name_parse(const char *file, struct sdb_name *nm)
{
	size_t len, slen = strlen(CONF_SUFFIX), stemlen;

	if (file == NULL)
		return (false);
	len = strlen(file);
	/* systemd-boot matches the suffix in any case, as FAT does names. */
	if (len <= slen || strcasecmp(file + len - slen, CONF_SUFFIX) != 0)
		return (false);
	parse_counter(file, len - slen, nm, &stemlen);
	classify(file, stemlen, nm);
	if (stemlen + slen >= sizeof (nm->id)) {
		/* Too long to be beadm's; its id is only ever compared. */
		nm->kind = SDB_FOREIGN;
		nm->be[0] = nm->kver[0] = '\0';
	}
	(void) copy_n(nm->id, sizeof (nm->id) - slen, file, stemlen);
	(void) strcat(nm->id, CONF_SUFFIX);
	for (char *p = nm->id; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return (true);
}

bool
sdb_name_format(enum sdb_kind kind, const char *be, const char *kver,
    int tries, char *buf, size_t sz)
{
	const char *prefix;
	int n;

	switch (kind) {
	case SDB_NORMAL:
		prefix = PREFIX_NORMAL;
		break;
	case SDB_TRY:
		prefix = PREFIX_TRY;
		break;
	case SDB_FALLBACK:
		prefix = PREFIX_FALLBACK;
		break;
	default:
		return (false);
	}
	if (tries >= 0 && kind != SDB_TRY)
		return (false);
	if (be == NULL || !be_part_valid(be, strlen(be)) ||
	    !sdb_kver_valid(kver))
		return (false);
	if (tries >= 0)
		n = snprintf(buf, sz, "%s%s@%s+%d%s", prefix, be, kver, tries,
		    CONF_SUFFIX);
	else
		n = snprintf(buf, sz, "%s%s@%s%s", prefix, be, kver,
		    CONF_SUFFIX);
	return (n >= 0 && (size_t)n < sz);
}

bool
sdb_be_pattern(const char *be, char *buf, size_t sz)
{
	int n;

	/* BE characters are never fnmatch(3) specials, so no quoting. */
	if (be == NULL || !be_part_valid(be, strlen(be)))
		return (false);
	n = snprintf(buf, sz, "%s%s@*", PREFIX_NORMAL, be);
	return (n >= 0 && (size_t)n < sz);
}

/*
 * Entry files.
 */

/*
 * One "key value" line, written so that systemd-boot (and sdb_entry_parse)
 * reads back exactly the value written: control characters become blanks
 * (a newline in a value would start a line read as a key), and a value
 * with blanks at either end, or in double quotes, which the reader would
 * strip or unquote, is put in double quotes.  A value of nothing but
 * blanks is left out, like an empty one.
 */
static bool
render_field(char *buf, size_t sz, size_t *off, const char *key,
    const char *value)
{
	size_t len = strlen(value), i;
	bool quote;
	char *v;
	int n;

	if (all_blank_or_control(value))
		return (true);
	if (*off >= sz || (v = malloc(len + 1)) == NULL)
		return (false);
	for (i = 0; i < len; i++)
		v[i] = (unsigned char)value[i] < 0x20 || value[i] == 0x7f ?
		    ' ' : value[i];
	v[len] = '\0';
	quote = is_blank(v[0]) || is_blank(v[len - 1]) ||
	    (len >= 2 && v[0] == '"' && v[len - 1] == '"');
	n = snprintf(buf + *off, sz - *off, quote ? "%-10s \"%s\"\n" :
	    "%-10s %s\n", key, v);
	free(v);
	if (n < 0 || (size_t)n >= sz - *off)
		return (false);
	*off += (size_t)n;
	return (true);
}

int
sdb_entry_render(const struct sdb_entry *e, char *buf, size_t sz)
{
	size_t off = 0;

	if (sz == 0)
		return (-1);
	buf[0] = '\0';
	if (!render_field(buf, sz, &off, "title", e->title) ||
	    !render_field(buf, sz, &off, "version", e->version) ||
	    !render_field(buf, sz, &off, "sort-key", e->sort_key) ||
	    !render_field(buf, sz, &off, "linux", e->linux_path) ||
	    !render_field(buf, sz, &off, "initrd", e->initrd_path) ||
	    !render_field(buf, sz, &off, "options", e->options))
		return (-1);
	if (off > INT_MAX)
		return (-1);
	return ((int)off);
}

/*
 * One "key value" line of a systemd-boot file, as its line_get_key_value()
 * reads it: leading and trailing blanks stripped, comments and lines
 * without a value skipped, a value in double quotes unquoted.  The key and
 * value point into line; false for a line that holds no pair.
 */
struct kv {
	const char *key, *value;
	size_t keylen, valuelen;
};

static bool
line_kv(const char *line, size_t len, struct kv *kv)
{
	const char *p = line, *end = line + len;

	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (p == end || *p == '#')
		return (false);
	kv->key = p;
	while (p < end && !is_blank(*p))
		p++;
	kv->keylen = (size_t)(p - kv->key);
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return (false);
	if (end - p >= 2 && *p == '"' && end[-1] == '"') {
		p++;
		end--;
	}
	kv->value = p;
	kv->valuelen = (size_t)(end - p);
	return (true);
}

static bool
key_is(const struct kv *kv, const char *key)
{
	return (kv->keylen == strlen(key) &&
	    strncmp(kv->key, key, kv->keylen) == 0);
}

/* The length of the line at p, without its '\n'. */
static size_t
line_len(const char *p)
{
	const char *nl = strchr(p, '\n');

	return (nl != NULL ? (size_t)(nl - p) : strlen(p));
}

/* systemd-boot joins repeated options lines with a blank. */
static void
append_options(char *buf, size_t sz, const char *value, size_t len)
{
	size_t have = strlen(buf);

	if (have > 0 && have + 1 < sz)
		buf[have++] = ' ';
	(void) copy_n(buf + have, sz - have, value, len);
}

static void
entry_field(struct sdb_entry *e, const struct kv *kv, bool *have_initrd)
{
	if (key_is(kv, "title"))
		(void) copy_n(e->title, sizeof (e->title), kv->value,
		    kv->valuelen);
	else if (key_is(kv, "version"))
		(void) copy_n(e->version, sizeof (e->version), kv->value,
		    kv->valuelen);
	else if (key_is(kv, "sort-key"))
		(void) copy_n(e->sort_key, sizeof (e->sort_key), kv->value,
		    kv->valuelen);
	else if (key_is(kv, "linux"))
		(void) copy_n(e->linux_path, sizeof (e->linux_path),
		    kv->value, kv->valuelen);
	else if (key_is(kv, "initrd") && !*have_initrd) {
		(void) copy_n(e->initrd_path, sizeof (e->initrd_path),
		    kv->value, kv->valuelen);
		*have_initrd = true;
	} else if (key_is(kv, "options"))
		append_options(e->options, sizeof (e->options), kv->value,
		    kv->valuelen);
}

void
sdb_entry_parse(const char *text, struct sdb_entry *e)
{
	bool have_initrd = false;
	struct kv kv;

	memset(e, 0, sizeof (*e));
	if (text == NULL)
		return;
	for (const char *p = text; *p != '\0'; ) {
		size_t len = line_len(p);

		if (line_kv(p, len, &kv))
			entry_field(e, &kv, &have_initrd);
		p += len;
		if (*p == '\n')
			p++;
	}
}

/*
 * loader.conf.
 */

void
sdb_loader_default(const char *text, char *buf, size_t sz)
{
	struct kv kv;

	if (sz > 0)
		buf[0] = '\0';
	if (text == NULL)
		return;
	for (const char *p = text; *p != '\0'; ) {
		size_t len = line_len(p);

		if (line_kv(p, len, &kv) && key_is(&kv, "default"))
			(void) copy_n(buf, sz, kv.value, kv.valuelen);
		p += len;
		if (*p == '\n')
			p++;
	}
}

/* Is the line at p (len bytes) the marker, trailing blanks aside? */
static bool
is_marker_line(const char *p, size_t len)
{
	size_t mlen = strlen(SDB_MARKER);

	if (len < mlen || strncmp(p, SDB_MARKER, mlen) != 0)
		return (false);
	for (size_t i = mlen; i < len; i++)
		if (!is_blank(p[i]))
			return (false);
	return (true);
}

bool
sdb_loader_is_ours(const char *text)
{
	return (text != NULL && is_marker_line(text, line_len(text)));
}

/* A "default" line, with or without a value: both are replaced. */
static bool
is_default_line(const char *p, size_t len)
{
	const char *end = p + len;
	size_t klen = strlen("default");

	while (p < end && is_blank(*p))
		p++;
	return ((size_t)(end - p) >= klen && strncmp(p, "default", klen) == 0 &&
	    (p + klen == end || is_blank(p[klen])));
}

char *
sdb_loader_with_default(const char *text, const char *pattern)
{
	size_t tlen = text != NULL ? strlen(text) : 0;
	size_t cap = strlen(SDB_MARKER) + tlen + strlen(pattern) + 16;
	char *out = malloc(cap);
	size_t off;

	if (out == NULL)
		return (NULL);
	off = (size_t)snprintf(out, cap, "%s\n", SDB_MARKER);
	for (const char *p = text; p != NULL && *p != '\0'; ) {
		size_t len = line_len(p);

		if (!is_marker_line(p, len) && !is_default_line(p, len)) {
			memcpy(out + off, p, len);
			off += len;
			out[off++] = '\n';
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	(void) snprintf(out + off, cap - off, "default %s\n", pattern);
	return (out);
}

/*
 * The kernel command line.
 */

/* The end of the argument at p: blanks split arguments except inside
 * double quotes (foo="a b"), as the kernel reads them. */
static const char *
arg_end(const char *p, const char *end)
{
	bool quoted = false;

	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && is_blank(*p))
			break;
	}
	return (p);
}

struct cmdline_out {
	char *buf;
	size_t sz, off;
	bool ok;
};

static void
out_put(struct cmdline_out *o, const char *s, size_t len)
{
	if (!o->ok || o->off + len >= o->sz) {
		o->ok = false;
		return;
	}
	memcpy(o->buf + o->off, s, len);
	o->off += len;
	o->buf[o->off] = '\0';
}

static void
out_sep(struct cmdline_out *o)
{
	if (o->off > 0)
		out_put(o, " ", 1);
}

static void
out_root(struct cmdline_out *o, const char *dataset)
{
	out_sep(o);
	out_put(o, "root=ZFS=", strlen("root=ZFS="));
	out_put(o, dataset, strlen(dataset));
}

/* One argument with every "__BE_NAME" replaced by be. */
static void
out_arg(struct cmdline_out *o, const char *p, size_t len, const char *be)
{
	static const char token[] = "__BE_NAME";
	size_t tlen = sizeof (token) - 1;

	out_sep(o);
	while (len > 0) {
		if (len >= tlen && strncmp(p, token, tlen) == 0) {
			out_put(o, be, strlen(be));
			p += tlen;
			len -= tlen;
		} else {
			out_put(o, p, 1);
			p++;
			len--;
		}
	}
}

static bool
arg_has_prefix(const char *p, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return (len >= plen && strncmp(p, prefix, plen) == 0);
}

/* Does the first line of template have a root= argument? */
static bool
has_root_arg(const char *p, const char *end)
{
	while (p < end) {
		const char *e;

		while (p < end && is_blank(*p))
			p++;
		e = arg_end(p, end);
		if (arg_has_prefix(p, (size_t)(e - p), "root="))
			return (true);
		p = e;
	}
	return (false);
}

bool
sdb_cmdline(const char *template, const char *be, const char *dataset,
    char *buf, size_t sz)
{
	struct cmdline_out o = { buf, sz, 0, sz > 0 };
	const char *p = template != NULL ? template : "";
	const char *end = p + line_len(p);

	if (sz > 0)
		buf[0] = '\0';
	if (!has_root_arg(p, end))
		out_root(&o, dataset);
	while (p < end) {
		const char *e;
		size_t len;

		while (p < end && is_blank(*p))
			p++;
		e = arg_end(p, end);
		len = (size_t)(e - p);
		if (len == 0 || arg_has_prefix(p, len, "BOOT_IMAGE=") ||
		    arg_has_prefix(p, len, "initrd=")) {
			/* Left there by the loader that booted this one. */
		} else if (arg_has_prefix(p, len, "root=")) {
			out_root(&o, dataset);
		} else {
			out_arg(&o, p, len, be);
		}
		p = e;
	}
	return (o.ok);
}

/*
 * The choice systemd-boot makes.
 */

struct seen_sorted {
	size_t index;
	struct sdb_name name;
	const struct sdb_seen *seen;
};

static int
sign(int v)
{
	return ((v > 0) - (v < 0));
}

/* An entry with a counter at +0 is one systemd-boot has given up on. */
static bool
no_tries_left(const struct sdb_name *nm)
{
	return (nm->tries_left == 0);
}

/* systemd-boot v252's config_entry_compare(), less the machine id, which
 * beadm's entries do not set. */
static int
seen_cmp(const void *va, const void *vb)
{
	const struct seen_sorted *a = va, *b = vb;
	bool akey = a->seen->sort_key != NULL && a->seen->sort_key[0] != '\0';
	bool bkey = b->seen->sort_key != NULL && b->seen->sort_key[0] != '\0';
	int r;

	if ((r = (int)no_tries_left(&a->name) - (int)no_tries_left(&b->name))
	    != 0)
		return (r);
	if ((r = (int)bkey - (int)akey) != 0)
		return (r);
	if (akey) {
		if ((r = strcmp(a->seen->sort_key, b->seen->sort_key)) != 0)
			return (r);
		r = -sign(strverscmp(a->seen->version ? a->seen->version : "",
		    b->seen->version ? b->seen->version : ""));
		if (r != 0)
			return (r);
	}
	if ((r = -sign(strverscmp(a->name.id, b->name.id))) != 0)
		return (r);
	if (a->name.tries_left >= 0 && b->name.tries_left >= 0) {
		if (a->name.tries_left != b->name.tries_left)
			return (a->name.tries_left > b->name.tries_left ?
			    -1 : 1);
		if (a->name.tries_done != b->name.tries_done)
			return (a->name.tries_done < b->name.tries_done ?
			    -1 : 1);
	}
	/* Equal for systemd-boot; keep the input order, for a stable result. */
	return (a->index < b->index ? -1 : a->index > b->index);
}

/* systemd-boot compares lower-cased patterns with lower-cased ids. */
static bool
id_matches(const char *pattern, const char *id)
{
	char lower[SDB_OPTIONS_MAX];

	if (!copy_str(lower, sizeof (lower), pattern))
		return (false);
	for (char *p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return (fnmatch(lower, id, 0) == 0);
}

static int
first_match(const struct seen_sorted *s, size_t n, const char *pattern)
{
	if (pattern == NULL || pattern[0] == '\0')
		return (-1);
	for (size_t i = 0; i < n; i++)
		if (id_matches(pattern, s[i].name.id))
			return ((int)s[i].index);
	return (-1);
}

int
sdb_select(const struct sdb_seen *seen, size_t n, const char *default_pattern,
    const char *oneshot)
{
	struct seen_sorted *s;
	size_t m = 0;
	int pick;

	if (n == 0 || n > INT_MAX || (s = calloc(n, sizeof (*s))) == NULL)
		return (-1);
	for (size_t i = 0; i < n; i++) {
		/* systemd-boot skips files that are not *.conf. */
		if (!sdb_name_parse(seen[i].file, &s[m].name))
			continue;
		s[m].index = i;
		s[m].seen = &seen[i];
		m++;
	}
	qsort(s, m, sizeof (*s), seen_cmp);
	if ((pick = first_match(s, m, oneshot)) < 0 &&
	    (pick = first_match(s, m, default_pattern)) < 0 && m > 0)
		pick = (int)s[0].index;
	free(s);
	return (pick);
}
