/* SPDX-License-Identifier: ISC */
/*
 * Every SQL statement of the suite, and one function per query. Times are
 * bound as DATETIME values in UTC, never through FROM_UNIXTIME(), which
 * MariaDB before 11.5 cannot take past 2038.
 */
#include <inttypes.h>
#include <string.h>

#include "db_private.h"
#include "log.h"
#include "tok.h"

const struct db_statement db_statements[DB_STMT__MAX] = {
	[DB_STMT_SCHEMA_VERSION] = {
	    "SELECT MAX(version) FROM schema_version", 0 },
	[DB_STMT_USER_BY_EMAIL] = {
	    "SELECT id, email, password, is_active, is_staff, is_superuser, "
	    "date_joined, last_login FROM users WHERE email = ?", 1 },
	[DB_STMT_USER_BY_ID] = {
	    "SELECT id, email, password, is_active, is_staff, is_superuser, "
	    "date_joined, last_login FROM users WHERE id = ?", 1 },
	[DB_STMT_USER_INSERT] = {
	    "INSERT INTO users (email, password, is_active, is_staff, "
	    "is_superuser, date_joined) VALUES (?, ?, TRUE, FALSE, FALSE, ?)", 3 },
	[DB_STMT_LAST_LOGIN_UPDATE] = {
	    "UPDATE users SET last_login = ? WHERE id = ?", 2 },
	[DB_STMT_OUTSTANDING_INSERT] = {
	    "INSERT INTO outstanding_tokens (jti, user_id, created_at, "
	    "expires_at) VALUES (?, ?, ?, ?)", 4 },
	/* A logout checks its user in the statement that blacklists its token. */
	[DB_STMT_BLACKLIST_INSERT] = {
	    "INSERT INTO blacklisted_tokens (jti, user_id, reason, "
	    "blacklisted_at, expires_at) SELECT ?, id, ?, ?, ? FROM users "
	    "WHERE id = ? AND is_active", 5 },
	/*
	 * Rotates a refresh token in one round trip: the procedure in
	 * schema.sql checks the user, inserts both rows and commits.
	 */
	[DB_STMT_ROTATE] = {
	    "CALL rotate_refresh_token(?, ?, ?, ?, ?, ?)", 6 },
	[DB_STMT_OUTSTANDING_GET] = {
	    "SELECT user_id FROM outstanding_tokens WHERE jti = ?", 1 },
	[DB_STMT_BLACKLIST_GET] = {
	    "SELECT reason, blacklisted_at, user_id FROM blacklisted_tokens "
	    "WHERE jti = ?", 1 },
	/* IGNORE skips the tokens that are blacklisted already. */
	[DB_STMT_REVOKE_USER] = {
	    "INSERT IGNORE INTO blacklisted_tokens (jti, user_id, reason, "
	    "blacklisted_at, expires_at) SELECT jti, user_id, 'revoked', ?, "
	    "expires_at FROM outstanding_tokens WHERE user_id = ? AND "
	    "expires_at > ?", 3 },
	[DB_STMT_FLUSH_OUTSTANDING] = {
	    "DELETE FROM outstanding_tokens WHERE expires_at < ? LIMIT ?", 2 },
	[DB_STMT_FLUSH_BLACKLISTED] = {
	    "DELETE FROM blacklisted_tokens WHERE expires_at < ? LIMIT ?", 2 },
	[DB_STMT_USER_CREATE] = {
	    "INSERT INTO users (email, password, is_active, is_staff, "
	    "is_superuser, date_joined) VALUES (?, ?, TRUE, ?, ?, ?)", 5 },
	[DB_STMT_PASSWORD_UPDATE] = {
	    "UPDATE users SET password = ? WHERE id = ?", 2 },
	[DB_STMT_ACTIVE_UPDATE] = {
	    "UPDATE users SET is_active = ? WHERE id = ?", 2 },
};

static const char *const db_reason_names[] = {
	[DB_REASON_ROTATED] = "rotated",
	[DB_REASON_LOGOUT] = "logout",
	[DB_REASON_REVOKED] = "revoked",
};

const char *
db_reason_name(enum db_blacklist_reason reason)
{
	return db_reason_names[reason];
}

/* The user lookups share their result columns. */
struct user_query {
	enum db_stmt	 stmt;
	const char	*email;
	uint64_t	 id;
	struct db_user	*user;
};

