/* SPDX-License-Identifier: ISC */
/*
 * The MariaDB connection: opened on demand, statements prepared once per
 * connection, errors sorted into the small db_result set, and the one
 * retry that cannot apply a write twice.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "cfg.h"
#include "db_private.h"
#include "log.h"

/* MariaDB's code for a connection ended by KILL or a server shutdown. */
#ifndef ER_CONNECTION_KILLED
#define ER_CONNECTION_KILLED	1927
#endif

struct db *
db_new(const struct cfg *cfg)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = cfg;
	return db;
}

static void
db_disconnect(struct db *db)
{
	size_t	 i;

	for (i = 0; i < DB_STMT__MAX; i++) {
		if (db->stmt[i] != NULL)
			mysql_stmt_close(db->stmt[i]);
		db->stmt[i] = NULL;
	}
	if (db->mysql != NULL)
		mysql_close(db->mysql);
	db->mysql = NULL;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

static int
db_lost(unsigned int code)
{
	return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
	    code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR ||
	    code == ER_CONNECTION_KILLED || code == CR_COMMANDS_OUT_OF_SYNC;
}

/* Check the schema version, so old programs never run on a newer schema. */
static int
db_check_schema(struct db *db)
{
	MYSQL_BIND	 result[1];
	uint64_t	 version = 0;
	my_bool		 is_null = 0;
	int		 rc;

	if ((rc = db_exec(db, DB_STMT_SCHEMA_VERSION, NULL)) != DB_OK)
		return rc;
	memset(result, 0, sizeof(result));
	db_bind_u64(&result[0], &version);
	result[0].is_null = &is_null;
	if ((rc = db_fetch_one(db, DB_STMT_SCHEMA_VERSION, result)) == DB_LOST)
		return rc;
	if (rc != DB_OK || is_null || version != DB_SCHEMA_VERSION) {
		log_warnx("db: schema version %" PRIu64 " found, %d expected: "
		    "apply schema.sql", is_null ? 0 : version, DB_SCHEMA_VERSION);
		return DB_UNAVAILABLE;
	}
	return DB_OK;
}

static enum db_result
db_connect(struct db *db)
{
	const struct cfg	*cfg = db->cfg;
	unsigned int		 timeout = 5;
	my_bool			 off = 0;
	const char		*host;
	int			 rc;

	if (db->mysql != NULL)
		return DB_OK;
	if ((db->mysql = mysql_init(NULL)) == NULL) {
		log_warnx("db: mysql_init: out of memory");
		return DB_ERROR;
	}
	host = cfg->db_host != NULL && *cfg->db_host != '\0' ? cfg->db_host : "localhost";
	mysql_options(db->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->mysql, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(db->mysql, host, cfg->db_user, cfg->db_password,
	    cfg->db_name, cfg->db_port, cfg->db_socket, 0) == NULL) {
		log_warnx("db: connect to %s as %s failed: %s",
		    cfg->db_socket != NULL && *cfg->db_socket != '\0' ? cfg->db_socket : host,
		    cfg->db_user, mysql_error(db->mysql));
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	if ((rc = db_check_schema(db)) != DB_OK) {
		db_disconnect(db);
		return rc == DB_ERROR ? DB_ERROR : DB_UNAVAILABLE;
	}
	db->autocommit = 1;
	db->last_was_transaction = 0;
	return DB_OK;
}

/* Set the session's autocommit mode: one round trip, and only on a change. */
static int
db_set_autocommit(struct db *db, int on)
{
	unsigned int	 code;

	if (db->autocommit == on)
		return DB_OK;
	if (mysql_autocommit(db->mysql, on ? 1 : 0) != 0) {
		code = mysql_errno(db->mysql);
		log_warnx("db: setting autocommit %s failed: %u %s", on ? "on" : "off",
		    code, mysql_error(db->mysql));
		return db_lost(code) ? DB_LOST : DB_ERROR;
	}
	db->autocommit = on;
	return DB_OK;
}

static int
db_classify(enum db_stmt id, const char *step, unsigned int code, const char *msg)
{
	if (code == ER_DUP_ENTRY)
		return DB_CONFLICT;
	/*
	 * The row a foreign key names is gone: its user was deleted. A
	 * stored procedure signals a missing or inactive user itself.
	 */
	if (code == ER_NO_REFERENCED_ROW_2 || code == ER_SIGNAL_EXCEPTION)
		return DB_NOT_FOUND;
	if (db_lost(code)) {
		log_warnx("db: connection lost at %s of statement %d: %s", step, id, msg);
		return DB_LOST;
	}
	log_warnx("db: %s of statement %d failed: %u %s", step, id, code, msg);
	return DB_ERROR;
}

static int
db_stmt_error(struct db *db, enum db_stmt id, const char *step)
{
	MYSQL_STMT	*stmt = db->stmt[id];

	return db_classify(id, step, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
}

static int
db_prepare(struct db *db, enum db_stmt id)
{
	MYSQL_STMT	*stmt;
	const char	*sql = db_statements[id].sql;
	int		 rc;

	if (db->stmt[id] != NULL)
		return DB_OK;
	if ((stmt = mysql_stmt_init(db->mysql)) == NULL)
		return db_classify(id, "init", mysql_errno(db->mysql),
		    mysql_error(db->mysql));
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0) {
		rc = db_classify(id, "prepare", mysql_stmt_errno(stmt),
		    mysql_stmt_error(stmt));
		mysql_stmt_close(stmt);
		return rc;
	}
	if (mysql_stmt_param_count(stmt) != db_statements[id].params) {
		log_warnx("db: statement %d has %lu placeholders, %lu expected", id,
		    mysql_stmt_param_count(stmt), db_statements[id].params);
		mysql_stmt_close(stmt);
		return DB_ERROR;
	}
	db->stmt[id] = stmt;
	return DB_OK;
}

int
db_exec(struct db *db, enum db_stmt id, MYSQL_BIND *params)
{
	MYSQL_STMT	*stmt;
	int		 rc;

	if ((rc = db_prepare(db, id)) != DB_OK)
		return rc;
	stmt = db->stmt[id];
	if (params != NULL && mysql_stmt_bind_param(stmt, params) != 0)
		return db_stmt_error(db, id, "bind");
	if (mysql_stmt_execute(stmt) != 0)
		return db_stmt_error(db, id, "execute");
	return DB_OK;
}

int
db_fetch_one(struct db *db, enum db_stmt id, MYSQL_BIND *result)
{
	MYSQL_STMT	*stmt = db->stmt[id];
	int		 rc, fetched;

	if (mysql_stmt_bind_result(stmt, result) != 0)
		return db_stmt_error(db, id, "bind result");
	if (mysql_stmt_store_result(stmt) != 0)
		return db_stmt_error(db, id, "store result");
	fetched = mysql_stmt_fetch(stmt);
	if (fetched == MYSQL_NO_DATA)
		rc = DB_NOT_FOUND;
	else if (fetched == MYSQL_DATA_TRUNCATED) {
		log_warnx("db: statement %d: a value did not fit its buffer", id);
		rc = DB_ERROR;
	} else if (fetched != 0)
		rc = db_stmt_error(db, id, "fetch");
	else
		rc = DB_OK;
	mysql_stmt_free_result(stmt);
	return rc;
}

unsigned long long
db_affected(struct db *db, enum db_stmt id)
{
	return (unsigned long long)mysql_stmt_affected_rows(db->stmt[id]);
}

/*
 * Connect if needed and run work with autocommit on: a read must not open a
 * transaction and keep it, and a single write then commits itself.
 */
static int
db_run_autocommit(struct db *db, db_work_fn work, void *arg)
{
	int	 rc;

	if ((rc = db_connect(db)) != DB_OK)
		return rc;
	if ((rc = db_set_autocommit(db, 1)) == DB_OK)
		rc = work(db, arg);
	db->last_was_transaction = 0;
	if (rc == DB_LOST)
		db_disconnect(db);
	return rc;
}

enum db_result
db_read(struct db *db, db_work_fn work, void *arg)
{
	int	 rc;

	if ((rc = db_run_autocommit(db, work, arg)) != DB_LOST)
		return (enum db_result)rc;
	if ((rc = db_run_autocommit(db, work, arg)) != DB_LOST)
		return (enum db_result)rc;
	return DB_UNAVAILABLE;
}

static int
db_query(struct db *db, const char *sql)
{
	unsigned int	 code;

	if (mysql_real_query(db->mysql, sql, strlen(sql)) == 0)
		return DB_OK;
	code = mysql_errno(db->mysql);
	log_warnx("db: %s failed: %u %s", sql, code, mysql_error(db->mysql));
	return db_lost(code) ? DB_LOST : DB_ERROR;
}

enum db_result
db_write(struct db *db, db_work_fn work, db_work_fn applied, void *arg)
{
	int	 rc;

	if ((rc = db_run_autocommit(db, work, arg)) != DB_LOST)
		return (enum db_result)rc;
	log_warnx("db: connection lost during a single-statement write: "
	    "sending it again on a new connection");
	rc = db_run_autocommit(db, work, arg);
	if (rc == DB_CONFLICT) {
		rc = applied(db, arg);
		if (rc == DB_OK)
			log_warnx("db: the lost attempt of a write had been applied");
		else if (rc == DB_NOT_FOUND)
			rc = DB_CONFLICT;
		else if (rc == DB_LOST)
			db_disconnect(db);
	}
	if (rc == DB_LOST) {
		log_warnx("db: connection lost again during a single-statement write");
		return DB_UNAVAILABLE;
	}
	return (enum db_result)rc;
}

/*
 * Open a transaction. With autocommit off the first statement opens it;
 * after a transaction, turning autocommit off costs the same round trip as
 * START TRANSACTION and saves it from then on.
 */
static int
db_begin(struct db *db)
{
	if (db->autocommit == 0)
		return DB_OK;
	if (db->last_was_transaction)
		return db_set_autocommit(db, 0);
	return db_query(db, "START TRANSACTION");
}

static void
db_rollback(struct db *db)
{
	if (db->mysql != NULL && db_query(db, "ROLLBACK") == DB_LOST)
		db_disconnect(db);
}

enum db_result
db_transaction(struct db *db, db_work_fn work, void *arg)
{
	int	 attempt, rc;

	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = db_connect(db)) != DB_OK)
			return (enum db_result)rc;
		if ((rc = db_begin(db)) == DB_OK)
			rc = work(db, arg);
		db->last_was_transaction = 1;
		if (rc == DB_LOST) {
			/* Nothing was committed: the server rolled it back. */
			db_disconnect(db);
			continue;
		}
		if (rc != DB_OK) {
			db_rollback(db);
			return (enum db_result)rc;
		}
		if ((rc = db_query(db, "COMMIT")) == DB_OK)
			return DB_OK;
		if (rc == DB_LOST) {
			log_warnx("db: connection lost during COMMIT: outcome unknown");
			db_disconnect(db);
			return DB_UNAVAILABLE;
		}
		db_rollback(db);
		return DB_ERROR;
	}
	return DB_UNAVAILABLE;
}

