/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: an application/x-www-form-urlencoded body through
 * body_parse_form(), then the string field rules on the fields the
 * endpoints read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "field.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "email", "password", "refresh" };
	struct json_object	*obj = NULL, *messages;
	struct field		 field;
	char			 message[192];
	size_t			 i;

	if (body_parse_form((const char *)data, size, &obj, message,
	    sizeof(message)) != BODY_OK) {
		json_object_put(obj);
		return 0;
	}
	if (!json_object_is_type(obj, json_type_object))
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((messages = json_object_new_array()) == NULL)
			abort();
		/* Every form value is a string of valid UTF-8. */
		if (field_string(obj, names[i], &field, messages) == FIELD_VALUE &&
		    !text_utf8_valid(field.value, field.len))
			abort();
		json_object_put(messages);
	}
	(void)json_object_to_json_string(obj);
	json_object_put(obj);
	return 0;
}
