/* SPDX-License-Identifier: ISC */
/*
 * POST /api/auth/login/ (and without the trailing slash)
 *
 * Request: {"email": "...", "password": "..."} as JSON or as
 * application/x-www-form-urlencoded. Both are trimmed; the email is looked
 * up case-insensitively.
 *
 * 200 {"refresh": "...", "access": "..."}; the refresh token is recorded as
 *     outstanding and last_login is set, in one transaction.
 * 400 field errors (required, null, blank, not a string).
 * 401 {"detail": "No active account found with the given credentials"} for
 *     an unknown email, a wrong password and an inactive user alike, in the
 *     same time: an unknown email still costs one bcrypt hash.
 *
 * A password stored in an imported format (plain bcrypt, Django's PBKDF2)
 * or at another bcrypt cost is hashed again as bcrypt_sha256 at the
 * configured cost once the login has proved it, as Django does.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "field.h"
#include "issue.h"
#include "log.h"
#include "pw.h"
#include "serve.h"

#define MSG_NO_ACCOUNT	"No active account found with the given credentials"

struct credentials {
	struct field	 email;
	struct field	 password;
	char		 email_text[EMAIL_MAX_BYTES + 1];
	int		 needs_rehash;	/* the stored hash is not the current format */
};

/* Returns 1 when both fields are usable, 0 with the 400 in reply. */
static int
read_credentials(struct json_object *body, struct credentials *c,
    struct http_reply *reply)
{
	struct json_object	*errors, *email_msgs, *password_msgs;

	errors = json_object_new_object();
	email_msgs = json_object_new_array();
	password_msgs = json_object_new_array();
	if (errors == NULL || email_msgs == NULL || password_msgs == NULL) {
		json_object_put(errors);
		json_object_put(email_msgs);
		json_object_put(password_msgs);
		http_reply_internal_error(reply);
		return 0;
	}
	(void)field_string(body, "email", &c->email, email_msgs);
	(void)field_string(body, "password", &c->password, password_msgs);
	if (field_errors_add(errors, "email", email_msgs) == -1 ||
	    field_errors_add(errors, "password", password_msgs) == -1) {
		json_object_put(errors);
		http_reply_internal_error(reply);
		return 0;
	}
	if (json_object_object_length(errors) > 0) {
		http_reply_json(reply, 400, errors);
		return 0;
	}
	json_object_put(errors);
	return 1;
}

/*
 * Find the user and check the password. Returns 1 on a match; 0 with the
 * 401 (or 503, 500) in reply.
 */
static int
authenticate(struct server *srv, const struct http_request *req,
    struct credentials *c, struct db_user *user, struct http_reply *reply)
{
	enum db_result	 rc;
	enum pw_result	 match;
	size_t		 n;

	/* No stored address is longer; such a login is unknown without a query. */
	n = c->email.len < sizeof(c->email_text) - 1 ? c->email.len : 0;
	memcpy(c->email_text, c->email.value, n);
	c->email_text[n] = '\0';
	rc = n == 0 || memchr(c->email_text, '\0', n) != NULL ? DB_NOT_FOUND :
	    db_user_by_email(srv->db, c->email_text, user);
	if (rc == DB_NOT_FOUND) {
		pw_spend(c->password.value, c->password.len, srv->cfg.bcrypt_cost);
		log_info("%s: login failed: unknown email", req->remote_addr);
		http_reply_detail(reply, 401, MSG_NO_ACCOUNT);
		return 0;
	}
	if (serve_db_failed(srv, rc, reply))
		return 0;

	match = pw_verify(c->password.value, c->password.len, user->password);
	c->needs_rehash = pw_needs_rehash(user->password, srv->cfg.bcrypt_cost);
	explicit_bzero(user->password, sizeof(user->password));
	if (match == PW_ERROR) {
		log_warnx("%s: user %" PRIu64 ": password check failed",
		    req->remote_addr, user->id);
		http_reply_internal_error(reply);
		return 0;
	}
	if (match != PW_MATCH || !user->is_active) {
		log_info("%s: login failed for user %" PRIu64 ": %s", req->remote_addr,
		    user->id, match != PW_MATCH ? "wrong password" : "inactive");
		http_reply_detail(reply, 401, MSG_NO_ACCOUNT);
		return 0;
	}
	return 1;
}

/* Store the proved password in the current format; a failure costs only the upgrade. */
static void
upgrade_hash(struct server *srv, const struct http_request *req,
    const struct credentials *c, uint64_t user_id)
{
	char		 hash[PW_HASH_MAX];
	enum db_result	 rc;

	if (pw_hash(c->password.value, c->password.len, srv->cfg.bcrypt_cost, hash,
	    sizeof(hash)) == -1)
		return;
	rc = db_user_set_password(srv->db, user_id, hash);
	explicit_bzero(hash, sizeof(hash));
	if (rc != DB_OK)
		log_warnx("%s: user %" PRIu64 ": storing the upgraded password hash "
		    "failed", req->remote_addr, user_id);
	else
		log_info("%s: user %" PRIu64 ": password hash upgraded to bcrypt_sha256 "
		    "at cost %d", req->remote_addr, user_id, srv->cfg.bcrypt_cost);
}

static void
handle(struct server *srv, const struct http_request *req,
    struct json_object *body, const struct db_user *unused,
    struct http_reply *reply)
{
	struct credentials	 c;
	struct db_user		 user;
	struct token_pair	 pair;
	time_t			 now;
	enum db_result		 rc;

	memset(&c, 0, sizeof(c));
	memset(&pair, 0, sizeof(pair));
	if (!read_credentials(body, &c, reply))
		return;
	if (!authenticate(srv, req, &c, &user, reply))
		return;

	now = clock_now();
	if (issue_claims(&srv->cfg, user.id, now, &pair) == -1 ||
	    issue_sign(&srv->cfg, &pair) == -1) {
		http_reply_internal_error(reply);
		goto out;
	}
	rc = db_login(srv->db, user.id, now, &pair.refresh_claims);
	if (serve_db_failed(srv, rc, reply))
		goto out;
	if (c.needs_rehash)
		upgrade_hash(srv, req, &c, user.id);
	issue_reply(&pair, ISSUE_LOGIN, NULL, 200, reply);
	log_info("%s: user %" PRIu64 " logged in, refresh jti %s",
	    req->remote_addr, user.id, pair.refresh_claims.jti);
out:
	issue_free(&pair);
}

static const struct endpoint login_endpoint = {
	.name = "login",
	.title = "Login",
	.description = "Exchange an email and password for a refresh and an access token.",
	.allow = "POST, OPTIONS",
	.reads_body = 1,
	.handle = handle,
};

int
main(void)
{
	return serve(&login_endpoint);
}
