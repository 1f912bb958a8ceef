/* SPDX-License-Identifier: ISC */
/*
 * bcrypt through libxcrypt's crypt_rn and crypt_gensalt_rn. A NULL or
 * '*'-prefixed result from crypt is a failure: when hashing it is an error,
 * never a stored hash; when verifying it is simply no match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "log.h"
#include "pw.h"

/* struct crypt_data is about 32 KiB: one per process, off the stack. */
static struct crypt_data *pw_data;

static struct crypt_data *
pw_crypt_data(void)
{
	if (pw_data == NULL && (pw_data = calloc(1, sizeof(*pw_data))) == NULL)
		log_warn("pw: calloc crypt_data");
	return pw_data;
}

/* The passphrase of a bcrypt_sha256 hash: the hex SHA-256 of the password. */
static void
pw_prehash(const char *password, size_t len, char hex[2 * SHA256_DIGEST_LENGTH + 1])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 digest[SHA256_DIGEST_LENGTH];
	size_t			 i;

	SHA256((const unsigned char *)password, len, digest);
	for (i = 0; i < sizeof(digest); i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xf];
	}
	hex[2 * SHA256_DIGEST_LENGTH] = '\0';
	explicit_bzero(digest, sizeof(digest));
}

static int
pw_crypt_failed(const char *result)
{
	return result == NULL || result[0] == '*';
}

int
pw_hash(const char *password, size_t len, int cost, char *out, size_t outsz)
{
	struct crypt_data	*data;
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char			 hex[2 * SHA256_DIGEST_LENGTH + 1];
	const char		*result;
	int			 rc = -1;

	if ((data = pw_crypt_data()) == NULL)
		return -1;
	if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, setting,
	    sizeof(setting)) == NULL) {
		log_warn("pw: crypt_gensalt_rn (cost %d)", cost);
		return -1;
	}
	pw_prehash(password, len, hex);
	result = crypt_rn(hex, setting, data, sizeof(*data));
	if (pw_crypt_failed(result)) {
		log_warn("pw: crypt_rn failed while hashing");
		goto out;
	}
	if ((size_t)snprintf(out, outsz, "%s%s", PW_PREFIX, result) >= outsz) {
		log_warnx("pw: hash longer than %zu bytes", outsz);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(data, sizeof(*data));
	return rc;
}

/* Constant-time equality of two NUL-terminated hashes of public length. */
static int
pw_equal(const char *a, const char *b)
{
	size_t	 len = strlen(a);

	if (len != strlen(b))
		return 0;
	return CRYPTO_memcmp(a, b, len) == 0;
}

/*
 * Django's default hasher, "pbkdf2_sha256$<iterations>$<salt>$<base64 of
 * the 32-byte PBKDF2-HMAC-SHA256>", which the service this suite replaces
 * wrote for every user: imported accounts keep their passwords.
 */
static enum pw_result
pw_verify_pbkdf2(const char *password, size_t len, const char *stored)
{
	unsigned char	 derived[SHA256_DIGEST_LENGTH];
	char		 encoded[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
	const char	*salt, *hash, *p;
	char		*end;
	unsigned long	 iterations;
	enum pw_result	 rc = PW_MISMATCH;

	p = stored + strlen(PW_PBKDF2_PREFIX);
	iterations = strtoul(p, &end, 10);
	/* Django's defaults run from 10,000 to 870,000; refuse absurd counts. */
	if (end == p || *end != '$' || iterations == 0 || iterations > 10000000)
		return PW_MISMATCH;
	salt = end + 1;
	if ((hash = strchr(salt, '$')) == NULL || hash == salt)
		return PW_MISMATCH;
	if (PKCS5_PBKDF2_HMAC(password, (int)len, (const unsigned char *)salt,
	    (int)(hash - salt), (int)iterations, EVP_sha256(), sizeof(derived),
	    derived) != 1) {
		log_warnx("pw: PKCS5_PBKDF2_HMAC failed");
		return PW_ERROR;
	}
	EVP_EncodeBlock((unsigned char *)encoded, derived, sizeof(derived));
	if (pw_equal(encoded, hash + 1))
		rc = PW_MATCH;
	explicit_bzero(derived, sizeof(derived));
	explicit_bzero(encoded, sizeof(encoded));
	return rc;
}

enum pw_result
pw_verify(const char *password, size_t len, const char *stored)
{
	struct crypt_data	*data;
	char			 hex[2 * SHA256_DIGEST_LENGTH + 1];
	char			*plain = NULL;
	const char		*result, *bcrypt;
	enum pw_result		 rc = PW_MISMATCH;

	if (strncmp(stored, PW_PBKDF2_PREFIX, strlen(PW_PBKDF2_PREFIX)) == 0)
		return pw_verify_pbkdf2(password, len, stored);
	if ((data = pw_crypt_data()) == NULL)
		return PW_ERROR;
	if (strncmp(stored, PW_PREFIX, strlen(PW_PREFIX)) == 0) {
		bcrypt = stored + strlen(PW_PREFIX);
		pw_prehash(password, len, hex);
		result = crypt_rn(hex, bcrypt, data, sizeof(*data));
	} else if (strncmp(stored, "$2a$", 4) == 0 ||
	    strncmp(stored, "$2b$", 4) == 0 || strncmp(stored, "$2y$", 4) == 0) {
		/* A password with a NUL byte cannot be a C passphrase: no match. */
		if (memchr(password, '\0', len) != NULL)
			goto out;
		if ((plain = strndup(password, len)) == NULL) {
			rc = PW_ERROR;
			goto out;
		}
		bcrypt = stored;
		result = crypt_rn(plain, bcrypt, data, sizeof(*data));
	} else
		goto out;

	if (!pw_crypt_failed(result) && pw_equal(result, bcrypt))
		rc = PW_MATCH;
out:
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(data, sizeof(*data));
	if (plain != NULL) {
		explicit_bzero(plain, len);
		free(plain);
	}
	return rc;
}

int
pw_needs_rehash(const char *stored, int cost)
{
	char	 current[32];

	snprintf(current, sizeof(current), "%s$2b$%02d$", PW_PREFIX, cost);
	return strncmp(stored, current, strlen(current)) != 0;
}

void
pw_spend(const char *password, size_t len, int cost)
{
	/* Any well-formed bcrypt salt will do: only the time matters here. */
	char	 dummy[PW_HASH_MAX];

	snprintf(dummy, sizeof(dummy), "%s$2b$%02d$%s", PW_PREFIX, cost,
	    "C6UzMDM.H6dfI/f/IKxGhu8pOQ6I0nISmUQVwPLzeC4M7bRVhB4S.");
	(void)pw_verify(password, len, dummy);
}