static int
user_fetch(struct db *db, void *arg)
{
	struct user_query	*q = arg;
	struct db_user		*u = q->user;
	MYSQL_BIND		 param[1], result[8];
	MYSQL_TIME		 joined, last;
	unsigned long		 email_len, param_len, hash_len;
	my_bool			 email_null = 0, hash_null = 0, joined_null = 0,
				 last_null = 0;
	int			 rc;

	memset(param, 0, sizeof(param));
	if (q->stmt == DB_STMT_USER_BY_EMAIL)
		db_bind_str(&param[0], q->email, &param_len);
	else
		db_bind_u64(&param[0], &q->id);
	if ((rc = db_exec(db, q->stmt, param)) != DB_OK)
		return rc;

	memset(u, 0, sizeof(*u));
	memset(result, 0, sizeof(result));
	db_bind_u64(&result[0], &u->id);
	db_bind_out_str(&result[1], u->email, sizeof(u->email), &email_len, &email_null);
	db_bind_out_str(&result[2], u->password, sizeof(u->password), &hash_len, &hash_null);
	db_bind_i32(&result[3], &u->is_active);
	db_bind_i32(&result[4], &u->is_staff);
	db_bind_i32(&result[5], &u->is_superuser);
	db_bind_time(&result[6], &joined, &joined_null);
	db_bind_time(&result[7], &last, &last_null);
	if ((rc = db_fetch_one(db, q->stmt, result)) != DB_OK)
		return rc;
	u->date_joined = db_time_to(&joined);
	u->last_login = last_null ? 0 : db_time_to(&last);
	return DB_OK;
}

enum db_result
db_user_by_email(struct db *db, const char *email, struct db_user *user)
{
	struct user_query	 q = { DB_STMT_USER_BY_EMAIL, email, 0, user };

	return db_read(db, user_fetch, &q);
}

enum db_result
db_user_by_id(struct db *db, uint64_t id, struct db_user *user)
{
	struct user_query	 q = { DB_STMT_USER_BY_ID, NULL, id, user };

	return db_read(db, user_fetch, &q);
}

static int
outstanding_insert(struct db *db, const struct tok_claims *token, time_t now)
{
	MYSQL_BIND	 param[4];
	MYSQL_TIME	 created, expires;
	unsigned long	 jti_len;

	memset(param, 0, sizeof(param));
	db_time_from(&created, now);
	db_time_from(&expires, (time_t)token->exp);
	db_bind_str(&param[0], token->jti, &jti_len);
	db_bind_u64(&param[1], &token->user_id);
	db_bind_time(&param[2], &created, NULL);
	db_bind_time(&param[3], &expires, NULL);
	return db_exec(db, DB_STMT_OUTSTANDING_INSERT, param);
}

/* Returns DB_NOT_FOUND, and inserts nothing, when the user is missing or inactive. */
static int
blacklist_insert(struct db *db, const struct tok_claims *token,
    enum db_blacklist_reason reason, time_t now)
{
	MYSQL_BIND	 param[5];
	MYSQL_TIME	 at, expires;
	unsigned long	 jti_len, reason_len;
	int		 rc;

	memset(param, 0, sizeof(param));
	db_time_from(&at, now);
	db_time_from(&expires, (time_t)token->exp);
	db_bind_str(&param[0], token->jti, &jti_len);
	db_bind_str(&param[1], db_reason_name(reason), &reason_len);
	db_bind_time(&param[2], &at, NULL);
	db_bind_time(&param[3], &expires, NULL);
	db_bind_u64(&param[4], &token->user_id);
	if ((rc = db_exec(db, DB_STMT_BLACKLIST_INSERT, param)) != DB_OK)
		return rc;
	if (db_affected(db, DB_STMT_BLACKLIST_INSERT) == 0)
		return DB_NOT_FOUND;
	return DB_OK;
}

struct register_work {
	const char		*email;
	const char		*hash;
	time_t			 now;
	const struct tok_claims	*refresh;
	uint64_t		 user_id;
};

static int
register_run(struct db *db, void *arg)
{
	struct register_work	*w = arg;
	struct tok_claims	 refresh = *w->refresh;
	MYSQL_BIND		 param[3];
	MYSQL_TIME		 joined;
	unsigned long		 email_len, hash_len;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_time_from(&joined, w->now);
	db_bind_str(&param[0], w->email, &email_len);
	db_bind_str(&param[1], w->hash, &hash_len);
	db_bind_time(&param[2], &joined, NULL);
	if ((rc = db_exec(db, DB_STMT_USER_INSERT, param)) != DB_OK)
		return rc;
	w->user_id = (uint64_t)mysql_stmt_insert_id(db->stmt[DB_STMT_USER_INSERT]);
	refresh.user_id = w->user_id;
	return outstanding_insert(db, &refresh, w->now);
}

