/* SPDX-License-Identifier: ISC */
/*
 * JSON Web Tokens: HS256, claims token_type, exp, iat, jti and user_id, as
 * djangorestframework-simplejwt 5.2 writes them, so tokens are
 * interchangeable with the service this suite replaces at the same secret.
 */
#ifndef SHOPEASE_TOK_H
#define SHOPEASE_TOK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cfg;

/*
 * Maximum length of a token. Ours are about 250 bytes; libjwt 1.10 decodes
 * on the stack, so an unbounded token could overflow it.
 */
#define TOK_MAX_LEN	4096
#define TOK_JTI_MAX	255	/* bytes; ours are 32 hex characters */

enum tok_type {
	TOK_ACCESS,
	TOK_REFRESH
};

/* The reason a token is not valid, in simplejwt's order of checks. */
enum tok_status {
	TOK_VALID,
	TOK_INVALID,		/* malformed, bad signature or alg, expired, exp not an integer */
	TOK_NO_EXP,
	TOK_NO_ID,
	TOK_NO_TYPE,
	TOK_WRONG_TYPE,
	TOK_ERROR		/* out of memory: not the token's fault */
};

struct tok_claims {
	enum tok_type	 type;
	int64_t		 exp;
	int64_t		 iat;
	char		 jti[TOK_JTI_MAX + 1];
	uint64_t	 user_id;
};

/* simplejwt's message for a status, e.g. "Token has no id". */
const char	*tok_status_message(enum tok_status status);

/*
 * Check token. It must have three base64url parts, the header alg exactly
 * "HS256" and a valid signature. exp must be an integer, after now minus
 * the leeway and no later than 9999-12-31 23:59:59 UTC (the last DATETIME).
 * jti must be present, token_type the expected one, and user_id an integer
 * or a string of decimal digits.
 */
enum tok_status	 tok_verify(const struct cfg *cfg, const char *token, size_t len,
		    enum tok_type expected, struct tok_claims *claims);

/* Fill claims for a new token of type for user_id at now, with a fresh jti. */
int		 tok_claims_new(const struct cfg *cfg, enum tok_type type,
		    uint64_t user_id, time_t now, struct tok_claims *claims);

/* Sign claims. Returns a string to free(), or NULL (logged). */
char		*tok_sign(const struct cfg *cfg, const struct tok_claims *claims);

#endif
