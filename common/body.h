/* SPDX-License-Identifier: ISC */
/*
 * Request bodies into a json-c object: strict JSON, or
 * application/x-www-form-urlencoded decoded into an object of strings.
 */
#ifndef SHOPEASE_BODY_H
#define SHOPEASE_BODY_H

#include <stddef.h>

struct json_object;

#define BODY_JSON_DEPTH	16

enum body_result {
	BODY_OK,
	BODY_INVALID,		/* message gives the reason, for the client */
	BODY_NOMEM
};

/*
 * Parse data as strict JSON (RFC 8259): UTF-8 only; no NaN or Infinity,
 * comments, single quotes, trailing commas or trailing data; at most
 * BODY_JSON_DEPTH levels. Lone surrogate escapes survive as three-byte
 * sequences (see text.h); integers beyond 64 bits become strings of their
 * decimal text. On BODY_INVALID, message contains the parser's reason.
 */
enum body_result body_parse_json(const char *data, size_t len,
		    struct json_object **out, char *message, size_t messagesz);

/* Decode a form body; the last of repeated keys wins. Values must be UTF-8. */
enum body_result body_parse_form(const char *data, size_t len,
		    struct json_object **out, char *message, size_t messagesz);

#endif
