/* SPDX-License-Identifier: ISC */
/*
 * UTF-8 decoding, Python-compatible whitespace trimming and lowercasing.
 */
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

#include "text.h"

int
text_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, need, k;
	uint32_t		 cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			need = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (len - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

uint32_t
text_decode(const char *s, size_t len, size_t *pos)
{
	const unsigned char	*p = (const unsigned char *)s + *pos;
	size_t			 left = len - *pos, need, k;
	uint32_t		 cp;

	if (p[0] < 0x80) {
		*pos += 1;
		return p[0];
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 1;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		cp = p[0] & 0x07;
	} else
		goto bad;
	if (left <= need)
		goto bad;
	for (k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			goto bad;
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	*pos += need + 1;
	return cp;
bad:
	*pos += 1;
	return 0xfffd;
}

size_t
text_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int
text_is_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) ||
	    cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

void
text_strip(const char *s, size_t len, size_t *start, size_t *end)
{
	size_t	 pos = 0, next, last_end = 0;
	int	 seen = 0;

	*start = len;
	while (pos < len) {
		next = pos;
		if (!text_is_space(text_decode(s, len, &next))) {
			if (!seen) {
				*start = pos;
				seen = 1;
			}
			last_end = next;
		}
		pos = next;
	}
	*end = seen ? last_end : len;
}

size_t
text_code_points(const char *s, size_t len)
{
	size_t	 pos = 0, n = 0;

	while (pos < len) {
		(void)text_decode(s, len, &pos);
		n++;
	}
	return n;
}

uint32_t
text_first_surrogate(const char *s, size_t len)
{
	size_t		 pos = 0;
	uint32_t	 cp;

	while (pos < len) {
		cp = text_decode(s, len, &pos);
		if (cp >= 0xd800 && cp <= 0xdfff)
			return cp;
	}
	return 0;
}

int
text_lowercase(const char *s, size_t len, char *out, size_t outsz)
{
	static locale_t	 utf8;
	size_t		 pos = 0, o = 0, n;
	uint32_t	 cp;
	char		 enc[4];

	if (utf8 == (locale_t)0 &&
	    (utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)) == (locale_t)0)
		return -1;
	while (pos < len) {
		cp = text_decode(s, len, &pos);
		if (cp < 0xd800 || cp > 0xdfff)
			cp = (uint32_t)towlower_l((wint_t)cp, utf8);
		n = text_encode(cp, enc);
		if (o + n >= outsz)
			return -1;
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}
