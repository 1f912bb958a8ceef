/* SPDX-License-Identifier: ISC */
/*
 * GET /api/auth/me/ (and HEAD, and without the trailing slash)
 *
 * Needs Authorization: Bearer <access token>; its 401s come first.
 *
 * 200 {"id": 7, "email": "...", "is_active": true, "is_staff": false,
 *      "is_superuser": false, "date_joined": "2026-12-04T19:33:12Z",
 *      "last_login": null}, times in UTC, ISO 8601.
 * 405 for other methods, with Allow: GET, HEAD, OPTIONS.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "serve.h"

/* A UTC time as ISO 8601 with "Z", or JSON null for 0. */
static struct json_object *
utc_time(time_t t)
{
	struct tm	 tm;
	char		 buf[32];

	if (t == 0)
		return NULL;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return json_object_new_string(buf);
}

static void
handle(struct server *srv, const struct http_request *req,
    struct json_object *unused, const struct db_user *user,
    struct http_reply *reply)
{
	struct json_object	*body;

	if ((body = json_object_new_object()) == NULL) {
		http_reply_internal_error(reply);
		return;
	}
	json_object_object_add(body, "id", json_object_new_uint64(user->id));
	json_object_object_add(body, "email", json_object_new_string(user->email));
	json_object_object_add(body, "is_active", json_object_new_boolean(user->is_active));
	json_object_object_add(body, "is_staff", json_object_new_boolean(user->is_staff));
	json_object_object_add(body, "is_superuser",
	    json_object_new_boolean(user->is_superuser));
	json_object_object_add(body, "date_joined", utc_time(user->date_joined));
	json_object_object_add(body, "last_login", utc_time(user->last_login));
	http_reply_json(reply, 200, body);
}

static const struct endpoint me_endpoint = {
	.name = "me",
	.title = "Me",
	.description = "The authenticated user.",
	.allow = "GET, HEAD, OPTIONS",
	.authenticated = 1,
	.handle = handle,
};

int
main(void)
{
	return serve(&me_endpoint);
}
