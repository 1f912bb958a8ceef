/* SPDX-License-Identifier: ISC */
/*
 * POST /api/auth/logout/ (and without the trailing slash)
 *
 * Needs Authorization: Bearer <access token>; its 401s come first.
 * Request: {"refresh": "<refresh token>"} as JSON or form.
 *
 * 205 with no body (RFC 9110 allows none): the refresh token is blacklisted.
 * 400 {"error": "Refresh token is required"} when refresh is absent, null
 *     or blank, including an empty body.
 * 400 {"error": "Invalid refresh token: <reason>"} when it is invalid, of
 *     the wrong type, already blacklisted, or belongs to another user (then
 *     nothing is blacklisted).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "field.h"
#include "log.h"
#include "serve.h"
#include "tok.h"

static void
reply_error(struct http_reply *reply, const char *reason)
{
	struct json_object	*body, *message;
	char			 text[128];

	if (reason == NULL)
		snprintf(text, sizeof(text), "Refresh token is required");
	else
		snprintf(text, sizeof(text), "Invalid refresh token: %s", reason);
	if ((body = json_object_new_object()) == NULL ||
	    (message = json_object_new_string(text)) == NULL ||
	    json_object_object_add(body, "error", message) != 0) {
		json_object_put(body);
		http_reply_internal_error(reply);
		return;
	}
	http_reply_json(reply, 400, body);
}

/*
 * The refresh field: absent, null and blank mean none was given; any other
 * non-string cannot be a token.
 */
static int
read_refresh_token(struct json_object *body, struct field *token,
    struct http_reply *reply)
{
	struct json_object	*messages, *value;
	enum field_status	 status;
	const char		*first;

	if ((messages = json_object_new_array()) == NULL) {
		http_reply_internal_error(reply);
		return 0;
	}
	status = field_string(body, "refresh", token, messages);
	first = json_object_array_length(messages) > 0 ?
	    json_object_get_string(json_object_array_get_idx(messages, 0)) : NULL;
	if (status == FIELD_REJECTED && first != NULL &&
	    strcmp(first, MSG_NOT_STRING) == 0 &&
	    json_object_object_get_ex(body, "refresh", &value))
		reply_error(reply, tok_status_message(TOK_INVALID));
	else if (status == FIELD_REJECTED)
		reply_error(reply, NULL);
	json_object_put(messages);
	return status == FIELD_VALUE;
}

static void
handle(struct server *srv, const struct http_request *req,
    struct json_object *body, const struct db_user *user,
    struct http_reply *reply)
{
	struct field		 token;
	struct tok_claims	 claims;
	enum tok_status		 status;
	enum db_result		 rc;

	if (!read_refresh_token(body, &token, reply))
		return;
	status = tok_verify(&srv->cfg, token.value, token.len, TOK_REFRESH, &claims);
	if (status == TOK_ERROR) {
		http_reply_internal_error(reply);
		return;
	}
	if (status != TOK_VALID) {
		reply_error(reply, tok_status_message(status));
		return;
	}
	if (claims.user_id != user->id) {
		log_warnx("%s: user %" PRIu64 " tried to log out refresh jti %s "
		    "of user %" PRIu64, req->remote_addr, user->id, claims.jti,
		    claims.user_id);
		reply_error(reply, "Token belongs to another user");
		return;
	}

	rc = db_blacklist(srv->db, &claims, DB_REASON_LOGOUT, clock_now());
	if (rc == DB_CONFLICT) {
		reply_error(reply, "Token is blacklisted");
		return;
	}
	if (rc == DB_NOT_FOUND) {
		/*
		 * The user is missing or inactive: serve replaces this reply
		 * with the 401 of its user lookup. If the lookup finds the
		 * user active, it was reactivated after the INSERT.
		 */
		log_info("%s: logout of refresh jti %s: user %" PRIu64
		    " missing or inactive", req->remote_addr, claims.jti, user->id);
		http_reply_detail_code(reply, 401, "User is inactive", "user_inactive");
		return;
	}
	if (serve_db_failed(srv, rc, reply))
		return;
	srv->user_checked = 1;
	log_info("%s: user %" PRIu64 " logged out refresh jti %s",
	    req->remote_addr, user->id, claims.jti);
	http_reply_json(reply, 205, NULL);
}

static const struct endpoint logout_endpoint = {
	.name = "logout",
	.title = "Logout",
	.description = "Blacklist a refresh token of the authenticated user.",
	.allow = "POST, OPTIONS",
	.authenticated = 1,
	.user_checked_by_write = 1,
	.reads_body = 1,
	.handle = handle,
};

int
main(void)
{
	return serve(&logout_endpoint);
}
