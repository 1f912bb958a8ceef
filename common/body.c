/* SPDX-License-Identifier: ISC */
/*
 * Body parsing. json-c 0.16 alone is not strict enough: it accepts NaN and
 * Infinity even with JSON_TOKENER_STRICT, turns a lone surrogate escape
 * into U+FFFD, clamps integers beyond 64 bits and stops at the end of the
 * first value. A rewriting pre-scan handles the first three; the parse
 * end is compared with the input length for the last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "text.h"

struct scan {
	const char	*in;
	size_t		 len;
	size_t		 pos;
	char		*out;
	size_t		 outlen;
	char		*message;
	size_t		 messagesz;
};

static void
scan_error(struct scan *sc, size_t at, const char *what)
{
	size_t	 i, line = 1, column = 1;

	for (i = 0; i < at && i < sc->len; i++) {
		if (sc->in[i] == '\n') {
			line++;
			column = 1;
		} else
			column++;
	}
	snprintf(sc->message, sc->messagesz, "%s: line %zu column %zu (char %zu)",
	    what, line, column, at);
}

static void
scan_put(struct scan *sc, const char *s, size_t n)
{
	memcpy(sc->out + sc->outlen, s, n);
	sc->outlen += n;
}

static int
scan_hex4(const char *s, size_t left, unsigned int *out)
{
	unsigned int	 v = 0;
	size_t		 i;
	char		 c;

	if (left < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A \u escape at sc->pos (the backslash). Lone surrogates are written raw. */
static int
scan_unicode_escape(struct scan *sc)
{
	unsigned int	 cp, low;
	char		 enc[4];
	size_t		 n;

	if (scan_hex4(sc->in + sc->pos + 2, sc->len - sc->pos - 2, &cp) == -1) {
		scan_error(sc, sc->pos, "Invalid \\uXXXX escape");
		return -1;
	}
	if (cp >= 0xd800 && cp <= 0xdbff && sc->pos + 12 <= sc->len &&
	    sc->in[sc->pos + 6] == '\\' && sc->in[sc->pos + 7] == 'u' &&
	    scan_hex4(sc->in + sc->pos + 8, 4, &low) == 0 &&
	    low >= 0xdc00 && low <= 0xdfff) {
		/* A proper pair: json-c joins it. */
		scan_put(sc, sc->in + sc->pos, 12);
		sc->pos += 12;
		return 0;
	}
	if (cp >= 0xd800 && cp <= 0xdfff) {
		n = text_encode(cp, enc);
		scan_put(sc, enc, n);
	} else
		scan_put(sc, sc->in + sc->pos, 6);
	sc->pos += 6;
	return 0;
}

static int
scan_string(struct scan *sc)
{
	unsigned char	 c;

	scan_put(sc, "\"", 1);
	sc->pos++;
	while (sc->pos < sc->len) {
		c = (unsigned char)sc->in[sc->pos];
		if (c == '"') {
			scan_put(sc, "\"", 1);
			sc->pos++;
			return 0;
		}
		if (c < 0x20) {
			scan_error(sc, sc->pos, "Invalid control character");
			return -1;
		}
		if (c == '\\' && sc->pos + 1 < sc->len && sc->in[sc->pos + 1] == 'u') {
			if (scan_unicode_escape(sc) == -1)
				return -1;
			continue;
		}
		if (c == '\\' && sc->pos + 1 < sc->len) {
			scan_put(sc, sc->in + sc->pos, 2);
			sc->pos += 2;
			continue;
		}
		scan_put(sc, sc->in + sc->pos, 1);
		sc->pos++;
	}
	scan_error(sc, sc->len, "Unterminated string");
	return -1;
}

/* 1 when the integer text (optional '-', digits) does not fit 64 bits. */
static int
scan_integer_too_large(const char *s, size_t n)
{
	static const char	 max_signed[] = "9223372036854775808";
	static const char	 max_unsigned[] = "18446744073709551615";
	const char		*limit = max_unsigned;

	if (*s == '-') {
		s++;
		n--;
		limit = max_signed;
	}
	if (n != strlen(limit))
		return n > strlen(limit);
	return memcmp(s, limit, n) > 0;
}

static int
scan_number(struct scan *sc)
{
	size_t	 start = sc->pos, n;
	int	 integer = 1;
	char	 c;

	while (sc->pos < sc->len) {
		c = sc->in[sc->pos];
		if (c == '.' || c == 'e' || c == 'E' || c == '+')
			integer = 0;
		else if (!(c == '-' || (c >= '0' && c <= '9')))
			break;
		sc->pos++;
	}
	n = sc->pos - start;
	if (n == 1 && sc->in[start] == '-') {
		/* "-Infinity" and "-NaN" start here. */
		scan_error(sc, start, "Expecting value");
		return -1;
	}
	if (integer && scan_integer_too_large(sc->in + start, n)) {
		scan_put(sc, "\"", 1);
		scan_put(sc, sc->in + start, n);
		scan_put(sc, "\"", 1);
	} else
		scan_put(sc, sc->in + start, n);
	return 0;
}

