/* SPDX-License-Identifier: ISC */
/*
 * Authentication for protected endpoints: "Authorization: Bearer <access
 * token>" checked as simplejwt's JWTAuthentication does, with its 401
 * bodies. Every protected endpoint goes through auth_request().
 */
#ifndef SHOPEASE_AUTH_H
#define SHOPEASE_AUTH_H

#include "db.h"
#include "http.h"

struct server;
struct tok_claims;

/*
 * Authenticate req and load its user. Returns 0 with user filled, or -1
 * with the 401 (or 503, 500) already in reply.
 */
int	auth_request(struct server *srv, const struct http_request *req,
	    struct db_user *user, struct http_reply *reply);

/*
 * Check req's Authorization header and access token, without the
 * database: the first half of auth_request(). Returns 0 with claims
 * filled, or -1 with the 401 (or 500) already in reply.
 */
int	auth_token(struct server *srv, const struct http_request *req,
	    struct tok_claims *claims, struct http_reply *reply);

/*
 * Load the user of checked access token claims and check that it is
 * active: the second half of auth_request(). Returns 0 with user filled,
 * or -1 with the 401 (or 503, 500) already in reply.
 */
int	auth_user(struct server *srv, const struct http_request *req,
	    const struct tok_claims *claims, struct db_user *user,
	    struct http_reply *reply);

/*
 * Split an Authorization header value into its scheme and token at ASCII
 * whitespace. Returns 0 with the token in *token and *len, 1 when there are
 * no credentials (absent, empty or another scheme), -1 when "Bearer" is
 * followed by no token or by more than one.
 */
int	auth_parse_header(const char *header, const char **token, size_t *len);

#endif
