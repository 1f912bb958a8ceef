/* SPDX-License-Identifier: ISC */
/*
 * Bearer authentication with an access token, then the token's user.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "log.h"
#include "serve.h"
#include "tok.h"

/* Python's bytes.split() separators: the header is split as bytes. */
static int
auth_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

int
auth_parse_header(const char *header, const char **token, size_t *len)
{
	const char	*p = header, *word;
	size_t		 n, words = 0;

	if (header == NULL)
		return 1;
	*token = NULL;
	*len = 0;
	while (*p != '\0') {
		while (auth_space(*p))
			p++;
		if (*p == '\0')
			break;
		word = p;
		while (*p != '\0' && !auth_space(*p))
			p++;
		n = (size_t)(p - word);
		if (words == 0 && (n != 6 || memcmp(word, "Bearer", 6) != 0))
			return 1;
		if (words == 1) {
			*token = word;
			*len = n;
		}
		words++;
	}
	if (words == 0)
		return 1;
	return words == 2 ? 0 : -1;
}

static void
auth_reply_token_invalid(struct http_reply *reply, enum tok_status status)
{
	struct json_object	*body, *messages, *message;

	body = json_object_new_object();
	messages = json_object_new_array();
	message = json_object_new_object();
	if (body == NULL || messages == NULL || message == NULL)
		goto nomem;
	json_object_object_add(message, "token_class", json_object_new_string("AccessToken"));
	json_object_object_add(message, "token_type", json_object_new_string("access"));
	json_object_object_add(message, "message",
	    json_object_new_string(tok_status_message(status)));
	json_object_array_add(messages, message);
	message = NULL;
	json_object_object_add(body, "detail",
	    json_object_new_string("Given token not valid for any token type"));
	json_object_object_add(body, "code", json_object_new_string("token_not_valid"));
	json_object_object_add(body, "messages", messages);
	http_reply_json(reply, 401, body);
	return;
nomem:
	json_object_put(body);
	json_object_put(messages);
	json_object_put(message);
	http_reply_internal_error(reply);
}

int
auth_token(struct server *srv, const struct http_request *req,
    struct tok_claims *claims, struct http_reply *reply)
{
	const char	*token;
	size_t		 len;
	enum tok_status	 status;

	switch (auth_parse_header(req->authorization, &token, &len)) {
	case 1:
		http_reply_detail(reply, 401,
		    "Authentication credentials were not provided.");
		return -1;
	case -1:
		http_reply_detail_code(reply, 401,
		    "Authorization header must contain two space-delimited values",
		    "bad_authorization_header");
		return -1;
	}

	status = tok_verify(&srv->cfg, token, len, TOK_ACCESS, claims);
	if (status == TOK_ERROR) {
		log_warnx("%s: out of memory checking an access token",
		    req->remote_addr);
		http_reply_internal_error(reply);
		return -1;
	}
	if (status != TOK_VALID) {
		auth_reply_token_invalid(reply, status);
		return -1;
	}
	return 0;
}

int
auth_user(struct server *srv, const struct http_request *req,
    const struct tok_claims *claims, struct db_user *user,
    struct http_reply *reply)
{
	enum db_result	 rc;

	rc = db_user_by_id(srv->db, claims->user_id, user);
	if (rc == DB_NOT_FOUND) {
		log_info("%s: access token jti %s of user %" PRIu64
		    ": user not found", req->remote_addr,
		    claims->jti, claims->user_id);
		http_reply_detail_code(reply, 401, "User not found", "user_not_found");
		return -1;
	}
	if (serve_db_failed(srv, rc, reply))
		return -1;
	if (!user->is_active) {
		http_reply_detail_code(reply, 401, "User is inactive", "user_inactive");
		return -1;
	}
	return 0;
}

int
auth_request(struct server *srv, const struct http_request *req,
    struct db_user *user, struct http_reply *reply)
{
	struct tok_claims	 claims;

	if (auth_token(srv, req, &claims, reply) == -1)
		return -1;
	return auth_user(srv, req, &claims, user, reply);
}