static int
scan_word(struct scan *sc)
{
	size_t	 start = sc->pos, n;
	char	 c;

	while (sc->pos < sc->len) {
		c = sc->in[sc->pos];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			break;
		sc->pos++;
	}
	n = sc->pos - start;
	if ((n == 4 && !memcmp(sc->in + start, "true", 4)) ||
	    (n == 5 && !memcmp(sc->in + start, "false", 5)) ||
	    (n == 4 && !memcmp(sc->in + start, "null", 4))) {
		scan_put(sc, sc->in + start, n);
		return 0;
	}
	scan_error(sc, start, "Expecting value");
	return -1;
}

/* Copy the JSON text to sc->out with the rewrites the file comment lists. */
static int
scan_json(struct scan *sc)
{
	char	 c;

	while (sc->pos < sc->len) {
		c = sc->in[sc->pos];
		if (c == '"') {
			if (scan_string(sc) == -1)
				return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (scan_number(sc) == -1)
				return -1;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			if (scan_word(sc) == -1)
				return -1;
		} else {
			scan_put(sc, &sc->in[sc->pos], 1);
			sc->pos++;
		}
	}
	return 0;
}

static int
body_is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum body_result
body_parse_json(const char *data, size_t len, struct json_object **out,
    char *message, size_t messagesz)
{
	struct scan		 sc;
	struct json_tokener	*tok = NULL;
	struct json_object	*obj = NULL;
	enum json_tokener_error	 jerr;
	enum body_result	 rc = BODY_NOMEM;
	size_t			 end;

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	sc.in = data;
	sc.len = len;
	sc.message = message;
	sc.messagesz = messagesz;
	if (!text_utf8_valid(data, len)) {
		snprintf(message, messagesz, "Invalid UTF-8");
		return BODY_INVALID;
	}
	/* Quoting a large integer adds two bytes per number: at most len + len. */
	if ((sc.out = malloc(len * 2 + 1)) == NULL)
		goto out;
	if (scan_json(&sc) == -1) {
		rc = BODY_INVALID;
		goto out;
	}
	sc.out[sc.outlen] = '\0';

	if ((tok = json_tokener_new_ex(BODY_JSON_DEPTH)) == NULL)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	/* The terminating NUL is passed too: it ends a bare number or word. */
	obj = json_tokener_parse_ex(tok, sc.out, (int)sc.outlen + 1);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	if (jerr != json_tokener_success) {
		scan_error(&sc, json_tokener_get_parse_end(tok),
		    json_tokener_error_desc(jerr));
		rc = BODY_INVALID;
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < sc.outlen; end++) {
		if (!body_is_json_space(sc.out[end])) {
			scan_error(&sc, end, "Extra data");
			rc = BODY_INVALID;
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
	rc = BODY_OK;
out:
	json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	if (sc.out != NULL) {
		explicit_bzero(sc.out, len * 2 + 1);
		free(sc.out);
	}
	return rc;
}

static int
form_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s into out (at least n bytes) as Python's unquote_plus
 * does: '+' is a space, a malformed escape stays as it is.
 */
static size_t
form_unquote(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		    (hi = form_hex(s[i + 1])) != -1 && (lo = form_hex(s[i + 2])) != -1) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	return o;
}

enum body_result
body_parse_form(const char *data, size_t len, struct json_object **out,
    char *message, size_t messagesz)
{
	struct json_object	*obj, *value;
	const char		*pair, *end, *amp, *eq;
	char			*key = NULL, *val = NULL;
	size_t			 keylen, vallen;
	enum body_result	 rc = BODY_NOMEM;

	*out = NULL;
	if ((obj = json_object_new_object()) == NULL)
		return BODY_NOMEM;
	if ((key = malloc(len + 1)) == NULL || (val = malloc(len + 1)) == NULL)
		goto out;
	for (pair = data, end = data + len; pair < end; pair = amp + 1) {
		if ((amp = memchr(pair, '&', (size_t)(end - pair))) == NULL)
			amp = end;
		if (amp == pair)
			continue;
		/* A pair without '=' is a key with an empty value. */
		if ((eq = memchr(pair, '=', (size_t)(amp - pair))) == NULL)
			eq = amp;
		keylen = form_unquote(pair, (size_t)(eq - pair), key);
		vallen = eq < amp ? form_unquote(eq + 1, (size_t)(amp - eq - 1), val) : 0;
		key[keylen] = '\0';
		if (!text_utf8_valid(key, keylen) || !text_utf8_valid(val, vallen)) {
			snprintf(message, messagesz, "Form data is not valid UTF-8.");
			rc = BODY_INVALID;
			goto out;
		}
		if (memchr(key, '\0', keylen) != NULL) {
			snprintf(message, messagesz,
			    "Form field names may not contain null characters.");
			rc = BODY_INVALID;
			goto out;
		}
		if ((value = json_object_new_string_len(val, (int)vallen)) == NULL)
			goto out;
		if (json_object_object_add(obj, key, value) != 0) {
			json_object_put(value);
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
	rc = BODY_OK;
out:
	json_object_put(obj);
	if (key != NULL) {
		explicit_bzero(key, len + 1);
		free(key);
	}
	if (val != NULL) {
		explicit_bzero(val, len + 1);
		free(val);
	}
	return rc;
}
