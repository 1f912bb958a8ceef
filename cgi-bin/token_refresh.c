/* SPDX-License-Identifier: ISC */
/*
 * POST /api/auth/token/refresh/ (and without the trailing slash)
 *
 * Request: {"refresh": "<refresh token>"} as JSON or form.
 *
 * 200 {"access": "...", "refresh": "..."}. With rotation (the default) the
 *     presented token is blacklisted and the new refresh token recorded as
 *     outstanding in one transaction. Without rotation only "access" is
 *     returned.
 *     A valid token with no outstanding row (signed by the service this
 *     suite replaces) is accepted and blacklisted like any other.
 * 400 {"refresh": ["This field is required."]} and the other field rules.
 * 401 {"detail": "...", "code": "token_not_valid"}: invalid or expired,
 *     wrong type, no type, no exp, no jti, or blacklisted.
 * 401 {"detail": "User not found", "code": "user_not_found"}, or
 *     "User is inactive", "user_inactive": no tokens are issued.
 *
 * Of concurrent refreshes of one token exactly one succeeds: the unique
 * jti of the blacklist row decides. A token rotated more than
 * reuse_interval seconds ago and presented again was probably stolen:
 * every outstanding refresh token of its user is then blacklisted, and a
 * warning is logged.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "field.h"
#include "issue.h"
#include "log.h"
#include "serve.h"
#include "tok.h"

#define MSG_BLACKLISTED		"Token is blacklisted"

static void
reply_token_not_valid(struct http_reply *reply, const char *detail)
{
	http_reply_detail_code(reply, 401, detail, "token_not_valid");
}

/* Read and check the refresh field. Returns 1, or 0 with the reply set. */
static int
read_refresh_token(struct json_object *body, struct field *token,
    struct http_reply *reply)
{
	struct json_object	*errors, *messages;

	if ((errors = json_object_new_object()) == NULL ||
	    (messages = json_object_new_array()) == NULL) {
		json_object_put(errors);
		http_reply_internal_error(reply);
		return 0;
	}
	(void)field_string(body, "refresh", token, messages);
	if (json_object_array_length(messages) == 0) {
		json_object_put(messages);
		json_object_put(errors);
		return 1;
	}
	if (field_errors_add(errors, "refresh", messages) == -1) {
		json_object_put(errors);
		http_reply_internal_error(reply);
		return 0;
	}
	http_reply_json(reply, 400, errors);
	return 0;
}

/* The token's user must exist and be active. Returns 1, or 0 with the reply set. */
static int
check_user(struct server *srv, const struct tok_claims *claims,
    struct http_reply *reply)
{
	struct db_user	 user;
	enum db_result	 rc;

	rc = db_user_by_id(srv->db, claims->user_id, &user);
	explicit_bzero(user.password, sizeof(user.password));
	if (rc == DB_NOT_FOUND) {
		log_info("%s: refresh jti %s: user %" PRIu64 " not found",
		    srv->remote_addr, claims->jti, claims->user_id);
		http_reply_detail_code(reply, 401, "User not found", "user_not_found");
		return 0;
	}
	if (serve_db_failed(srv, rc, reply))
		return 0;
	if (!user.is_active) {
		log_info("%s: refresh jti %s: user %" PRIu64 " is inactive",
		    srv->remote_addr, claims->jti, claims->user_id);
		http_reply_detail_code(reply, 401, "User is inactive", "user_inactive");
		return 0;
	}
	return 1;
}

/*
 * A blacklisted token came back. If it was rotated longer ago than two
 * tabs refreshing at once would explain, revoke every session of its user.
 */
static void
detect_reuse(struct server *srv, const struct tok_claims *claims, time_t now)
{
	struct db_blacklist_entry	 entry;
	unsigned long long		 revoked = 0;
	enum db_result			 rc;

	if (!srv->cfg.reuse_detection)
		return;
	rc = db_blacklist_get(srv->db, claims->jti, &entry);
	if (rc != DB_OK || entry.reason != DB_REASON_ROTATED ||
	    now - entry.blacklisted_at <= srv->cfg.reuse_interval)
		return;
	rc = db_revoke_user_tokens(srv->db, claims->user_id, now, &revoked);
	if (rc != DB_OK) {
		log_warnx("%s: refresh token jti %s of user %" PRIu64 " reused "
		    "%lld s after rotation; revoking its sessions failed",
		    srv->remote_addr, claims->jti, claims->user_id,
		    (long long)(now - entry.blacklisted_at));
		return;
	}
	log_warnx("%s: refresh token jti %s of user %" PRIu64 " reused %lld s "
	    "after rotation: possible theft; revoked %llu refresh tokens",
	    srv->remote_addr, claims->jti, claims->user_id,
	    (long long)(now - entry.blacklisted_at), revoked);
}

