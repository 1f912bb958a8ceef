/* SPDX-License-Identifier: ISC */
/*
 * Shared by db.c (the statements and queries) and db_conn.c (connection,
 * statement cache, execution and transactions). Nothing else includes it.
 */
#ifndef SHOPEASE_DB_PRIVATE_H
#define SHOPEASE_DB_PRIVATE_H

#include <mysql.h>

#include "db.h"

enum db_stmt {
	DB_STMT_SCHEMA_VERSION,
	DB_STMT_USER_BY_EMAIL,
	DB_STMT_USER_BY_ID,
	DB_STMT_USER_INSERT,
	DB_STMT_LAST_LOGIN_UPDATE,
	DB_STMT_OUTSTANDING_INSERT,
	DB_STMT_BLACKLIST_INSERT,
	DB_STMT_ROTATE,
	DB_STMT_OUTSTANDING_GET,
	DB_STMT_BLACKLIST_GET,
	DB_STMT_REVOKE_USER,
	DB_STMT_FLUSH_OUTSTANDING,
	DB_STMT_FLUSH_BLACKLISTED,
	DB_STMT_USER_CREATE,
	DB_STMT_PASSWORD_UPDATE,
	DB_STMT_ACTIVE_UPDATE,
	DB_STMT__MAX
};

struct db_statement {
	const char	*sql;
	unsigned long	 params;	/* placeholders, checked after prepare */
};

/* Every statement, indexed by enum db_stmt (in db.c). */
extern const struct db_statement db_statements[DB_STMT__MAX];

/* The result of a step inside the retry layer besides a db_result: a lost connection. */
#define DB_LOST	(-1)

struct db {
	const struct cfg	*cfg;
	MYSQL			*mysql;		/* NULL: not connected */
	MYSQL_STMT		*stmt[DB_STMT__MAX];
	int			 autocommit;	/* the session's autocommit mode */
	int			 last_was_transaction;	/* the last unit of work */
};

/* A unit of work run by db_read() or db_transaction(). */
typedef int (*db_work_fn)(struct db *db, void *arg);

/*
 * Execute a statement with its parameters bound. Returns DB_OK,
 * DB_CONFLICT on a duplicate key, DB_LOST, or DB_ERROR (logged).
 */
int	db_exec(struct db *db, enum db_stmt id, MYSQL_BIND *params);

/*
 * Fetch the one row of the statement just executed into result. Returns
 * DB_OK, DB_NOT_FOUND, DB_LOST or DB_ERROR; truncation is an error.
 */
int	db_fetch_one(struct db *db, enum db_stmt id, MYSQL_BIND *result);

/* Rows changed by the statement just executed. */
unsigned long long db_affected(struct db *db, enum db_stmt id);

/* Run read-only work, again once on a new connection when the old one was lost. */
enum db_result	db_read(struct db *db, db_work_fn work, void *arg);

/*
 * Run work of exactly one statement with autocommit on, so the statement
 * commits itself with no START TRANSACTION or COMMIT round trip. A
 * connection lost during it leaves the outcome unknown, so the statement is
 * sent once more on a new connection. If that one is DB_CONFLICT, the
 * conflicting row may be the first attempt's own: applied() reads it and
 * returns DB_OK if it is, DB_NOT_FOUND if not.
 */
enum db_result	db_write(struct db *db, db_work_fn work, db_work_fn applied,
		    void *arg);

/*
 * Run work in one transaction and commit it. A program that runs only
 * transactions turns the session's autocommit off, so its first statement
 * opens the transaction with no START TRANSACTION round trip; a program
 * that mixes reads and transactions keeps autocommit on and sends START
 * TRANSACTION, which costs no more. When the connection is lost
 * before COMMIT is sent, the whole transaction runs once more on a new
 * connection; when it is lost during COMMIT, the outcome is unknown and the
 * result is DB_UNAVAILABLE.
 */
enum db_result	db_transaction(struct db *db, db_work_fn work, void *arg);

void	db_bind_u64(MYSQL_BIND *b, const uint64_t *v);
void	db_bind_i32(MYSQL_BIND *b, const int *v);
void	db_bind_str(MYSQL_BIND *b, const char *s, unsigned long *len);
void	db_bind_out_str(MYSQL_BIND *b, char *buf, size_t size, unsigned long *len,
	    my_bool *is_null);
void	db_bind_time(MYSQL_BIND *b, MYSQL_TIME *t, my_bool *is_null);
void	db_time_from(MYSQL_TIME *t, time_t when);
time_t	db_time_to(const MYSQL_TIME *t);

#endif
