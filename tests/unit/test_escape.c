/*
 * test_escape.c - how beadm writes text it did not make (util/escape.c):
 * nothing can add a line or a field or break JSON, valid UTF-8 reads as
 * it is, and the escaped text decodes back to the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

static void
escapes_what_could_break_a_line_or_a_field(void **state)
{
	static const struct {
		const char *in, *text, *json;
	} cases[] = {
		{ "plain/path", "plain/path", "\"plain/path\"" },
		{ "tab\there", "tab\\011here", "\"tab\\\\011here\"" },
		{ "new\nline", "new\\012line", "\"new\\\\012line\"" },
		{ "back\\slash", "back\\134slash", "\"back\\\\134slash\"" },
		{ "quo\"te", "quo\"te", "\"quo\\\"te\"" },
		{ "del\177", "del\\177", "\"del\\\\177\"" },
		{ "\033[2J", "\\033[2J", "\"\\\\033[2J\"" },
		/* Valid UTF-8 stays readable. */
		{ "Mise \xc3\xa0 jour \xe2\x82\xac \xf0\x9f\x90\xa7",
		  "Mise \xc3\xa0 jour \xe2\x82\xac \xf0\x9f\x90\xa7",
		  "\"Mise \xc3\xa0 jour \xe2\x82\xac \xf0\x9f\x90\xa7\"" },
		/* Not UTF-8: a lone byte, an overlong '/', a surrogate, a
		 * sequence cut short, beyond U+10FFFF. */
		{ "\xff", "\\377", "\"\\\\377\"" },
		{ "\xc0\xaf", "\\300\\257", "\"\\\\300\\\\257\"" },
		{ "\xed\xa0\x80", "\\355\\240\\200", "\"\\\\355\\\\240\\\\200\"" },
		{ "\xe2\x82", "\\342\\202", "\"\\\\342\\\\202\"" },
		{ "\xf4\x90\x80\x80", "\\364\\220\\200\\200",
		  "\"\\\\364\\\\220\\\\200\\\\200\"" },
		/* A C1 control (U+009B, the one-byte CSI) is valid UTF-8. */
		{ "\xc2\x9b", "\\302\\233", "\"\\\\302\\\\233\"" },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
		assert_int_equal(esc_text(buf, sizeof (buf), cases[i].in),
		    strlen(cases[i].text));
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(esc_json(buf, sizeof (buf), cases[i].in),
		    strlen(cases[i].json));
		assert_string_equal(buf, cases[i].json);
	}
}

static void
a_short_buffer_is_cut_and_says_how_much_it_needs(void **state)
{
	char buf[6];

	(void)state;
	assert_int_equal(esc_text(buf, sizeof (buf), "a\tbcdef"), 10);
	assert_string_equal(buf, "a\\011");
	assert_int_equal(esc_text(NULL, 0, "\n\n"), 8);
}

static void
escaped_text_decodes_to_the_same_bytes(void **state)
{
	char in[64], text[4 * sizeof (in) + 1], back[sizeof (in)];
	unsigned seed = 1;
	int round;
	size_t n, i;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = (size_t)(rand_r(&seed) % (sizeof (in) - 1));
		for (i = 0; i < n; i++) {
			/* Mostly text and UTF-8 lead bytes, some anything. */
			int r = rand_r(&seed);

			in[i] = (char)(r % 4 == 0 ? 0xc0 + r % 0x35 :
			    r % 4 == 1 ? 0x80 + r % 0x40 : 1 + r % 0xff);
		}
		in[n] = '\0';
		assert_true(esc_text(text, sizeof (text), in) < sizeof (text));
		assert_null(strchr(text, '\t'));
		assert_null(strchr(text, '\n'));
		assert_true(esc_decode(back, sizeof (back), text));
		assert_string_equal(back, in);
	}
}

static void
decode_refuses_what_escaping_never_writes(void **state)
{
	char out[32];

	(void)state;
	assert_false(esc_decode(out, sizeof (out), "a\\9"));
	assert_false(esc_decode(out, sizeof (out), "a\\000"));
	assert_false(esc_decode(out, sizeof (out), "raw\ttab"));
	assert_false(esc_decode(out, sizeof (out), "\xff"));
	assert_false(esc_decode(out, 3, "abc"));
	assert_true(esc_decode(out, sizeof (out), "a\\011b"));
	assert_string_equal(out, "a\tb");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_what_could_break_a_line_or_a_field),
		cmocka_unit_test(a_short_buffer_is_cut_and_says_how_much_it_needs),
		cmocka_unit_test(escaped_text_decodes_to_the_same_bytes),
		cmocka_unit_test(decode_refuses_what_escaping_never_writes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
