/* SPDX-License-Identifier: ISC */
/*
 * POST /api/auth/register/ (and without the trailing slash)
 *
 * Request: {"email": "...", "password": "..."} as JSON or as
 * application/x-www-form-urlencoded. Other fields (is_staff, is_superuser,
 * is_active, ...) are ignored: a new user is active, not staff, not
 * superuser.
 *
 * 201 {"user": {"email": "<stored email>"}, "refresh": "...", "access": "..."}
 *     The user is logged in at once; the refresh token is recorded as
 *     outstanding in the transaction that inserts the user.
 * 400 field errors, e.g. {"email": ["user with this email already exists."]}
 *
 * The email is trimmed, checked, and stored with its domain lowercased.
 * Uniqueness is case-insensitive and enforced by the database, so of two
 * concurrent registrations of one address one gets 201 and one 400. The
 * password is trimmed, 8 to 4096 code points, and stored as bcrypt_sha256.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "account.h"
#include "clock.h"
#include "email.h"
#include "field.h"
#include "issue.h"
#include "log.h"
#include "pw.h"
#include "serve.h"

struct registration {
	char		 email[EMAIL_MAX_BYTES + 1];	/* normalized */
	struct field	 password_field;	/* owns the text of an integer password */
	char		*password;		/* points into the body or password_field */
	size_t		 password_len;
};

/*
 * Check both fields and collect every message. Returns 1 when both are
 * valid; 0 with errors filled; -1 with the reply set when the database
 * failed or memory ran out.
 */
static int
validate(struct server *srv, struct json_object *body, struct registration *r,
    struct json_object *errors, struct http_reply *reply)
{
	struct json_object	*email_msgs, *password_msgs;
	struct field		 email;
	struct db_user		 existing;
	int			 email_ok = 0, rc_email, rc_password;
	enum db_result		 rc;

	email_msgs = json_object_new_array();
	password_msgs = json_object_new_array();
	if (email_msgs == NULL || password_msgs == NULL)
		goto nomem;
	if (field_string(body, "email", &email, email_msgs) == FIELD_VALUE)
		email_ok = account_check_email(email.value, email.len, email_msgs,
		    r->email, sizeof(r->email));
	if (field_string(body, "password", &r->password_field, password_msgs) ==
	    FIELD_VALUE) {
		account_check_password(r->password_field.value, r->password_field.len,
		    password_msgs);
		r->password = (char *)r->password_field.value;
		r->password_len = r->password_field.len;
	}

	/* A taken address is reported with the other errors, before any hashing. */
	if (email_ok) {
		rc = db_user_by_email(srv->db, r->email, &existing);
		explicit_bzero(existing.password, sizeof(existing.password));
		if (rc == DB_OK)
			field_message(email_msgs, MSG_EMAIL_TAKEN);
		else if (rc != DB_NOT_FOUND) {
			json_object_put(email_msgs);
			json_object_put(password_msgs);
			serve_db_failed(srv, rc, reply);
			return -1;
		}
	}
	/* field_errors_add() takes the messages whether it succeeds or not. */
	rc_email = field_errors_add(errors, "email", email_msgs);
	email_msgs = NULL;
	if (rc_email == -1)
		goto nomem;
	rc_password = field_errors_add(errors, "password", password_msgs);
	password_msgs = NULL;
	if (rc_password == -1)
		goto nomem;
	return json_object_object_length(errors) == 0;
nomem:
	log_warnx("%s: out of memory checking the fields", srv->remote_addr);
	json_object_put(email_msgs);
	json_object_put(password_msgs);
	http_reply_internal_error(reply);
	return -1;
}

static void
reply_email_taken(struct http_reply *reply)
{
	struct json_object	*errors, *messages;

	errors = json_object_new_object();
	messages = json_object_new_array();
	if (errors == NULL || messages == NULL ||
	    field_message(messages, MSG_EMAIL_TAKEN) == -1) {
		json_object_put(errors);
		json_object_put(messages);
		http_reply_internal_error(reply);
		return;
	}
	field_errors_add(errors, "email", messages);
	http_reply_json(reply, 400, errors);
}

static void
handle(struct server *srv, const struct http_request *req,
    struct json_object *body, const struct db_user *unused,
    struct http_reply *reply)
{
	struct registration	 r;
	struct json_object	*errors;
	struct token_pair	 pair;
	char			 hash[PW_HASH_MAX];
	uint64_t		 user_id = 0;
	time_t			 now;
	enum db_result		 rc;
	int			 valid;

	memset(&r, 0, sizeof(r));
	memset(&pair, 0, sizeof(pair));
	memset(hash, 0, sizeof(hash));
	if ((errors = json_object_new_object()) == NULL) {
		http_reply_internal_error(reply);
		return;
	}
	if ((valid = validate(srv, body, &r, errors, reply)) != 1) {
		if (valid == 0) {
			http_reply_json(reply, 400, errors);
			errors = NULL;
		}
		goto out;
	}

	if (pw_hash(r.password, r.password_len, srv->cfg.bcrypt_cost, hash,
	    sizeof(hash)) == -1) {
		http_reply_internal_error(reply);
		goto out;
	}

	/* The jti is recorded with the user; the id is known after the insert. */
	now = clock_now();
	if (issue_claims(&srv->cfg, 0, now, &pair) == -1) {
		http_reply_internal_error(reply);
		goto out;
	}
	rc = db_register(srv->db, r.email, hash, now, &pair.refresh_claims, &user_id);
	if (rc == DB_CONFLICT) {
		/* Another request registered the address since the check. */
		reply_email_taken(reply);
		goto out;
	}
	if (serve_db_failed(srv, rc, reply))
		goto out;

	pair.refresh_claims.user_id = pair.access_claims.user_id = user_id;
	if (issue_sign(&srv->cfg, &pair) == -1) {
		http_reply_internal_error(reply);
		goto out;
	}
	issue_reply(&pair, ISSUE_REGISTER, r.email, 201, reply);
	log_info("%s: user %" PRIu64 " registered, refresh jti %s",
	    req->remote_addr, user_id, pair.refresh_claims.jti);
out:
	explicit_bzero(hash, sizeof(hash));
	explicit_bzero(r.password_field.number, sizeof(r.password_field.number));
	issue_free(&pair);
	json_object_put(errors);
}

static const struct endpoint register_endpoint = {
	.name = "register",
	.title = "Register",
	.description = "Create an account and log it in.",
	.allow = "POST, OPTIONS",
	.reads_body = 1,
	.handle = handle,
};

int
main(void)
{
	return serve(&register_endpoint);
}
