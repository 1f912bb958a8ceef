/* SPDX-License-Identifier: ISC */
/*
 * The database: users, outstanding refresh tokens and the blacklist, in
 * MariaDB through prepared statements only. One connection per process,
 * opened at the first request that needs it and reopened after it is lost.
 */
#ifndef SHOPEASE_DB_H
#define SHOPEASE_DB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "email.h"

struct cfg;
struct tok_claims;
struct db;

/* The schema_version row schema.sql writes; another version is a 503. */
#define DB_SCHEMA_VERSION	2
#define DB_HASH_MAX		256	/* users.password is VARCHAR(255) */

enum db_result {
	DB_OK,
	DB_NOT_FOUND,
	DB_CONFLICT,		/* a unique key was already taken */
	DB_UNAVAILABLE,		/* unreachable, or a commit's outcome is unknown: 503 */
	DB_ERROR		/* anything else, logged: 500 */
};

enum db_blacklist_reason {
	DB_REASON_ROTATED,
	DB_REASON_LOGOUT,
	DB_REASON_REVOKED
};

struct db_user {
	uint64_t	 id;
	char		 email[EMAIL_MAX_BYTES + 1];
	char		 password[DB_HASH_MAX];
	int		 is_active;
	int		 is_staff;
	int		 is_superuser;
	time_t		 date_joined;
	time_t		 last_login;	/* 0: never */
};

struct db_blacklist_entry {
	enum db_blacklist_reason reason;
	time_t		 blacklisted_at;
	uint64_t	 user_id;
};

struct db	*db_new(const struct cfg *cfg);
void		 db_free(struct db *db);

/* Lookups; the email comparison is the column's: case-insensitive. */
enum db_result	 db_user_by_email(struct db *db, const char *email, struct db_user *user);
enum db_result	 db_user_by_id(struct db *db, uint64_t id, struct db_user *user);

/* Insert an active user and its first outstanding refresh token, in one transaction. */
enum db_result	 db_register(struct db *db, const char *email, const char *hash,
		    time_t now, const struct tok_claims *refresh, uint64_t *user_id);

/* Set last_login and record the refresh token as outstanding, in one transaction. */
enum db_result	 db_login(struct db *db, uint64_t user_id, time_t now,
		    const struct tok_claims *refresh);

/*
 * Blacklist the presented refresh token and record next as outstanding, in
 * one transaction and one round trip, if the token's user exists and is
 * active. DB_CONFLICT: it was already blacklisted. DB_NOT_FOUND: the user
 * is missing or inactive. Nothing changes in either case. After a lost
 * connection it is sent once more, and next being outstanding shows that
 * the first attempt was applied.
 */
enum db_result	 db_rotate(struct db *db, const struct tok_claims *presented,
		    const struct tok_claims *next, time_t now);

/*
 * Blacklist one refresh token in one statement, if its user exists and is
 * active. DB_CONFLICT: it already was. DB_NOT_FOUND: the user is missing
 * or inactive, and nothing changes. After a lost connection it is sent
 * once more, and a row with this reason, user and time shows that the
 * first attempt was applied.
 */
enum db_result	 db_blacklist(struct db *db, const struct tok_claims *token,
		    enum db_blacklist_reason reason, time_t now);

enum db_result	 db_blacklist_get(struct db *db, const char *jti,
		    struct db_blacklist_entry *entry);

/* Blacklist every unexpired outstanding refresh token of a user. */
enum db_result	 db_revoke_user_tokens(struct db *db, uint64_t user_id, time_t now,
		    unsigned long long *count);

/*
 * Delete outstanding and blacklisted rows whose tokens expired before now,
 * batch rows per statement, each batch its own short transaction.
 */
enum db_result	 db_flush_expired(struct db *db, time_t now, unsigned int batch,
		    unsigned long long *outstanding, unsigned long long *blacklisted);

/* Read the schema version; connecting has already checked it is DB_SCHEMA_VERSION. */
enum db_result	 db_schema_version(struct db *db, unsigned int *version);

/* Insert an active user with no token. DB_CONFLICT: the email is taken. */
enum db_result	 db_user_create(struct db *db, const char *email, const char *hash,
		    int is_staff, int is_superuser, time_t now, uint64_t *user_id);

/* Replace a user's password hash. DB_NOT_FOUND: no user has that id. */
enum db_result	 db_user_set_password(struct db *db, uint64_t user_id, const char *hash);

/* Set a user's is_active; an id that matches no user changes nothing. */
enum db_result	 db_user_set_active(struct db *db, uint64_t user_id, int is_active);

const char	*db_reason_name(enum db_blacklist_reason reason);

#endif
