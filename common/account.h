/* SPDX-License-Identifier: ISC */
/*
 * The rules an account's email and password meet, shared by the register
 * endpoint and shopease-admin, with Django REST Framework's messages. Both
 * take text that the shared field rules (field.h) have trimmed and checked.
 */
#ifndef SHOPEASE_ACCOUNT_H
#define SHOPEASE_ACCOUNT_H

#include <stddef.h>

struct json_object;

#define ACCOUNT_PASSWORD_MIN_CHARS	8	/* code points */
#define ACCOUNT_PASSWORD_MAX_CHARS	4096	/* code points */
#define ACCOUNT_PASSWORD_MAX_BYTES	(ACCOUNT_PASSWORD_MAX_CHARS * 4)
#define MSG_EMAIL_TAKEN			"user with this email already exists."

/*
 * Check the length and syntax of an email, appending a message to the json
 * array messages for each rule it breaks. When messages was empty on entry
 * and the address is valid, copy it with its domain lowercased to out.
 * Returns 1 when the address is valid and stored in out, 0 otherwise.
 */
int	account_check_email(const char *email, size_t len,
	    struct json_object *messages, char *out, size_t outsz);

/* Check a password's length, appending a message for each rule it breaks. */
void	account_check_password(const char *password, size_t len,
	    struct json_object *messages);

#endif
