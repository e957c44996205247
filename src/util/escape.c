/*
 * escape.c - see escape.h.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* How many bytes of a valid UTF-8 sequence of a printable character start
 * at p: 0 when the byte at p must be escaped. */
static size_t
printable_utf8(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return (c >= 0x20 && c != 0x7f && c != '\\' ? 1 : 0);
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return (0);
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);	/* also stops at the NUL */
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond Unicode; C1 controls. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return (0);
	return (n);
}

/* Append the n bytes at s to out as far as it has room; count them. */
static void
put(char *out, size_t sz, size_t *len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, (*len)++)
		if (*len + 1 < sz)
			out[*len] = s[i];
}

static size_t
escape(char *out, size_t sz, const char *s, bool json)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	char oct[6];
	size_t len = 0, n;

	if (json)
		put(out, sz, &len, "\"", 1);
	while (*p != '\0') {
		if ((n = printable_utf8(p)) > 0) {
			if (json && *p == '"')
				put(out, sz, &len, "\\\"", 2);
			else
				put(out, sz, &len, (const char *)p, n);
			p += n;
			continue;
		}
		/* JSON escapes the backslash of \ooo itself. */
		snprintf(oct, sizeof (oct), "%s%03o", json ? "\\\\" : "\\", *p);
		put(out, sz, &len, oct, strlen(oct));
		p++;
	}
	if (json)
		put(out, sz, &len, "\"", 1);
	if (sz > 0)
		out[len < sz ? len : sz - 1] = '\0';
	return (len);
}

size_t
esc_text(char *out, size_t sz, const char *s)
{
	return (escape(out, sz, s, false));
}

size_t
esc_json(char *out, size_t sz, const char *s)
{
	return (escape(out, sz, s, true));
}

static void
put_escaped(FILE *f, const char *s, bool json)
{
	char small[1024], *big;
	size_t n = escape(small, sizeof (small), s, json);

	if (n < sizeof (small)) {
		fputs(small, f);
		return;
	}
	if ((big = malloc(n + 1)) == NULL) {
		fputs(json ? "\"\"" : "", f);	/* never the raw bytes */
		return;
	}
	(void) escape(big, n + 1, s, json);
	fputs(big, f);
	free(big);
}

void
esc_put_text(FILE *f, const char *s)
{
	put_escaped(f, s, false);
}

void
esc_put_json(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		put_escaped(f, s, true);
}

bool
esc_decode(char *out, size_t sz, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = 0, n;
	unsigned v;

	while (*p != '\0') {
		if (*p == '\\') {
			if (p[1] < '0' || p[1] > '3' || p[2] < '0' ||
			    p[2] > '7' || p[3] < '0' || p[3] > '7')
				return (false);
			v = (unsigned)((p[1] - '0') * 64 + (p[2] - '0') * 8 +
			    (p[3] - '0'));
			if (v == 0)
				return (false);
			p += 4;
		} else if ((n = printable_utf8(p)) > 0) {
			if (len + n >= sz)
				return (false);
			memcpy(out + len, p, n);
			len += n;
			p += n;
			continue;
		} else {
			return (false);	/* a byte that should be escaped */
		}
		if (len + 1 >= sz)
			return (false);
		out[len++] = (char)v;
	}
	if (sz == 0)
		return (false);
	out[len] = '\0';
	return (true);
}
