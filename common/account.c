/* SPDX-License-Identifier: ISC */
/*
 * Email and password rules for new accounts and new passwords.
 */
#include <json-c/json.h>

#include "account.h"
#include "email.h"
#include "field.h"
#include "text.h"

int
account_check_email(const char *email, size_t len, struct json_object *messages,
    char *out, size_t outsz)
{
	int	 valid = json_object_array_length(messages) == 0;

	if (text_code_points(email, len) > EMAIL_MAX_CHARS) {
		field_message(messages, "Ensure this field has no more than %d characters.",
		    EMAIL_MAX_CHARS);
		valid = 0;
	}
	if (!email_valid(email, len)) {
		field_message(messages, "Enter a valid email address.");
		valid = 0;
	}
	if (valid && email_normalize(email, len, out, outsz) == -1) {
		field_message(messages, "Enter a valid email address.");
		valid = 0;
	}
	return valid;
}

void
account_check_password(const char *password, size_t len,
    struct json_object *messages)
{
	size_t	 n = text_code_points(password, len);

	if (n < ACCOUNT_PASSWORD_MIN_CHARS)
		field_message(messages, "Ensure this field has at least %d characters.",
		    ACCOUNT_PASSWORD_MIN_CHARS);
	if (n > ACCOUNT_PASSWORD_MAX_CHARS)
		field_message(messages, "Ensure this field has no more than %d characters.",
		    ACCOUNT_PASSWORD_MAX_CHARS);
}
