/* SPDX-License-Identifier: ISC */
/*
 * A refresh and access token pair for a user, and the token responses of
 * register, login and refresh, each with Cache-Control: no-store
 * (RFC 6749, section 5.1).
 */
#ifndef SHOPEASE_ISSUE_H
#define SHOPEASE_ISSUE_H

#include <stdint.h>
#include <time.h>

#include "tok.h"

struct cfg;
struct http_reply;

struct token_pair {
	struct tok_claims	 refresh_claims;
	struct tok_claims	 access_claims;
	char			*refresh;	/* signed; NULL until issue_sign() */
	char			*access;
};

/* Fill the claims of both tokens for user_id at now. Returns 0 or -1 (logged). */
int	issue_claims(const struct cfg *cfg, uint64_t user_id, time_t now,
	    struct token_pair *pair);

/* Sign the tokens whose claims are set (set user_id first if it changed). */
int	issue_sign(const struct cfg *cfg, struct token_pair *pair);

/* Free the signed tokens, wiping them. */
void	issue_free(struct token_pair *pair);

enum issue_shape {
	ISSUE_REGISTER,		/* {"user": {"email": ...}, "refresh": ..., "access": ...} */
	ISSUE_LOGIN,		/* {"refresh": ..., "access": ...} */
	ISSUE_REFRESH		/* {"access": ..., "refresh": ...}; refresh may be absent */
};

/* Put the token response in reply. email is used by ISSUE_REGISTER only. */
void	issue_reply(const struct token_pair *pair, enum issue_shape shape,
	    const char *email, int status, struct http_reply *reply);

#endif
