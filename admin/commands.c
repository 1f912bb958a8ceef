/* SPDX-License-Identifier: ISC */
/*
 * The subcommands of shopease-admin. Each prints its result on stdout,
 * logs one line per change, and returns an admin_exit status. Errors are
 * logged with log_warnx(), which the program sends to stderr too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "account.h"
#include "admin.h"
#include "clock.h"
#include "email.h"
#include "field.h"
#include "log.h"
#include "pw.h"
#include "text.h"

/* Rows deleted per transaction by flush-expired-tokens. */
#define FLUSH_BATCH	1000

/* Return the exit status for a failed database call, after logging it. */
static int
cmd_db_failed(const struct admin *admin, enum db_result rc)
{
	if (rc == DB_UNAVAILABLE) {
		log_warnx("%s: the database is unavailable; the lines above say why",
		    admin->command);
		return ADMIN_UNAVAILABLE;
	}
	log_warnx("%s: database error; see the log lines above", admin->command);
	return ADMIN_FAILED;
}

/* Log every message of a json array of field messages, naming the field. */
static void
cmd_log_messages(const struct admin *admin, const char *name,
    struct json_object *messages)
{
	size_t	 i;

	for (i = 0; i < json_object_array_length(messages); i++)
		log_warnx("%s: %s: %s", admin->command, name,
		    json_object_get_string(json_object_array_get_idx(messages, i)));
}

/*
 * Check an email with register's rules and store it normalized in out.
 * Returns ADMIN_OK or ADMIN_FAILED (logged).
 */
static int
cmd_new_email(const struct admin *admin, const char *arg, char *out, size_t outsz)
{
	struct json_object	*messages;
	struct field		 email;
	char			 label[128], shown[96];
	int			 valid = 0;

	if ((messages = json_object_new_array()) == NULL) {
		log_warnx("%s: out of memory", admin->command);
		return ADMIN_FAILED;
	}
	if (!text_utf8_valid(arg, strlen(arg)))
		field_message(messages, "Enter a valid email address.");
	else if (field_check_text(arg, strlen(arg), &email, messages) == FIELD_VALUE)
		valid = account_check_email(email.value, email.len, messages, out, outsz);
	if (!valid) {
		snprintf(label, sizeof(label), "email \"%s\"",
		    log_escape(shown, sizeof(shown), arg, strlen(arg)));
		cmd_log_messages(admin, label, messages);
	}
	json_object_put(messages);
	return valid ? ADMIN_OK : ADMIN_FAILED;
}

/*
 * Find the user whose email matches arg, in any letter case. Returns
 * ADMIN_OK with user filled, or another status after logging why.
 */
static int
cmd_find_user(const struct admin *admin, const char *arg, struct db_user *user)
{
	char		 email[EMAIL_MAX_BYTES + 1], shown[96];
	size_t		 start, end;
	enum db_result	 rc = DB_NOT_FOUND;

	text_strip(arg, strlen(arg), &start, &end);
	if (end - start < sizeof(email) && text_utf8_valid(arg + start, end - start)) {
		memcpy(email, arg + start, end - start);
		email[end - start] = '\0';
		rc = db_user_by_email(admin->db, email, user);
		explicit_bzero(user->password, sizeof(user->password));
	}
	if (rc == DB_NOT_FOUND) {
		log_warnx("%s: no user has the email \"%s\"", admin->command,
		    log_escape(shown, sizeof(shown), arg, strlen(arg)));
		return ADMIN_FAILED;
	}
	if (rc != DB_OK)
		return cmd_db_failed(admin, rc);
	return ADMIN_OK;
}

/*
 * Read a new password, check it with register's rules and hash it into
 * hash. Returns ADMIN_OK or ADMIN_FAILED (logged).
 */
static int
cmd_new_password(const struct admin *admin, char *hash, size_t hashsz)
{
	struct json_object	*messages = NULL;
	struct field		 password;
	const char		*text;
	size_t			 len;
	int			 status = ADMIN_FAILED;

	if (password_read(admin->command, &text, &len) == -1)
		return ADMIN_FAILED;
	if ((messages = json_object_new_array()) == NULL) {
		log_warnx("%s: out of memory", admin->command);
		goto out;
	}
	if (!text_utf8_valid(text, len))
		field_message(messages, "The password is not valid UTF-8.");
	else if (field_check_text(text, len, &password, messages) == FIELD_VALUE)
		account_check_password(password.value, password.len, messages);
	if (json_object_array_length(messages) > 0) {
		cmd_log_messages(admin, "password", messages);
		goto out;
	}
	if (pw_hash(password.value, password.len, admin->cfg.bcrypt_cost, hash,
	    hashsz) == -1) {
		log_warnx("%s: hashing the password failed", admin->command);
		goto out;
	}
	status = ADMIN_OK;
out:
	json_object_put(messages);
	password_wipe();
	return status;
}