enum db_result
db_register(struct db *db, const char *email, const char *hash, time_t now,
    const struct tok_claims *refresh, uint64_t *user_id)
{
	struct register_work	 w = { email, hash, now, refresh, 0 };
	enum db_result		 rc;

	rc = db_transaction(db, register_run, &w);
	*user_id = w.user_id;
	return rc;
}

struct login_work {
	uint64_t		 user_id;
	time_t			 now;
	const struct tok_claims	*refresh;
};

static int
login_run(struct db *db, void *arg)
{
	struct login_work	*w = arg;
	MYSQL_BIND		 param[2];
	MYSQL_TIME		 now;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_time_from(&now, w->now);
	db_bind_time(&param[0], &now, NULL);
	db_bind_u64(&param[1], &w->user_id);
	if ((rc = db_exec(db, DB_STMT_LAST_LOGIN_UPDATE, param)) != DB_OK)
		return rc;
	return outstanding_insert(db, w->refresh, w->now);
}

enum db_result
db_login(struct db *db, uint64_t user_id, time_t now, const struct tok_claims *refresh)
{
	struct login_work	 w = { user_id, now, refresh };

	return db_transaction(db, login_run, &w);
}

struct blacklist_query {
	const char			*jti;
	struct db_blacklist_entry	*entry;
};

struct rotate_work {
	const struct tok_claims	*presented;
	const struct tok_claims	*next;
	time_t			 now;
};

/*
 * The unique jti decides which of concurrent rotations of one token wins.
 * The winner inserts its blacklist row, and the others wait for its commit
 * and then get a duplicate key.
 */
static int
rotate_run(struct db *db, void *arg)
{
	struct rotate_work	*w = arg;
	MYSQL_BIND		 param[6];
	MYSQL_TIME		 presented_expires, at, next_expires;
	unsigned long		 presented_len, next_len;

	memset(param, 0, sizeof(param));
	db_time_from(&presented_expires, (time_t)w->presented->exp);
	db_time_from(&at, w->now);
	db_time_from(&next_expires, (time_t)w->next->exp);
	db_bind_str(&param[0], w->presented->jti, &presented_len);
	db_bind_u64(&param[1], &w->presented->user_id);
	db_bind_time(&param[2], &presented_expires, NULL);
	db_bind_time(&param[3], &at, NULL);
	db_bind_str(&param[4], w->next->jti, &next_len);
	db_bind_time(&param[5], &next_expires, NULL);
	return db_exec(db, DB_STMT_ROTATE, param);
}

/* Report a lost rotation as applied when the token it issued is outstanding. */
static int
rotate_applied(struct db *db, void *arg)
{
	struct rotate_work	*w = arg;
	MYSQL_BIND		 param[1], result[1];
	uint64_t		 user_id = 0;
	unsigned long		 jti_len;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_bind_str(&param[0], w->next->jti, &jti_len);
	if ((rc = db_exec(db, DB_STMT_OUTSTANDING_GET, param)) != DB_OK)
		return rc;
	memset(result, 0, sizeof(result));
	db_bind_u64(&result[0], &user_id);
	if ((rc = db_fetch_one(db, DB_STMT_OUTSTANDING_GET, result)) != DB_OK)
		return rc;
	return user_id == w->presented->user_id ? DB_OK : DB_NOT_FOUND;
}

enum db_result
db_rotate(struct db *db, const struct tok_claims *presented,
    const struct tok_claims *next, time_t now)
{
	struct rotate_work	 w = { presented, next, now };

	return db_write(db, rotate_run, rotate_applied, &w);
}

struct blacklist_work {
	const struct tok_claims	*token;
	enum db_blacklist_reason reason;
	time_t			 now;
};

static int
blacklist_run(struct db *db, void *arg)
{
	struct blacklist_work	*w = arg;

	return blacklist_insert(db, w->token, w->reason, w->now);
}

static int	blacklist_fetch(struct db *db, void *arg);

/*
 * Report a lost blacklisting as applied when the row has its reason, user
 * and time. Another request's blacklisting of the same token in the same
 * second for the same reason also matches, and leaves the same state.
 */
