/* SPDX-License-Identifier: ISC */
/*
 * Email validation close to Django's EmailValidator:
 *   local part: a dot-atom of ASCII atext, or a quoted string of printable
 *     ASCII without spaces in which '"' and '\' appear only escaped;
 *   domain: dot-separated labels of letters (ASCII or not), digits and
 *     inner hyphens, 1 to 63 code points each, the last label 2 to 63
 *     letters, digits or hyphens not ending with a hyphen; or "localhost";
 *     or an address literal in brackets ([127.0.0.1], [IPv6:::1]).
 */
#include <arpa/inet.h>
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "email.h"
#include "text.h"

#define LABEL_MAX	63

static int
email_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static int
email_dot_atom(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return 0;
			continue;
		}
		if (!email_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
email_quoted(const char *s, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return 0;
	for (i = 1; i < len - 1; i++) {
		c = (unsigned char)s[i];
		if (c == '\\') {
			/* An escape takes any printable ASCII character. */
			if (i + 1 >= len - 1)
				return 0;
			c = (unsigned char)s[++i];
			if (c < 0x21 || c > 0x7e)
				return 0;
			continue;
		}
		if (c < 0x21 || c > 0x7e || c == '"')
			return 0;
	}
	return 1;
}

static int
email_letter_or_digit(uint32_t cp)
{
	static locale_t	 utf8;

	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= '0' && cp <= '9');
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (utf8 == (locale_t)0 &&
	    (utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)) == (locale_t)0)
		return 0;
	return iswalnum_l((wint_t)cp, utf8);
}

/*
 * One domain label. Inner labels neither start nor end with a hyphen; the
 * last one has at least two code points and may start with a hyphen, as
 * Django's [a-z0-9-]{2,63}(?<!-) allows.
 */
static int
email_label(const char *s, size_t len, int last)
{
	size_t		 pos = 0, n = 0;
	uint32_t	 cp, prev = 0;

	while (pos < len) {
		cp = text_decode(s, len, &pos);
		if (n == 0 && cp == '-' && !last)
			return 0;
		if (cp != '-' && !email_letter_or_digit(cp))
			return 0;
		prev = cp;
		n++;
	}
	if (n == 0 || n > LABEL_MAX || prev == '-')
		return 0;
	if (last && n < 2)
		return 0;
	return 1;
}

static int
email_domain_name(const char *s, size_t len)
{
	size_t	 start = 0, i;

	if (len == 9 && memcmp(s, "localhost", 9) == 0)
		return 1;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!email_label(s + start, i - start, i == len))
			return 0;
		start = i + 1;
	}
	/* A single label is not a domain, unless it is localhost. */
	return memchr(s, '.', len) != NULL;
}

static int
email_address_literal(const char *s, size_t len)
{
	char		 addr[INET6_ADDRSTRLEN + 8];
	unsigned char	 bin[16];
	size_t		 n;

	if (len < 3 || s[0] != '[' || s[len - 1] != ']')
		return 0;
	n = len - 2;
	if (n >= sizeof(addr))
		return 0;
	memcpy(addr, s + 1, n);
	addr[n] = '\0';
	/* The tag is case-insensitive (RFC 5321), and the domain is stored lowercased. */
	if (strncasecmp(addr, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, addr + 5, bin) == 1;
	return inet_pton(AF_INET, addr, bin) == 1;
}

int
email_valid(const char *s, size_t len)
{
	const char	*at;
	size_t		 local_len;

	if (len == 0 || memchr(s, '\0', len) != NULL)
		return 0;
	/* The domain follows the last '@': a quoted local part may hold one. */
	for (at = s + len - 1; at >= s && *at != '@'; at--)
		;
	if (at < s)
		return 0;
	local_len = (size_t)(at - s);
	if (!email_dot_atom(s, local_len) && !email_quoted(s, local_len))
		return 0;
	return email_domain_name(at + 1, len - local_len - 1) ||
	    email_address_literal(at + 1, len - local_len - 1);
}

int
email_normalize(const char *s, size_t len, char *out, size_t outsz)
{
	const char	*at;
	size_t		 local_len;
	int		 n;

	for (at = s + len - 1; at >= s && *at != '@'; at--)
		;
	if (at < s)
		return -1;
	local_len = (size_t)(at - s) + 1;
	if (local_len >= outsz)
		return -1;
	memcpy(out, s, local_len);
	n = text_lowercase(at + 1, len - local_len, out + local_len, outsz - local_len);
	if (n == -1)
		return -1;
	return (int)local_len + n;
}