void
db_bind_u64(MYSQL_BIND *b, const uint64_t *v)
{
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = (void *)(uintptr_t)v;
	b->is_unsigned = 1;
}

void
db_bind_i32(MYSQL_BIND *b, const int *v)
{
	b->buffer_type = MYSQL_TYPE_LONG;
	b->buffer = (void *)(uintptr_t)v;
}

void
db_bind_str(MYSQL_BIND *b, const char *s, unsigned long *len)
{
	*len = strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = *len;
	b->length = len;
}

void
db_bind_out_str(MYSQL_BIND *b, char *buf, size_t size, unsigned long *len,
    my_bool *is_null)
{
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buf;
	/* One byte is kept for the terminator the fetch writes. */
	b->buffer_length = size;
	b->length = len;
	b->is_null = is_null;
}

void
db_bind_time(MYSQL_BIND *b, MYSQL_TIME *t, my_bool *is_null)
{
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
	b->is_null = is_null;
}

void
db_time_from(MYSQL_TIME *t, time_t when)
{
	struct tm	 tm;

	memset(t, 0, sizeof(*t));
	gmtime_r(&when, &tm);
	t->year = (unsigned int)tm.tm_year + 1900;
	t->month = (unsigned int)tm.tm_mon + 1;
	t->day = (unsigned int)tm.tm_mday;
	t->hour = (unsigned int)tm.tm_hour;
	t->minute = (unsigned int)tm.tm_min;
	t->second = (unsigned int)tm.tm_sec;
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

time_t
db_time_to(const MYSQL_TIME *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)t->year - 1900;
	tm.tm_mon = (int)t->month - 1;
	tm.tm_mday = (int)t->day;
	tm.tm_hour = (int)t->hour;
	tm.tm_min = (int)t->minute;
	tm.tm_sec = (int)t->second;
	return timegm(&tm);
}
