/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: a JSON request body through body_parse_json(), then
 * the string field rules on the fields the endpoints read, the email rules
 * on "email" as register applies them, and the rendering of the result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "email.h"
#include "field.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_fields(struct json_object *body)
{
	static const char *const names[] = { "email", "password", "refresh" };
	struct json_object	*messages;
	struct field		 field;
	char			 normalized[EMAIL_MAX_BYTES + 1];
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((messages = json_object_new_array()) == NULL)
			abort();
		if (field_string(body, names[i], &field, messages) == FIELD_VALUE) {
			if (field.len == 0)
				abort();
			(void)text_code_points(field.value, field.len);
			if (email_valid(field.value, field.len) &&
			    field.len <= EMAIL_MAX_BYTES &&
			    email_normalize(field.value, field.len, normalized,
			    sizeof(normalized)) < 0)
				abort();
		}
		(void)json_object_to_json_string(messages);
		json_object_put(messages);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj = NULL;
	char			 message[192];
	enum body_result	 rc;

	rc = body_parse_json((const char *)data, size, &obj, message, sizeof(message));
	if (rc == BODY_INVALID && memchr(message, '\0', sizeof(message)) == NULL)
		abort();
	if (rc == BODY_OK && obj != NULL) {
		if (json_object_is_type(obj, json_type_object))
			check_fields(obj);
		(void)json_object_to_json_string_ext(obj,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	json_object_put(obj);
	return 0;
}
