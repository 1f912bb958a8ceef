/* SPDX-License-Identifier: ISC */
/*
 * UTF-8 text as the API measures it: in code points, trimmed the way
 * Python's str.strip() trims, with lone surrogates detectable.
 *
 * Strings that come out of the JSON body parser may hold a lone surrogate
 * encoded as three bytes (ED A0 80 to ED BF BF): body.c keeps them that way
 * so the field rules can name the code point. The decoder here reads them;
 * text_utf8_valid() rejects them.
 */
#ifndef SHOPEASE_TEXT_H
#define SHOPEASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
int	text_utf8_valid(const char *s, size_t len);

/*
 * Decode the code point at s[*pos] and advance *pos. Accepts encoded
 * surrogates; returns 0xFFFD for a malformed byte and advances by one.
 */
uint32_t text_decode(const char *s, size_t len, size_t *pos);

/* Append the UTF-8 encoding of cp (surrogates included) to out; returns bytes written. */
size_t	text_encode(uint32_t cp, char out[4]);

/* Python's str.isspace() for one code point. */
int	text_is_space(uint32_t cp);

/* Narrow [*start, *end) of s to exclude leading and trailing whitespace. */
void	text_strip(const char *s, size_t len, size_t *start, size_t *end);

size_t	text_code_points(const char *s, size_t len);

/* The first surrogate code point in s, or 0 when there is none. */
uint32_t text_first_surrogate(const char *s, size_t len);

/*
 * Copy s to out (of outsz bytes) with every letter lowercased by the
 * C.UTF-8 locale's one-to-one case mapping. Returns the length, or -1 when
 * out is too small or the locale is missing.
 */
int	text_lowercase(const char *s, size_t len, char *out, size_t outsz);

#endif