static int
blacklist_applied(struct db *db, void *arg)
{
	struct blacklist_work		*w = arg;
	struct db_blacklist_entry	 entry;
	struct blacklist_query		 q = { w->token->jti, &entry };
	int				 rc;

	memset(&entry, 0, sizeof(entry));
	if ((rc = blacklist_fetch(db, &q)) != DB_OK)
		return rc;
	if (entry.reason != w->reason || entry.user_id != w->token->user_id ||
	    entry.blacklisted_at != w->now)
		return DB_NOT_FOUND;
	return DB_OK;
}

enum db_result
db_blacklist(struct db *db, const struct tok_claims *token,
    enum db_blacklist_reason reason, time_t now)
{
	struct blacklist_work	 w = { token, reason, now };

	return db_write(db, blacklist_run, blacklist_applied, &w);
}

static int
blacklist_fetch(struct db *db, void *arg)
{
	struct blacklist_query	*q = arg;
	MYSQL_BIND		 param[1], result[3];
	MYSQL_TIME		 at;
	char			 reason[16];
	unsigned long		 jti_len, reason_len;
	my_bool			 reason_null = 0, at_null = 0;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_bind_str(&param[0], q->jti, &jti_len);
	if ((rc = db_exec(db, DB_STMT_BLACKLIST_GET, param)) != DB_OK)
		return rc;
	memset(result, 0, sizeof(result));
	db_bind_out_str(&result[0], reason, sizeof(reason), &reason_len, &reason_null);
	db_bind_time(&result[1], &at, &at_null);
	db_bind_u64(&result[2], &q->entry->user_id);
	if ((rc = db_fetch_one(db, DB_STMT_BLACKLIST_GET, result)) != DB_OK)
		return rc;
	q->entry->blacklisted_at = db_time_to(&at);
	if (strcmp(reason, "rotated") == 0)
		q->entry->reason = DB_REASON_ROTATED;
	else if (strcmp(reason, "logout") == 0)
		q->entry->reason = DB_REASON_LOGOUT;
	else
		q->entry->reason = DB_REASON_REVOKED;
	return DB_OK;
}

enum db_result
db_blacklist_get(struct db *db, const char *jti, struct db_blacklist_entry *entry)
{
	struct blacklist_query	 q = { jti, entry };

	memset(entry, 0, sizeof(*entry));
	return db_read(db, blacklist_fetch, &q);
}

struct revoke_work {
	uint64_t		 user_id;
	time_t			 now;
	unsigned long long	 count;
};

static int
revoke_run(struct db *db, void *arg)
{
	struct revoke_work	*w = arg;
	MYSQL_BIND		 param[3];
	MYSQL_TIME		 now;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_time_from(&now, w->now);
	db_bind_time(&param[0], &now, NULL);
	db_bind_u64(&param[1], &w->user_id);
	db_bind_time(&param[2], &now, NULL);
	if ((rc = db_exec(db, DB_STMT_REVOKE_USER, param)) != DB_OK)
		return rc;
	w->count = db_affected(db, DB_STMT_REVOKE_USER);
	return DB_OK;
}

enum db_result
db_revoke_user_tokens(struct db *db, uint64_t user_id, time_t now,
    unsigned long long *count)
{
	struct revoke_work	 w = { user_id, now, 0 };
	enum db_result		 rc;

	rc = db_transaction(db, revoke_run, &w);
	*count = w.count;
	return rc;
}

struct flush_work {
	enum db_stmt		 stmt;
	time_t			 now;
	uint64_t		 batch;
	unsigned long long	 deleted;
};

static int
flush_run(struct db *db, void *arg)
{
	struct flush_work	*w = arg;
	MYSQL_BIND		 param[2];
	MYSQL_TIME		 now;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_time_from(&now, w->now);
	db_bind_time(&param[0], &now, NULL);
	db_bind_u64(&param[1], &w->batch);
	if ((rc = db_exec(db, w->stmt, param)) != DB_OK)
		return rc;
	w->deleted = db_affected(db, w->stmt);
	return DB_OK;
}

/* Delete in batches until a batch comes back short. */
static enum db_result
flush_table(struct db *db, enum db_stmt stmt, time_t now, unsigned int batch,
    unsigned long long *total)
{
	struct flush_work	 w = { stmt, now, batch, 0 };
	enum db_result		 rc;

	*total = 0;
	do {
		w.deleted = 0;
		if ((rc = db_transaction(db, flush_run, &w)) != DB_OK)
			return rc;
		*total += w.deleted;
	} while (w.deleted == batch);
	return DB_OK;
}