int
cmd_create_user(struct admin *admin, const char *arg)
{
	char		 email[EMAIL_MAX_BYTES + 1], hash[PW_HASH_MAX];
	struct db_user	 existing;
	uint64_t	 id;
	enum db_result	 rc;
	int		 status;

	if ((status = cmd_new_email(admin, arg, email, sizeof(email))) != ADMIN_OK)
		return status;

	/* Ask for no password when the address is taken. */
	rc = db_user_by_email(admin->db, email, &existing);
	explicit_bzero(existing.password, sizeof(existing.password));
	if (rc == DB_OK) {
		log_warnx("%s: %s: " MSG_EMAIL_TAKEN, admin->command, email);
		return ADMIN_FAILED;
	}
	if (rc != DB_NOT_FOUND)
		return cmd_db_failed(admin, rc);

	if ((status = cmd_new_password(admin, hash, sizeof(hash))) != ADMIN_OK)
		return status;
	rc = db_user_create(admin->db, email, hash, admin->staff, admin->superuser,
	    clock_now(), &id);
	explicit_bzero(hash, sizeof(hash));
	if (rc == DB_CONFLICT) {
		log_warnx("%s: %s: " MSG_EMAIL_TAKEN, admin->command, email);
		return ADMIN_FAILED;
	}
	if (rc != DB_OK)
		return cmd_db_failed(admin, rc);

	log_info("%s: user %" PRIu64 " created%s%s", admin->command, id,
	    admin->staff ? ", staff" : "", admin->superuser ? ", superuser" : "");
	printf("created user %" PRIu64 " %s%s%s\n", id, email,
	    admin->staff ? " (staff)" : "", admin->superuser ? " (superuser)" : "");
	return ADMIN_OK;
}

int
cmd_set_password(struct admin *admin, const char *arg)
{
	struct db_user	 user;
	char		 hash[PW_HASH_MAX];
	enum db_result	 rc;
	int		 status;

	if ((status = cmd_find_user(admin, arg, &user)) != ADMIN_OK)
		return status;
	if ((status = cmd_new_password(admin, hash, sizeof(hash))) != ADMIN_OK)
		return status;
	rc = db_user_set_password(admin->db, user.id, hash);
	explicit_bzero(hash, sizeof(hash));
	if (rc == DB_NOT_FOUND) {
		log_warnx("%s: user %" PRIu64 " not found: it was deleted while the "
		    "password was read", admin->command, user.id);
		return ADMIN_FAILED;
	}
	if (rc != DB_OK)
		return cmd_db_failed(admin, rc);

	log_info("%s: password of user %" PRIu64 " replaced", admin->command, user.id);
	printf("set the password of user %" PRIu64 " %s\n", user.id, user.email);
	return ADMIN_OK;
}

static int
cmd_set_active(struct admin *admin, const char *arg, int active)
{
	struct db_user	 user;
	const char	*state = active ? "active" : "inactive";
	enum db_result	 rc;
	int		 status;

	if ((status = cmd_find_user(admin, arg, &user)) != ADMIN_OK)
		return status;
	if (user.is_active == active) {
		printf("user %" PRIu64 " %s is already %s\n", user.id, user.email, state);
		return ADMIN_OK;
	}
	if ((rc = db_user_set_active(admin->db, user.id, active)) != DB_OK)
		return cmd_db_failed(admin, rc);

	log_info("%s: user %" PRIu64 " is now %s", admin->command, user.id, state);
	printf("%s user %" PRIu64 " %s\n", active ? "activated" : "deactivated",
	    user.id, user.email);
	return ADMIN_OK;
}

int
cmd_deactivate(struct admin *admin, const char *arg)
{
	return cmd_set_active(admin, arg, 0);
}

int
cmd_activate(struct admin *admin, const char *arg)
{
	return cmd_set_active(admin, arg, 1);
}

int
cmd_revoke_tokens(struct admin *admin, const char *arg)
{
	struct db_user		 user;
	unsigned long long	 count;
	enum db_result		 rc;
	int			 status;

	if ((status = cmd_find_user(admin, arg, &user)) != ADMIN_OK)
		return status;
	rc = db_revoke_user_tokens(admin->db, user.id, clock_now(), &count);
	if (rc != DB_OK)
		return cmd_db_failed(admin, rc);

	log_info("%s: %llu refresh tokens of user %" PRIu64 " revoked",
	    admin->command, count, user.id);
	printf("revoked %llu refresh tokens of user %" PRIu64 " %s\n", count,
	    user.id, user.email);
	return ADMIN_OK;
}

int
cmd_flush_expired_tokens(struct admin *admin, const char *unused)
{
	unsigned long long	 outstanding, blacklisted;
	enum db_result		 rc;

	rc = db_flush_expired(admin->db, clock_now(), FLUSH_BATCH, &outstanding,
	    &blacklisted);
	if (rc != DB_OK)
		return cmd_db_failed(admin, rc);

	log_info("%s: deleted %llu outstanding and %llu blacklisted expired tokens",
	    admin->command, outstanding, blacklisted);
	printf("deleted %llu expired outstanding tokens and %llu expired "
	    "blacklisted tokens\n", outstanding, blacklisted);
	return ADMIN_OK;
}

/* Configuration errors never reach here: the program exits 3 before. */
int
cmd_check(struct admin *admin, const char *unused)
{
	const struct cfg	*cfg = &admin->cfg;
	const char		*path = getenv("SHOPEASE_CONFIG");
	unsigned int		 version;
	enum db_result		 rc;

	if (path == NULL || *path == '\0')
		path = CFG_DEFAULT_PATH;
	printf("configuration: %s: %s\n", path, access(path, F_OK) == 0 ?
	    "valid" : "absent, settings from the environment are valid");
	printf("jwt secret: set, %zu bytes\n", cfg->jwt_secret_len);
	if (cfg->db_host != NULL && *cfg->db_host != '\0')
		printf("database: %s on %s:%u as %s: ", cfg->db_name, cfg->db_host,
		    cfg->db_port, cfg->db_user);
	else
		printf("database: %s on %s as %s: ", cfg->db_name, cfg->db_socket,
		    cfg->db_user);
	fflush(stdout);
	if ((rc = db_schema_version(admin->db, &version)) != DB_OK) {
		printf("failed\n");
		return cmd_db_failed(admin, rc);
	}
	printf("reachable, schema version %u\n", version);
	return ADMIN_OK;
}
