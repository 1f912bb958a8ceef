/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/tok.c: tokens issued here verify, tokens made by the
 * Django service at the same secret verify (tests/vectors), and every
 * forgery the API must reject is rejected with simplejwt's message.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cfg.h"
#include "clock.h"
#include "tok.h"
#include "unit.h"

#define VECTORS		"tests/vectors/reference_tokens.json"
#define OUR_VECTORS	"tests/vectors/suite_tokens.json"
#define TEST_SECRET	"unit-test-secret-0123456789abcdef0123456789"

static struct cfg	 cfg;

static void
setup_cfg(const char *secret)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.jwt_secret = (unsigned char *)secret;
	cfg.jwt_secret_len = strlen(secret);
	cfg.access_lifetime = 3600;
	cfg.refresh_lifetime = 86400;
}

static void
base64url(const unsigned char *in, size_t len, char *out)
{
	size_t	 i, n;

	n = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	for (i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
		else if (out[i] == '=') {
			out[i] = '\0';
			break;
		}
	}
	out[n < i ? n : i] = '\0';
}

/* Sign header.payload (JSON texts) with key, as a forger holding the key would. */
static char *
forge(const char *header, const char *payload, const char *key)
{
	static char	 token[4096];
	char		 sig[128];
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	size_t		 n;

	base64url((const unsigned char *)header, strlen(header), token);
	n = strlen(token);
	token[n++] = '.';
	base64url((const unsigned char *)payload, strlen(payload), token + n);
	HMAC(EVP_sha256(), key, (int)strlen(key), (unsigned char *)token, strlen(token),
	    mac, &maclen);
	base64url(mac, maclen, sig);
	n = strlen(token);
	snprintf(token + n, sizeof(token) - n, ".%s", sig);
	return token;
}

#define HS256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define NOW	2000000000

static enum tok_status
verify(const char *token, enum tok_type type)
{
	struct tok_claims	 claims;

	return tok_verify(&cfg, token, strlen(token), type, &claims);
}

