/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: tok_verify(). Random bytes almost never carry a valid
 * signature, so the first byte picks a mode:
 *   bit 0 clear: the rest is the token as sent;
 *   bit 0 set:   the rest is a header and a payload, split at the first
 *                NUL byte (without one the payload is all of it under the
 *                standard header); both are base64url-encoded and signed
 *                with the configured key, so the claim checks are reached.
 *   bit 1 picks the expected type, bit 2 flips a signature bit.
 * A token that verifies must have a jti, a user id and an exp in the future.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cfg.h"
#include "clock.h"
#include "tok.h"

#define FUZZ_SECRET	"fuzz-secret-0123456789abcdef0123456789abcdef"
#define FUZZ_HEADER	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
b64url_encode(const uint8_t *in, size_t len, char *out)
{
	static const char	 alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	return o;
}

/* Build header.payload.signature in token (at least 2 * size + 128 bytes). */
static size_t
sign(const uint8_t *data, size_t size, int flip, char *token)
{
	const uint8_t	*header = (const uint8_t *)FUZZ_HEADER, *payload = data, *nul;
	size_t		 header_len = strlen(FUZZ_HEADER), payload_len = size, n;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 mac_len = 0;

	if ((nul = memchr(data, '\0', size)) != NULL) {
		header = data;
		header_len = (size_t)(nul - data);
		payload = nul + 1;
		payload_len = size - header_len - 1;
	}
	n = b64url_encode(header, header_len, token);
	token[n++] = '.';
	n += b64url_encode(payload, payload_len, token + n);
	if (HMAC(EVP_sha256(), FUZZ_SECRET, (int)strlen(FUZZ_SECRET),
	    (const unsigned char *)token, n, mac, &mac_len) == NULL)
		abort();
	if (flip)
		mac[0] ^= 1;
	token[n++] = '.';
	n += b64url_encode(mac, mac_len, token + n);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg		 cfg;
	struct tok_claims	 claims;
	enum tok_status		 status;
	enum tok_type		 type;
	char			*token;
	size_t			 len;
	uint8_t			 mode;

	if (size == 0 || size > 8192)
		return 0;
	mode = data[0];
	data++;
	size--;
	memset(&cfg, 0, sizeof(cfg));
	cfg.jwt_secret = (unsigned char *)FUZZ_SECRET;
	cfg.jwt_secret_len = strlen(FUZZ_SECRET);
	cfg.leeway = 30;
	type = mode & 2 ? TOK_REFRESH : TOK_ACCESS;

	if ((token = malloc(2 * size + 128)) == NULL)
		return 0;
	if (mode & 1)
		len = sign(data, size, mode & 4, token);
	else {
		memcpy(token, data, size);
		len = size;
	}
	status = tok_verify(&cfg, token, len, type, &claims);
	if (status == TOK_VALID && (claims.jti[0] == '\0' || claims.user_id == 0 ||
	    claims.exp <= (int64_t)clock_now() - cfg.leeway || claims.type != type))
		abort();
	free(token);
	return 0;
}
