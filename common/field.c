/* SPDX-License-Identifier: ISC */
/*
 * The shared string field rules.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "field.h"
#include "text.h"

int
field_message(struct json_object *messages, const char *fmt, ...)
{
	struct json_object	*s;
	char			 buf[256];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((s = json_object_new_string(buf)) == NULL)
		return -1;
	if (json_object_array_add(messages, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

/* Point out at the text of value, or return 0 when it is not text. */
static int
field_text(struct json_object *value, struct field *out)
{
	int64_t		 i64;
	uint64_t	 u64;

	switch (json_object_get_type(value)) {
	case json_type_string:
		out->value = json_object_get_string(value);
		out->len = (size_t)json_object_get_string_len(value);
		return 1;
	case json_type_int:
		/* json-c keeps values above INT64_MAX as unsigned. */
		i64 = json_object_get_int64(value);
		if (i64 == INT64_MAX) {
			u64 = json_object_get_uint64(value);
			snprintf(out->number, sizeof(out->number), "%" PRIu64, u64);
		} else
			snprintf(out->number, sizeof(out->number), "%" PRId64, i64);
		out->value = out->number;
		out->len = strlen(out->number);
		return 1;
	default:
		return 0;
	}
}

enum field_status
field_string(struct json_object *body, const char *name, struct field *out,
    struct json_object *messages)
{
	struct json_object	*value;

	memset(out, 0, sizeof(*out));
	if (!json_object_object_get_ex(body, name, &value)) {
		field_message(messages, MSG_REQUIRED);
		return FIELD_REJECTED;
	}
	if (value == NULL) {
		field_message(messages, MSG_NULL);
		return FIELD_REJECTED;
	}
	if (!field_text(value, out)) {
		field_message(messages, MSG_NOT_STRING);
		return FIELD_REJECTED;
	}
	return field_check_text(out->value, out->len, out, messages);
}

enum field_status
field_check_text(const char *text, size_t len, struct field *out,
    struct json_object *messages)
{
	size_t		 start, end;
	uint32_t	 surrogate;

	out->value = text;
	out->len = len;
	text_strip(out->value, out->len, &start, &end);
	if (start >= end) {
		field_message(messages, MSG_BLANK);
		return FIELD_REJECTED;
	}
	out->value += start;
	out->len = end - start;
	if (memchr(out->value, '\0', out->len) != NULL)
		field_message(messages, MSG_NUL_CHAR);
	if ((surrogate = text_first_surrogate(out->value, out->len)) != 0)
		field_message(messages, "Surrogate characters are not allowed: U+%04" PRIX32 ".",
		    surrogate);
	return FIELD_VALUE;
}

int
field_errors_add(struct json_object *errors, const char *name,
    struct json_object *messages)
{
	if (json_object_array_length(messages) == 0) {
		json_object_put(messages);
		return 0;
	}
	if (json_object_object_add(errors, name, messages) != 0) {
		json_object_put(messages);
		return -1;
	}
	return 0;
}
