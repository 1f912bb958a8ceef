/* SPDX-License-Identifier: ISC */
/* Unit tests of common/cfg.c: the file, environment overrides, every refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "unit.h"

#define SECRET	"0123456789abcdef0123456789abcdef-config"

static char	 path[] = "/tmp/shopease-cfg-XXXXXX";

static void
write_config(const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static int
load(struct cfg *cfg, char *err, size_t errsz)
{
	setenv("SHOPEASE_CONFIG", path, 1);
	return cfg_load(cfg, err, errsz);
}

static void
test_defaults_and_file(void)
{
	struct cfg	 cfg;
	char		 err[512] = "";

	write_config("# comment\n\ndb_socket = /run/db.sock\ndb_user = app\n"
	    "db_name = shopease\njwt_secret = " SECRET "\nbcrypt_cost = 10\n");
	CHECK(load(&cfg, err, sizeof(err)) == 0, "load: %s", err);
	CHECK(cfg.bcrypt_cost == 10, "bcrypt_cost %d", cfg.bcrypt_cost);
	CHECK(cfg.access_lifetime == 3600, "access_lifetime %ld", cfg.access_lifetime);
	CHECK(cfg.refresh_lifetime == 86400, "refresh_lifetime %ld", cfg.refresh_lifetime);
	CHECK(cfg.body_limit == 65536, "default body_limit %zu", cfg.body_limit);
	CHECK(cfg.rotate_refresh_tokens, "rotation is on by default");
	CHECK(cfg.reuse_detection, "reuse detection is on by default");
	CHECK(cfg.reuse_interval == 30, "reuse_interval %ld", cfg.reuse_interval);
	CHECK(strcmp(cfg.db_socket, "/run/db.sock") == 0, "db_socket");
	cfg_free(&cfg);
}

static void
test_environment_overrides(void)
{
	struct cfg	 cfg;
	char		 err[512] = "";

	write_config("db_socket = /run/db.sock\ndb_user = app\ndb_name = shopease\n"
	    "jwt_secret = " SECRET "\n");
	setenv("SHOPEASE_DB_USER", "login_account", 1);
	setenv("SHOPEASE_ACCESS_LIFETIME", "60", 1);
	CHECK(load(&cfg, err, sizeof(err)) == 0, "load: %s", err);
	CHECK(strcmp(cfg.db_user, "login_account") == 0, "db_user %s", cfg.db_user);
	CHECK(cfg.access_lifetime == 60, "access_lifetime %ld", cfg.access_lifetime);
	unsetenv("SHOPEASE_DB_USER");
	unsetenv("SHOPEASE_ACCESS_LIFETIME");
	cfg_free(&cfg);
}

static void
test_refusals(void)
{
	static const struct {
		const char	*text;
		const char	*fragment;	/* expected in the message */
	} cases[] = {
		{ "db_socket = s\ndb_user = u\ndb_name = n\n", "jwt_secret is not set" },
		{ "db_socket = s\ndb_user = u\ndb_name = n\njwt_secret = short\n", "at least 32" },
		{ "jwt_secret = " SECRET "\ndb_socket = s\ndb_user = u\ndb_name = n\n"
		    "bcrypt_cost = 3\n", "bcrypt_cost" },
		{ "jwt_secret = " SECRET "\ndb_socket = s\ndb_user = u\ndb_name = n\n"
		    "access_lifetime = -1\n", "access_lifetime" },
		{ "jwt_secret = " SECRET "\ndb_socket = s\ndb_user = u\ndb_name = n\n"
		    "rotate_refresh_tokens = maybe\n", "rotate_refresh_tokens" },
		{ "jwt_secret = " SECRET "\ndb_socket = s\ndb_user = u\ndb_name = n\n"
		    "colour = blue\n", "unknown key" },
		{ "jwt_secret = " SECRET "\nno equals sign\n", "key = value" },
		{ "jwt_secret = " SECRET "\ndb_user = u\ndb_name = n\n", "db_host nor db_socket" },
		{ "jwt_secret_file = /nonexistent/secret\n", "/nonexistent/secret" },
	};
	struct cfg	 cfg;
	char		 err[512];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		write_config(cases[i].text);
		CHECK(load(&cfg, err, sizeof(err)) == -1, "case %zu accepted", i);
		CHECK(strstr(err, cases[i].fragment) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].fragment);
		CHECK(strstr(err, "short") == NULL || i != 1, "the secret is not echoed");
	}
}

static void
test_missing_file(void)
{
	struct cfg	 cfg;
	char		 err[512] = "";

	setenv("SHOPEASE_CONFIG", "/nonexistent/shopease.conf", 1);
	CHECK(cfg_load(&cfg, err, sizeof(err)) == -1, "a named file must exist");
	CHECK(strstr(err, "/nonexistent/shopease.conf") != NULL, "message: %s", err);
}

static void
test_secret_file(void)
{
	char		 secret_path[] = "/tmp/shopease-secret-XXXXXX";
	char		 text[256];
	struct cfg	 cfg;
	char		 err[512] = "";
	int		 fd;

	if ((fd = mkstemp(secret_path)) == -1)
		return;
	(void)!write(fd, SECRET "\n", strlen(SECRET) + 1);
	close(fd);
	snprintf(text, sizeof(text), "db_socket = s\ndb_user = u\ndb_name = n\n"
	    "jwt_secret_file = %s\n", secret_path);
	write_config(text);
	CHECK(load(&cfg, err, sizeof(err)) == 0, "load: %s", err);
	CHECK(cfg.jwt_secret_len == strlen(SECRET) &&
	    memcmp(cfg.jwt_secret, SECRET, strlen(SECRET)) == 0,
	    "the trailing newline is not part of the secret");
	cfg_free(&cfg);
	unlink(secret_path);
}

int
main(void)
{
	int	 fd;

	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	RUN(test_defaults_and_file);
	RUN(test_environment_overrides);
	RUN(test_refusals);
	RUN(test_missing_file);
	RUN(test_secret_file);
	unlink(path);
	return unit_report("cfg");
}
