/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg.h"
#include "http.h"
#include "issue.h"

int
issue_claims(const struct cfg *cfg, uint64_t user_id, time_t now,
    struct token_pair *pair)
{
	memset(pair, 0, sizeof(*pair));
	if (tok_claims_new(cfg, TOK_REFRESH, user_id, now, &pair->refresh_claims) == -1 ||
	    tok_claims_new(cfg, TOK_ACCESS, user_id, now, &pair->access_claims) == -1)
		return -1;
	return 0;
}

int
issue_sign(const struct cfg *cfg, struct token_pair *pair)
{
	if (pair->refresh_claims.jti[0] != '\0' &&
	    (pair->refresh = tok_sign(cfg, &pair->refresh_claims)) == NULL)
		return -1;
	if ((pair->access = tok_sign(cfg, &pair->access_claims)) == NULL)
		return -1;
	return 0;
}

static void
issue_wipe(char **token)
{
	if (*token == NULL)
		return;
	explicit_bzero(*token, strlen(*token));
	free(*token);
	*token = NULL;
}

void
issue_free(struct token_pair *pair)
{
	issue_wipe(&pair->refresh);
	issue_wipe(&pair->access);
}

static int
issue_add(struct json_object *obj, const char *key, const char *value)
{
	struct json_object	*s;

	if ((s = json_object_new_string(value)) == NULL)
		return -1;
	if (json_object_object_add(obj, key, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

void
issue_reply(const struct token_pair *pair, enum issue_shape shape,
    const char *email, int status, struct http_reply *reply)
{
	struct json_object	*body, *user = NULL;
	int			 failed = 0;

	if ((body = json_object_new_object()) == NULL)
		goto nomem;
	if (shape == ISSUE_REGISTER) {
		if ((user = json_object_new_object()) == NULL ||
		    issue_add(user, "email", email) == -1 ||
		    json_object_object_add(body, "user", user) != 0)
			goto nomem;
		user = NULL;
	}
	if (shape == ISSUE_REFRESH) {
		failed |= issue_add(body, "access", pair->access);
		if (pair->refresh != NULL)
			failed |= issue_add(body, "refresh", pair->refresh);
	} else {
		failed |= issue_add(body, "refresh", pair->refresh);
		failed |= issue_add(body, "access", pair->access);
	}
	if (failed)
		goto nomem;
	http_reply_json(reply, status, body);
	reply->no_store = 1;
	return;
nomem:
	json_object_put(user);
	json_object_put(body);
	http_reply_internal_error(reply);
}
