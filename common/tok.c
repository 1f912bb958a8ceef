/* SPDX-License-Identifier: ISC */
/*
 * Tokens are signed with libjwt. To verify one, the checks that libjwt
 * 1.10 leaves out are made here: it takes the algorithm from the token's
 * own header and checks no claim, and its jwt_get_grant_int() reads a
 * string claim as 0. So the header's alg is compared with "HS256" before
 * libjwt verifies the signature (in constant time, with jwt_strcmp), and
 * the claims are read with json-c, types checked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <json-c/json.h>
#include <jwt.h>

#include "body.h"
#include "cfg.h"
#include "clock.h"
#include "log.h"
#include "tok.h"

#define TOK_ALG		"HS256"

/*
 * 9999-12-31 23:59:59 UTC, the last second a MariaDB DATETIME can store. A
 * later exp could not be stored as the blacklist row's expires_at.
 */
#define TOK_EXP_MAX	INT64_C(253402300799)

const char *
tok_status_message(enum tok_status status)
{
	switch (status) {
	case TOK_VALID:
		return "Token is valid";
	case TOK_INVALID:
		return "Token is invalid or expired";
	case TOK_NO_EXP:
		return "Token has no 'exp' claim";
	case TOK_NO_ID:
		return "Token has no id";
	case TOK_NO_TYPE:
		return "Token has no type";
	case TOK_WRONG_TYPE:
		return "Token has wrong type";
	case TOK_ERROR:
		break;
	}
	return "Internal error";
}

static int
tok_base64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Decode unpadded base64url into out (at least len * 3 / 4 + 1 bytes),
 * NUL-terminated. Returns the length, or -1 on a character outside the
 * alphabet or an impossible length.
 */
static long
tok_base64url_decode(const char *s, size_t len, char *out)
{
	uint32_t	 acc = 0;
	size_t		 i, o = 0;
	int		 bits = 0, v;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = tok_base64url_value((unsigned char)s[i])) == -1)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return (long)o;
}

/* Decode one part of the token and parse it as a JSON object. */
static enum tok_status
tok_decode_part(const char *s, size_t len, struct json_object **out)
{
	char		 buf[TOK_MAX_LEN];
	char		 message[128];
	long		 n;
	enum body_result rc;

	*out = NULL;
	if (len == 0 || (n = tok_base64url_decode(s, len, buf)) <= 0)
		return TOK_INVALID;
	rc = body_parse_json(buf, (size_t)n, out, message, sizeof(message));
	if (rc == BODY_NOMEM)
		return TOK_ERROR;
	if (rc != BODY_OK)
		return TOK_INVALID;
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return TOK_INVALID;
	}
	return TOK_VALID;
}

/* Three parts of base64url characters; the signature part is checked by libjwt. */
static int
tok_split(const char *token, size_t len, size_t *dot1, size_t *dot2)
{
	size_t	 i, dots = 0;

	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (dots == 0)
				*dot1 = i;
			else if (dots == 1)
				*dot2 = i;
			if (++dots > 2)
				return -1;
		} else if (tok_base64url_value((unsigned char)token[i]) == -1)
			return -1;
	}
	if (dots != 2 || *dot1 == 0 || *dot2 == *dot1 + 1 || *dot2 + 1 == len)
		return -1;
	return 0;
}

static enum tok_status
tok_check_header(const char *token, size_t len)
{
	struct json_object	*header, *alg;
	enum tok_status		 rc;

	if ((rc = tok_decode_part(token, len, &header)) != TOK_VALID)
		return rc;
	rc = TOK_INVALID;
	/* Case-sensitive: "hs256", "none" and "NONE" are all rejected. */
	if (json_object_object_get_ex(header, "alg", &alg) &&
	    json_object_is_type(alg, json_type_string) &&
	    strcmp(json_object_get_string(alg), TOK_ALG) == 0)
		rc = TOK_VALID;
	json_object_put(header);
	return rc;
}

static enum tok_status
tok_check_signature(const struct cfg *cfg, const char *token, size_t len)
{
	jwt_t	*jwt = NULL;
	char	*copy;
	int	 err;

	if ((copy = strndup(token, len)) == NULL)
		return TOK_ERROR;
	err = jwt_decode(&jwt, copy, cfg->jwt_secret, (int)cfg->jwt_secret_len);
	free(copy);
	if (err == ENOMEM)
		return TOK_ERROR;
	if (err != 0 || jwt == NULL || jwt_get_alg(jwt) != JWT_ALG_HS256) {
		jwt_free(jwt);
		return TOK_INVALID;
	}
	jwt_free(jwt);
	return TOK_VALID;
}

/* Read an integer claim. Values beyond 64 bits arrive as strings (see body.h). */
static int
tok_claim_int(struct json_object *payload, const char *name, int *present,
    int64_t *out)
{
	struct json_object	*value;

	*present = json_object_object_get_ex(payload, name, &value);
	if (!*present)
		return 0;
	if (!json_object_is_type(value, json_type_int))
		return -1;
	/* INT64_MAX may stand for a larger unsigned value: past TOK_EXP_MAX either way. */
	*out = json_object_get_int64(value);
	return 0;
}

static enum tok_status
tok_check_user_id(struct json_object *payload, struct tok_claims *claims)
{
	struct json_object	*value;
	const char		*s;
	char			*end;
	int64_t			 id;

	if (!json_object_object_get_ex(payload, "user_id", &value))
		return TOK_INVALID;
	if (json_object_is_type(value, json_type_int)) {
		id = json_object_get_int64(value);
		if (id < 1 || id == INT64_MAX)
			return TOK_INVALID;
		claims->user_id = (uint64_t)id;
		return TOK_VALID;
	}
	if (!json_object_is_type(value, json_type_string))
		return TOK_INVALID;
	/* Newer simplejwt versions write the id as a string of decimal digits. */
	s = json_object_get_string(value);
	if (*s < '0' || *s > '9' || json_object_get_string_len(value) > 19)
		return TOK_INVALID;
	errno = 0;
	claims->user_id = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || claims->user_id == 0)
		return TOK_INVALID;
	return TOK_VALID;
}

