/*
 * fuzz_escape.c - the output encoders (util/escape.c), for any bytes a
 * BE's name, mount point, description or path may hold.  Properties: the
 * text has no tab, newline or other control byte and decodes back to the
 * input; the JSON string is valid JSON (checked by a strict reader of the
 * string grammar, RFC 8259, and valid UTF-8) and holds that same text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fuzz.h"

/* Length of the UTF-8 sequence at p if valid, else 0. */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned long cp;
	size_t n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	return (n);
}

/* Read a JSON string (RFC 8259) into out; false when it is not one. */
static bool
json_string(const char *s, char *out, size_t sz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0, n;

	if (*p++ != '"')
		return (false);
	while (*p != '"') {
		if (*p < 0x20)
			return (false);
		if (*p == '\\') {
			p++;
			switch (*p) {
			case '"': case '\\': case '/':
				if (len + 1 >= sz)
					return (false);
				out[len++] = (char)*p++;
				continue;
			default:
				return (false);	/* escape.c writes no other */
			}
		}
		if ((n = utf8_len(p)) == 0 || len + n >= sz)
			return (false);
		memcpy(out + len, p, n);
		len += n;
		p += n;
	}
	out[len] = '\0';
	return (p[1] == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size), *text, *json, *back, *inner;
	size_t tn, jn, i;

	if (in == NULL)
		return (0);
	tn = esc_text(NULL, 0, in);
	jn = esc_json(NULL, 0, in);
	text = malloc(tn + 1);
	json = malloc(jn + 1);
	back = malloc(strlen(in) + 1);
	inner = malloc(jn + 1);
	if (text && json && back && inner) {
		FUZZ_ASSERT(esc_text(text, tn + 1, in) == tn);
		FUZZ_ASSERT(esc_json(json, jn + 1, in) == jn);
		for (i = 0; i < tn; i++)
			FUZZ_ASSERT((unsigned char)text[i] >= 0x20 &&
			    text[i] != 0x7f);
		FUZZ_ASSERT(esc_decode(back, strlen(in) + 1, text));
		FUZZ_ASSERT(strcmp(back, in) == 0);
		FUZZ_ASSERT(json_string(json, inner, jn + 1));
		FUZZ_ASSERT(strcmp(inner, text) == 0);
	}
	free(in);
	free(text);
	free(json);
	free(back);
	free(inner);
	return (0);
}