static void
test_issue_and_verify(void)
{
	struct tok_claims	 claims, checked;
	char			*token;

	setup_cfg(TEST_SECRET);
	clock_set(NOW);
	CHECK(tok_claims_new(&cfg, TOK_REFRESH, 42, NOW, &claims) == 0, "claims");
	CHECK(strlen(claims.jti) == 32, "jti length: %s", claims.jti);
	CHECK(strspn(claims.jti, "0123456789abcdef") == 32, "jti is lowercase hex: %s", claims.jti);
	CHECK(claims.exp == NOW + 86400, "exp %" PRId64, claims.exp);
	CHECK(claims.iat == NOW, "iat %" PRId64, claims.iat);
	token = tok_sign(&cfg, &claims);
	CHECK(token != NULL, "signed");
	if (token == NULL)
		return;
	CHECK(strncmp(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0,
	    "header is {\"alg\":\"HS256\",\"typ\":\"JWT\"}: %s", token);
	CHECK(tok_verify(&cfg, token, strlen(token), TOK_REFRESH, &checked) == TOK_VALID,
	    "own token verifies");
	CHECK(checked.user_id == 42, "user_id %" PRIu64, checked.user_id);
	CHECK(strcmp(checked.jti, claims.jti) == 0, "jti %s", checked.jti);
	CHECK(checked.exp == claims.exp, "exp %" PRId64, checked.exp);
	CHECK(verify(token, TOK_ACCESS) == TOK_WRONG_TYPE, "refresh used as access");
	clock_set(NOW + 86400);
	CHECK(verify(token, TOK_REFRESH) == TOK_INVALID, "expired at exp");
	cfg.leeway = 10;
	CHECK(verify(token, TOK_REFRESH) == TOK_VALID, "leeway extends exp");
	cfg.leeway = 0;
	free(token);
	clock_set(0);
}

static void
test_reference_vectors(void)
{
	struct json_object	*root, *tokens, *entry, *v, *payload;
	struct tok_claims	 claims;
	const char		*token, *kind;
	size_t			 i;
	int64_t			 iat;

	root = json_object_from_file(VECTORS);
	CHECK(root != NULL, "read %s", VECTORS);
	if (root == NULL)
		return;
	json_object_object_get_ex(root, "secret", &v);
	setup_cfg(json_object_get_string(v));
	json_object_object_get_ex(root, "tokens", &tokens);
	for (i = 0; i < json_object_array_length(tokens); i++) {
		entry = json_object_array_get_idx(tokens, i);
		json_object_object_get_ex(entry, "token", &v);
		token = json_object_get_string(v);
		json_object_object_get_ex(entry, "kind", &v);
		kind = json_object_get_string(v);
		json_object_object_get_ex(entry, "payload", &payload);
		json_object_object_get_ex(payload, "iat", &v);
		iat = json_object_get_int64(v);

		/* At their issue time they are valid... */
		clock_set((time_t)iat);
		CHECK(tok_verify(&cfg, token, strlen(token),
		    strcmp(kind, "access") == 0 ? TOK_ACCESS : TOK_REFRESH,
		    &claims) == TOK_VALID, "reference %s token %zu", kind, i);
		CHECK(claims.user_id == 1, "user_id %" PRIu64, claims.user_id);
		/* ...and a day and a second later both kinds have expired. */
		clock_set((time_t)iat + 86401);
		CHECK(tok_verify(&cfg, token, strlen(token),
		    strcmp(kind, "access") == 0 ? TOK_ACCESS : TOK_REFRESH,
		    &claims) == TOK_INVALID, "reference %s token %zu expired", kind, i);
	}
	clock_set(0);
	json_object_put(root);
}

/*
 * Tokens this suite signed were accepted by the Django service; signing the
 * same claims must still give the same bytes.
 */
static void
test_suite_vectors(void)
{
	struct json_object	*root, *tokens, *entry, *v, *claims_json;
	struct tok_claims	 claims;
	char			*token;
	size_t			 i;

	root = json_object_from_file(OUR_VECTORS);
	CHECK(root != NULL, "read %s", OUR_VECTORS);
	if (root == NULL)
		return;
	json_object_object_get_ex(root, "secret", &v);
	setup_cfg(json_object_get_string(v));
	json_object_object_get_ex(root, "tokens", &tokens);
	for (i = 0; i < json_object_array_length(tokens); i++) {
		entry = json_object_array_get_idx(tokens, i);
		json_object_object_get_ex(entry, "claims", &claims_json);
		memset(&claims, 0, sizeof(claims));
		json_object_object_get_ex(claims_json, "token_type", &v);
		claims.type = strcmp(json_object_get_string(v), "access") == 0 ?
		    TOK_ACCESS : TOK_REFRESH;
		json_object_object_get_ex(claims_json, "exp", &v);
		claims.exp = json_object_get_int64(v);
		json_object_object_get_ex(claims_json, "iat", &v);
		claims.iat = json_object_get_int64(v);
		json_object_object_get_ex(claims_json, "jti", &v);
		snprintf(claims.jti, sizeof(claims.jti), "%s", json_object_get_string(v));
		json_object_object_get_ex(claims_json, "user_id", &v);
		claims.user_id = (uint64_t)json_object_get_int64(v);

		token = tok_sign(&cfg, &claims);
		json_object_object_get_ex(entry, "token", &v);
		CHECK(token != NULL, "token %zu: signing failed", i);
		if (token != NULL)
			CHECK(strcmp(token, json_object_get_string(v)) == 0,
			    "token %zu signs to the accepted string: %s", i, token);
		free(token);
	}
	json_object_put(root);
}

static void
test_forgeries(void)
{
	static const struct {
		const char	*header;
		const char	*payload;
		const char	*key;
		enum tok_status	 expected;
		const char	*what;
	} cases[] = {
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_VALID, "well-formed" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":\"7\"}",
		    TEST_SECRET, TOK_VALID, "user_id as a digit string" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":1999999999,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "expired" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    "another-secret-0123456789abcdef0123456789", TOK_INVALID, "wrong key" },
		{ "{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "alg none" },
		{ "{\"alg\":\"NONE\"}", "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "alg NONE" },
		{ "{\"alg\":\"hs256\"}", "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "alg hs256" },
		{ "{\"alg\":\"HS512\"}", "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "alg HS512" },
		{ "[]", "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "header is an array" },
		{ HS256, "\"a string\"", TEST_SECRET, TOK_INVALID, "payload is a string" },
		{ HS256, "{\"token_type\":\"refresh\",\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_NO_EXP, "no exp" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":\"2000000100\",\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "exp as a string" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100.5,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "exp as a float" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":-5,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "negative exp" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":99999999999999999999999,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "huge exp" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":253402300799,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_VALID, "exp at the last DATETIME second" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":253402300800,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "exp in the year 10000" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":9223372036854775807,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_INVALID, "exp at INT64_MAX" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"user_id\":1}",
		    TEST_SECRET, TOK_NO_ID, "no jti" },
		{ HS256, "{\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_NO_TYPE, "no token_type" },
		{ HS256, "{\"token_type\":\"access\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_WRONG_TYPE, "access used as refresh" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1.5}",
		    TEST_SECRET, TOK_INVALID, "user_id as a float" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":{}}",
		    TEST_SECRET, TOK_INVALID, "user_id as an object" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":2000000100,\"jti\":\"a\",\"user_id\":\"x1\"}",
		    TEST_SECRET, TOK_INVALID, "user_id as a non-digit string" },
		{ HS256, "{\"token_type\":\"refresh\",\"exp\":1,\"exp\":2000000100,\"jti\":\"a\",\"user_id\":1}",
		    TEST_SECRET, TOK_VALID, "duplicate claim: the last wins" },
	};
	size_t	 i;

	setup_cfg(TEST_SECRET);
	clock_set(NOW);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum tok_status got = verify(forge(cases[i].header, cases[i].payload,
		    cases[i].key), TOK_REFRESH);

		CHECK(got == cases[i].expected, "%s: expected \"%s\", got \"%s\"",
		    cases[i].what, tok_status_message(cases[i].expected),
		    tok_status_message(got));
	}
	clock_set(0);
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"", ".", "..", "a.b", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9..sig",
		"eyJhbGciOiJIUzI1NiJ9.e30.", ".e30.sig", "a b.c.d", "a+b.c/d.e=",
		"bm90IGpzb24.e30.c2ln",
	};
	char	*huge;
	size_t	 i;

	setup_cfg(TEST_SECRET);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(verify(bad[i], TOK_REFRESH) == TOK_INVALID, "\"%s\"", bad[i]);
	/* Longer than TOK_MAX_LEN: rejected before libjwt parses it. */
	huge = malloc(20 * 1024 * 1024 + 1);
	if (huge != NULL) {
		memset(huge, 'a', 20 * 1024 * 1024);
		huge[100] = '.';
		huge[200] = '.';
		huge[20 * 1024 * 1024] = '\0';
		CHECK(verify(huge, TOK_REFRESH) == TOK_INVALID, "20 MB token");
		free(huge);
	}
}

int
main(void)
{
	RUN(test_issue_and_verify);
	RUN(test_reference_vectors);
	RUN(test_suite_vectors);
	RUN(test_forgeries);
	RUN(test_malformed);
	return unit_report("tok");
}
