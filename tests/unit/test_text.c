/* SPDX-License-Identifier: ISC */
/* Unit tests of common/text.c: UTF-8, Python-compatible trimming, lowercasing. */
#include <string.h>

#include "text.h"
#include "unit.h"

static void
test_utf8_valid(void)
{
	CHECK(text_utf8_valid("abc", 3), "ASCII");
	CHECK(text_utf8_valid("b\xc3\xbc" "cher", 7), "two-byte sequence");
	CHECK(text_utf8_valid("\xf0\x9f\x98\x80", 4), "four-byte sequence");
	CHECK(!text_utf8_valid("\xff", 1), "0xff byte");
	CHECK(!text_utf8_valid("\xc0\xaf", 2), "overlong slash");
	CHECK(!text_utf8_valid("\xed\xa0\x80", 3), "encoded surrogate");
	CHECK(!text_utf8_valid("\xc3", 1), "truncated sequence");
	CHECK(!text_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF");
}

static void
test_strip(void)
{
	/* U+00A0, U+3000, tab and newline are whitespace to str.strip(). */
	const char	*s = "\xc2\xa0\t pass word\n\xe3\x80\x80";
	size_t		 start, end;

	text_strip(s, strlen(s), &start, &end);
	CHECK(end - start == 9, "stripped to [%zu, %zu)", start, end);
	CHECK(memcmp(s + start, "pass word", 9) == 0, "stripped text");
	text_strip(" \xe2\x80\x83 ", 5, &start, &end);
	CHECK(start >= end, "only whitespace strips to nothing");
	text_strip("", 0, &start, &end);
	CHECK(start >= end, "empty string");
	/* U+200B (zero width space) is not whitespace in Python. */
	text_strip("\xe2\x80\x8b", 3, &start, &end);
	CHECK(start == 0, "U+200B kept at the start");
	CHECK(end == 3, "U+200B kept at the end");
}

static void
test_code_points(void)
{
	CHECK(text_code_points("b\xc3\xbc" "cher", 7) == 6, "b\\u00fccher");
	CHECK(text_code_points("\xf0\x9f\x98\x80", 4) == 1, "one emoji");
	CHECK(text_code_points("", 0) == 0, "empty");
}

static void
test_surrogate(void)
{
	CHECK(text_first_surrogate("a\xed\xa0\x80", 4) == 0xd800, "U+D800 found");
	CHECK(text_first_surrogate("\xed\xbf\xbf", 3) == 0xdfff, "U+DFFF found");
	CHECK(text_first_surrogate("\xef\xbf\xbd", 3) == 0, "U+FFFD is no surrogate");
}

static void
test_lowercase(void)
{
	char	 out[64];
	int	 n;

	n = text_lowercase("B\xc3\x9c" "CHER.Example", 15, out, sizeof(out));
	CHECK(n == 15, "length %d", n);
	CHECK(strcmp(out, "b\xc3\xbc" "cher.example") == 0, "lowercased to %s", out);
	CHECK(text_lowercase("ABCDEF", 6, out, 4) == -1, "too small a buffer");
}

int
main(void)
{
	RUN(test_utf8_valid);
	RUN(test_strip);
	RUN(test_code_points);
	RUN(test_surrogate);
	RUN(test_lowercase);
	return unit_report("text");
}
