/* SPDX-License-Identifier: ISC */
/*
 * String fields of a request body, checked with the rules every string
 * field shares, in the API's order: required, null, blank, type, null
 * characters, surrogates. Messages use Django REST Framework's wording, so
 * clients that show them keep working.
 */
#ifndef SHOPEASE_FIELD_H
#define SHOPEASE_FIELD_H

#include <stddef.h>

struct json_object;

#define MSG_REQUIRED	"This field is required."
#define MSG_NULL	"This field may not be null."
#define MSG_BLANK	"This field may not be blank."
#define MSG_NOT_STRING	"Not a valid string."
#define MSG_NUL_CHAR	"Null characters are not allowed."

enum field_status {
	FIELD_REJECTED,		/* one message added; no further rule applies */
	FIELD_VALUE		/* value holds the trimmed text, maybe with messages added */
};

struct field {
	const char	*value;		/* trimmed; not NUL-terminated */
	size_t		 len;		/* bytes */
	char		 number[24];	/* decimal text of an integer value */
};

/*
 * Look up name in body and check it, appending messages (strings) to the
 * json array messages. An integer is taken as its decimal text; every other
 * non-string is MSG_NOT_STRING.
 */
enum field_status field_string(struct json_object *body, const char *name,
		    struct field *out, struct json_object *messages);

/*
 * Apply the rules that follow the type check (blank, null characters,
 * surrogates) to text of len bytes that comes from outside a request body,
 * such as a command line. Points out at the trimmed text.
 */
enum field_status field_check_text(const char *text, size_t len, struct field *out,
		    struct json_object *messages);

/* Append a message to the array; returns -1 when out of memory. */
int	field_message(struct json_object *messages, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Add messages to errors under name when it contains any, and drop it
 * otherwise (ownership passes either way). Returns -1 when out of memory.
 */
int	field_errors_add(struct json_object *errors, const char *name,
		    struct json_object *messages);

#endif