enum db_result
db_flush_expired(struct db *db, time_t now, unsigned int batch,
    unsigned long long *outstanding, unsigned long long *blacklisted)
{
	enum db_result	 rc;

	*outstanding = *blacklisted = 0;
	if (batch == 0)
		batch = 1;
	if ((rc = flush_table(db, DB_STMT_FLUSH_BLACKLISTED, now, batch,
	    blacklisted)) != DB_OK)
		return rc;
	return flush_table(db, DB_STMT_FLUSH_OUTSTANDING, now, batch, outstanding);
}

static int
schema_version_fetch(struct db *db, void *arg)
{
	unsigned int	*version = arg;
	MYSQL_BIND	 result[1];
	uint64_t	 value = 0;
	my_bool		 is_null = 0;
	int		 rc;

	if ((rc = db_exec(db, DB_STMT_SCHEMA_VERSION, NULL)) != DB_OK)
		return rc;
	memset(result, 0, sizeof(result));
	db_bind_u64(&result[0], &value);
	result[0].is_null = &is_null;
	if ((rc = db_fetch_one(db, DB_STMT_SCHEMA_VERSION, result)) != DB_OK)
		return rc;
	*version = is_null ? 0 : (unsigned int)value;
	return DB_OK;
}

enum db_result
db_schema_version(struct db *db, unsigned int *version)
{
	*version = 0;
	return db_read(db, schema_version_fetch, version);
}

struct create_work {
	const char	*email;
	const char	*hash;
	int		 is_staff;
	int		 is_superuser;
	time_t		 now;
	uint64_t	 user_id;
};

static int
create_run(struct db *db, void *arg)
{
	struct create_work	*w = arg;
	MYSQL_BIND		 param[5];
	MYSQL_TIME		 joined;
	unsigned long		 email_len, hash_len;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_time_from(&joined, w->now);
	db_bind_str(&param[0], w->email, &email_len);
	db_bind_str(&param[1], w->hash, &hash_len);
	db_bind_i32(&param[2], &w->is_staff);
	db_bind_i32(&param[3], &w->is_superuser);
	db_bind_time(&param[4], &joined, NULL);
	if ((rc = db_exec(db, DB_STMT_USER_CREATE, param)) != DB_OK)
		return rc;
	w->user_id = (uint64_t)mysql_stmt_insert_id(db->stmt[DB_STMT_USER_CREATE]);
	return DB_OK;
}

enum db_result
db_user_create(struct db *db, const char *email, const char *hash,
    int is_staff, int is_superuser, time_t now, uint64_t *user_id)
{
	struct create_work	 w = { email, hash, is_staff != 0, is_superuser != 0,
				    now, 0 };
	enum db_result		 rc;

	rc = db_transaction(db, create_run, &w);
	*user_id = w.user_id;
	return rc;
}

struct password_work {
	uint64_t	 user_id;
	const char	*hash;
	int		 found;
};

static int
password_run(struct db *db, void *arg)
{
	struct password_work	*w = arg;
	MYSQL_BIND		 param[2];
	unsigned long		 hash_len;
	int			 rc;

	memset(param, 0, sizeof(param));
	db_bind_str(&param[0], w->hash, &hash_len);
	db_bind_u64(&param[1], &w->user_id);
	if ((rc = db_exec(db, DB_STMT_PASSWORD_UPDATE, param)) != DB_OK)
		return rc;
	/* A new hash has a new salt, so the row changes whenever it exists. */
	w->found = db_affected(db, DB_STMT_PASSWORD_UPDATE) > 0;
	return DB_OK;
}

enum db_result
db_user_set_password(struct db *db, uint64_t user_id, const char *hash)
{
	struct password_work	 w = { user_id, hash, 0 };
	enum db_result		 rc;

	if ((rc = db_transaction(db, password_run, &w)) != DB_OK)
		return rc;
	return w.found ? DB_OK : DB_NOT_FOUND;
}

struct active_work {
	uint64_t	 user_id;
	int		 is_active;
};

static int
active_run(struct db *db, void *arg)
{
	struct active_work	*w = arg;
	MYSQL_BIND		 param[2];

	memset(param, 0, sizeof(param));
	db_bind_i32(&param[0], &w->is_active);
	db_bind_u64(&param[1], &w->user_id);
	return db_exec(db, DB_STMT_ACTIVE_UPDATE, param);
}

enum db_result
db_user_set_active(struct db *db, uint64_t user_id, int is_active)
{
	struct active_work	 w = { user_id, is_active != 0 };

	return db_transaction(db, active_run, &w);
}