/* Without rotation the token stays usable, unless it was blacklisted. */
static int
check_not_blacklisted(struct server *srv, const struct tok_claims *claims,
    struct http_reply *reply)
{
	struct db_blacklist_entry	 entry;
	enum db_result			 rc;

	rc = db_blacklist_get(srv->db, claims->jti, &entry);
	if (rc == DB_NOT_FOUND)
		return 1;
	if (rc == DB_OK) {
		reply_token_not_valid(reply, MSG_BLACKLISTED);
		return 0;
	}
	serve_db_failed(srv, rc, reply);
	return 0;
}

static void
handle(struct server *srv, const struct http_request *req,
    struct json_object *body, const struct db_user *unused,
    struct http_reply *reply)
{
	struct field		 token;
	struct tok_claims	 presented;
	struct token_pair	 pair;
	enum tok_status		 status;
	enum db_result		 rc;
	time_t			 now;

	memset(&pair, 0, sizeof(pair));
	if (!read_refresh_token(body, &token, reply))
		return;
	status = tok_verify(&srv->cfg, token.value, token.len, TOK_REFRESH, &presented);
	if (status == TOK_ERROR) {
		http_reply_internal_error(reply);
		return;
	}
	if (status != TOK_VALID) {
		reply_token_not_valid(reply, tok_status_message(status));
		return;
	}

	now = clock_now();
	if (issue_claims(&srv->cfg, presented.user_id, now, &pair) == -1) {
		http_reply_internal_error(reply);
		return;
	}
	/*
	 * A rotation checks the user itself and returns DB_NOT_FOUND for a
	 * missing or inactive one.
	 */
	if (srv->cfg.rotate_refresh_tokens)
		rc = db_rotate(srv->db, &presented, &pair.refresh_claims, now);
	else {
		if (!check_user(srv, &presented, reply) ||
		    !check_not_blacklisted(srv, &presented, reply))
			return;
		/* Only an access token is issued. */
		memset(&pair.refresh_claims, 0, sizeof(pair.refresh_claims));
		rc = DB_OK;
	}
	if (rc == DB_CONFLICT) {
		log_info("%s: refresh jti %s of user %" PRIu64 " is blacklisted",
		    req->remote_addr, presented.jti, presented.user_id);
		detect_reuse(srv, &presented, now);
		reply_token_not_valid(reply, MSG_BLACKLISTED);
		return;
	}
	if (rc == DB_NOT_FOUND) {
		/*
		 * The user is missing or inactive. If the lookup finds it active,
		 * it was reactivated after the rotation was refused.
		 */
		if (check_user(srv, &presented, reply))
			http_reply_detail_code(reply, 401, "User is inactive",
			    "user_inactive");
		return;
	}
	if (serve_db_failed(srv, rc, reply))
		return;

	if (issue_sign(&srv->cfg, &pair) == -1) {
		http_reply_internal_error(reply);
		goto out;
	}
	issue_reply(&pair, ISSUE_REFRESH, NULL, 200, reply);
	log_info("%s: user %" PRIu64 " refreshed jti %s%s%s", req->remote_addr,
	    presented.user_id, presented.jti, pair.refresh != NULL ? " into " : "",
	    pair.refresh != NULL ? pair.refresh_claims.jti : "");
out:
	issue_free(&pair);
}

static const struct endpoint token_refresh_endpoint = {
	.name = "token_refresh",
	.title = "Token Refresh",
	.description = "Takes a refresh type JSON web token and returns an access "
	    "type JSON web token if the refresh token is valid.",
	.allow = "POST, OPTIONS",
	.reads_body = 1,
	.handle = handle,
};

int
main(void)
{
	return serve(&token_refresh_endpoint);
}
