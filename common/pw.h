/* SPDX-License-Identifier: ISC */
/*
 * Password hashing with bcrypt (libxcrypt). New hashes use Django's
 * bcrypt_sha256 format, "bcrypt_sha256$" followed by bcrypt over the hex
 * SHA-256 digest of the password, so nothing past bcrypt's 72-byte limit
 * is lost. Hashes from an import verify too: plain "$2a$", "$2b$" and "$2y$"
 * bcrypt, and Django's "pbkdf2_sha256$" (the default of the service this
 * suite replaces).
 */
#ifndef SHOPEASE_PW_H
#define SHOPEASE_PW_H

#include <stddef.h>

#define PW_HASH_MAX	128	/* bytes, terminator included */
#define PW_PREFIX	"bcrypt_sha256$"
#define PW_PBKDF2_PREFIX "pbkdf2_sha256$"

enum pw_result {
	PW_MATCH,
	PW_MISMATCH,
	PW_ERROR		/* out of memory, or crypt failed while hashing */
};

/* Hash password at the given bcrypt cost into out. Returns 0 or -1 (logged). */
int		pw_hash(const char *password, size_t len, int cost, char *out,
		    size_t outsz);

/* Compare password with a stored hash in constant time. */
enum pw_result	pw_verify(const char *password, size_t len, const char *stored);

/*
 * Return 1 when stored is not bcrypt_sha256 at cost: an imported format, or
 * a cost the configuration has since changed.
 */
int		pw_needs_rehash(const char *stored, int cost);

/*
 * Spend the time of one verification at cost, for a login whose email is
 * unknown, so its answer takes as long as a wrong password's.
 */
void		pw_spend(const char *password, size_t len, int cost);

#endif
