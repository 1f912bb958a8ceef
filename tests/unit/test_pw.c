/* SPDX-License-Identifier: ISC */
/* Unit tests of common/pw.c: bcrypt_sha256 hashes, plain bcrypt imports, limits. */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pw.h"
#include "unit.h"

#define COST	4

static void
test_hash_and_verify(void)
{
	char	 hash[PW_HASH_MAX];
	const char *pw = "correct horse battery staple";

	CHECK(pw_hash(pw, strlen(pw), COST, hash, sizeof(hash)) == 0, "hash");
	CHECK(strncmp(hash, "bcrypt_sha256$$2b$04$", 21) == 0, "format: %s", hash);
	CHECK(pw_verify(pw, strlen(pw), hash) == PW_MATCH, "right password");
	CHECK(pw_verify("correct horse battery stapl", 27, hash) == PW_MISMATCH,
	    "wrong password");
}

/* bcrypt alone reads 72 bytes; the SHA-256 pre-hash makes every byte count. */
static void
test_long_passwords_differ(void)
{
	char	 a[101], b[101], hash[PW_HASH_MAX];

	memset(a, 'x', 100);
	a[100] = '\0';
	memcpy(b, a, sizeof(b));
	b[99] = 'y';
	CHECK(pw_hash(a, 100, COST, hash, sizeof(hash)) == 0, "hash");
	CHECK(pw_verify(a, 100, hash) == PW_MATCH, "same 100 bytes");
	CHECK(pw_verify(b, 100, hash) == PW_MISMATCH, "differs at byte 100");
}

static void
test_plain_bcrypt_import(void)
{
	struct crypt_data	*data = calloc(1, sizeof(*data));
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE], stored[PW_HASH_MAX];
	char			*big;
	const char		*result;

	if (data == NULL)
		return;
	crypt_gensalt_rn("$2b$", COST, NULL, 0, setting, sizeof(setting));
	result = crypt_rn("imported-password", setting, data, sizeof(*data));
	CHECK(result != NULL, "crypt_rn returned NULL");
	if (result == NULL) {
		free(data);
		return;
	}
	CHECK(result[0] == '$', "crypt_rn failed: %s", result);
	snprintf(stored, sizeof(stored), "%s", result);
	free(data);
	CHECK(pw_verify("imported-password", 17, stored) == PW_MATCH, "plain $2b$ verifies");
	CHECK(pw_verify("imported-passwore", 17, stored) == PW_MISMATCH, "wrong one does not");
	stored[2] = 'y';
	CHECK(pw_verify("imported-password", 17, stored) == PW_MATCH, "$2y$ verifies");
	CHECK(pw_verify("imported\0password", 17, stored) == PW_MISMATCH, "NUL byte");
	/* libxcrypt takes at most 512 bytes: a longer password is only wrong. */
	if ((big = malloc(4097)) != NULL) {
		memset(big, 'a', 4096);
		CHECK(pw_verify(big, 4096, stored) == PW_MISMATCH, "4096-byte password");
		free(big);
	}
}

static void
test_unknown_formats(void)
{
	CHECK(pw_verify("x", 1, "") == PW_MISMATCH, "empty hash");
	CHECK(pw_verify("x", 1, "!") == PW_MISMATCH, "unusable password marker");
	CHECK(pw_verify("x", 1, "pbkdf2_sha256$260000$salt$hash") == PW_MISMATCH,
	    "PBKDF2 hash of another password");
	CHECK(pw_verify("x", 1, "pbkdf2_sha256$$salt$hash") == PW_MISMATCH,
	    "PBKDF2 hash without iterations");
	CHECK(pw_verify("x", 1, "pbkdf2_sha256$99999999999$salt$hash") == PW_MISMATCH,
	    "PBKDF2 hash with an absurd iteration count");
	CHECK(pw_verify("x", 1, "bcrypt_sha256$$2b$04$short") == PW_MISMATCH,
	    "truncated bcrypt");
}

/* Made by Django 3.2.25's make_password() with its default hasher. */
static void
test_django_pbkdf2_import(void)
{
	const char	*stored = "pbkdf2_sha256$260000$ZlkEpSxlPNFwvakpll0QFD$"
	    "i6sT8EPFJNGx/Ca51pTaGMXUOCIBGekP7E1Z1t9rfCY=";

	CHECK(pw_verify("correct horse battery staple", 28, stored) == PW_MATCH,
	    "Django's PBKDF2 hash verifies");
	CHECK(pw_verify("correct horse battery stapler", 29, stored) == PW_MISMATCH,
	    "a wrong password does not");
}

/* The dummy verification must cost a real bcrypt, not fail fast. */
static void
test_spend_takes_time(void)
{
	struct timespec	 start, end;
	double		 ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pw_spend("whatever", 8, 10);
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (double)(end.tv_sec - start.tv_sec) * 1e3 +
	    (double)(end.tv_nsec - start.tv_nsec) / 1e6;
	CHECK(ms > 10.0, "cost 10 took %.2f ms", ms);
}

int
main(void)
{
	RUN(test_hash_and_verify);
	RUN(test_long_passwords_differ);
	RUN(test_plain_bcrypt_import);
	RUN(test_unknown_formats);
	RUN(test_django_pbkdf2_import);
	RUN(test_spend_takes_time);
	return unit_report("pw");
}
