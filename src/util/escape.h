/*
 * escape.h - how beadm writes text it did not make itself (names, mount
 * points, descriptions, paths and versions from a BE) so that none of it
 * can add a line or a field to output meant for scripts, break a JSON
 * document or send control sequences to a terminal.
 *
 * The rule, the same in tables, -H lines and JSON (beadm(8) OUTPUT): a
 * backslash, a control character (C0, DEL, C1) and every byte that is not
 * part of valid UTF-8 are written as a backslash and three octal digits;
 * everything else as it is.  A JSON string holds that same text, with its
 * backslashes and quotes escaped as JSON wants.  esc_decode() undoes it.
 */
#ifndef ESCAPE_H
#define	ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The escaped text of s into out (sz bytes, NUL-terminated); the length it
 * needs without the NUL, as snprintf counts: out holds it all only when
 * that is less than sz.  Each input byte takes at most 4. */
size_t esc_text(char *out, size_t sz, const char *s);
/* The same as a JSON string, quotes included. */
size_t esc_json(char *out, size_t sz, const char *s);
/* Write s escaped, or as a JSON string; NULL as "" or null. */
void esc_put_text(FILE *f, const char *s);
void esc_put_json(FILE *f, const char *s);
/* The bytes an escaped text stands for, into out (sz bytes, NUL added);
 * false when text is not escaped text or out is too small. */
bool esc_decode(char *out, size_t sz, const char *text);

#endif /* ESCAPE_H */