static enum tok_status
tok_check_jti(struct json_object *payload, struct tok_claims *claims)
{
	struct json_object	*value;
	const char		*s;
	size_t			 i, len;

	if (!json_object_object_get_ex(payload, "jti", &value))
		return TOK_NO_ID;
	if (!json_object_is_type(value, json_type_string))
		return TOK_INVALID;
	s = json_object_get_string(value);
	len = (size_t)json_object_get_string_len(value);
	if (len == 0 || len > TOK_JTI_MAX)
		return TOK_INVALID;
	/* The blacklist stores it as ASCII: printable characters only. */
	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return TOK_INVALID;
	memcpy(claims->jti, s, len + 1);
	return TOK_VALID;
}

static enum tok_status
tok_check_type(struct json_object *payload, enum tok_type expected,
    struct tok_claims *claims)
{
	struct json_object	*value;
	const char		*want = expected == TOK_ACCESS ? "access" : "refresh";

	if (!json_object_object_get_ex(payload, "token_type", &value))
		return TOK_NO_TYPE;
	if (!json_object_is_type(value, json_type_string) ||
	    strcmp(json_object_get_string(value), want) != 0)
		return TOK_WRONG_TYPE;
	claims->type = expected;
	return TOK_VALID;
}

static enum tok_status
tok_check_claims(const struct cfg *cfg, struct json_object *payload,
    enum tok_type expected, struct tok_claims *claims)
{
	enum tok_status	 rc;
	int		 has_exp, has_iat;
	int64_t		 now = (int64_t)clock_now();

	/* First what PyJWT rejects while decoding, then simplejwt's own checks. */
	if (tok_claim_int(payload, "exp", &has_exp, &claims->exp) == -1 ||
	    tok_claim_int(payload, "iat", &has_iat, &claims->iat) == -1)
		return TOK_INVALID;
	if (has_exp && (claims->exp <= now - cfg->leeway || claims->exp > TOK_EXP_MAX))
		return TOK_INVALID;
	if (!has_exp)
		return TOK_NO_EXP;
	if ((rc = tok_check_jti(payload, claims)) != TOK_VALID)
		return rc;
	if ((rc = tok_check_type(payload, expected, claims)) != TOK_VALID)
		return rc;
	return tok_check_user_id(payload, claims);
}

enum tok_status
tok_verify(const struct cfg *cfg, const char *token, size_t len,
    enum tok_type expected, struct tok_claims *claims)
{
	struct json_object	*payload = NULL;
	size_t			 dot1 = 0, dot2 = 0;
	enum tok_status		 rc;

	memset(claims, 0, sizeof(*claims));
	if (len > TOK_MAX_LEN || tok_split(token, len, &dot1, &dot2) == -1)
		return TOK_INVALID;
	if ((rc = tok_check_header(token, dot1)) != TOK_VALID)
		return rc;
	if ((rc = tok_check_signature(cfg, token, len)) != TOK_VALID)
		return rc;
	rc = tok_decode_part(token + dot1 + 1, dot2 - dot1 - 1, &payload);
	if (rc != TOK_VALID)
		return rc;
	rc = tok_check_claims(cfg, payload, expected, claims);
	json_object_put(payload);
	return rc;
}

static int
tok_new_jti(char jti[33])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 bytes[16];
	size_t			 i;

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
		log_warn("tok: getrandom");
		return -1;
	}
	for (i = 0; i < sizeof(bytes); i++) {
		jti[2 * i] = digits[bytes[i] >> 4];
		jti[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	jti[32] = '\0';
	return 0;
}

int
tok_claims_new(const struct cfg *cfg, enum tok_type type, uint64_t user_id,
    time_t now, struct tok_claims *claims)
{
	long	 lifetime;

	memset(claims, 0, sizeof(*claims));
	lifetime = type == TOK_ACCESS ? cfg->access_lifetime : cfg->refresh_lifetime;
	claims->type = type;
	claims->iat = (int64_t)now;
	claims->exp = (int64_t)now + lifetime;
	claims->user_id = user_id;
	return tok_new_jti(claims->jti);
}

char *
tok_sign(const struct cfg *cfg, const struct tok_claims *claims)
{
	jwt_t	*jwt = NULL;
	char	*token = NULL;

	if (jwt_new(&jwt) != 0) {
		log_warnx("tok: jwt_new failed");
		return NULL;
	}
	if (jwt_set_alg(jwt, JWT_ALG_HS256, cfg->jwt_secret, (int)cfg->jwt_secret_len) != 0 ||
	    jwt_add_grant(jwt, "token_type",
	    claims->type == TOK_ACCESS ? "access" : "refresh") != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)claims->exp) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)claims->iat) != 0 ||
	    jwt_add_grant(jwt, "jti", claims->jti) != 0 ||
	    jwt_add_grant_int(jwt, "user_id", (long)claims->user_id) != 0) {
		log_warnx("tok: building a token for user %" PRIu64 " failed",
		    claims->user_id);
		goto out;
	}
	if ((token = jwt_encode_str(jwt)) == NULL)
		log_warnx("tok: jwt_encode_str failed for user %" PRIu64,
		    claims->user_id);
out:
	jwt_free(jwt);
	return token;
}
