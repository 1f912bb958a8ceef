/* SPDX-License-Identifier: ISC */
/*
 * Reading the configuration file and its environment overrides, and
 * checking every value once, at start, so a request never meets a bad one.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "cors.h"

enum cfg_type {
	CFG_STRING,
	CFG_SECONDS,
	CFG_BOOL,
	CFG_PORT,
	CFG_COST,
	CFG_BYTES,
	CFG_SECRET,
	CFG_SECRET_FILE,
	CFG_LOG,
	CFG_ORIGINS
};

struct cfg_key {
	const char	*name;
	enum cfg_type	 type;
	size_t		 offset;
};

#define KEY(name, type) { #name, type, offsetof(struct cfg, name) }

static const struct cfg_key cfg_keys[] = {
	KEY(db_host, CFG_STRING),
	KEY(db_port, CFG_PORT),
	KEY(db_socket, CFG_STRING),
	KEY(db_user, CFG_STRING),
	KEY(db_password, CFG_STRING),
	KEY(db_name, CFG_STRING),
	KEY(jwt_secret, CFG_SECRET),
	{ "jwt_secret_file", CFG_SECRET_FILE, offsetof(struct cfg, jwt_secret) },
	KEY(access_lifetime, CFG_SECONDS),
	KEY(refresh_lifetime, CFG_SECONDS),
	KEY(leeway, CFG_SECONDS),
	KEY(rotate_refresh_tokens, CFG_BOOL),
	KEY(reuse_detection, CFG_BOOL),
	KEY(reuse_interval, CFG_SECONDS),
	KEY(bcrypt_cost, CFG_COST),
	KEY(body_limit, CFG_BYTES),
	{ "log", CFG_LOG, offsetof(struct cfg, log_stderr) },
	KEY(cors_origins, CFG_ORIGINS),
};

#define NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static void
cfg_defaults(struct cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->db_port = 3306;
	cfg->access_lifetime = 3600;
	cfg->refresh_lifetime = 86400;
	cfg->leeway = 0;
	cfg->rotate_refresh_tokens = 1;
	cfg->reuse_detection = 1;
	cfg->reuse_interval = 30;
	cfg->bcrypt_cost = 12;
	cfg->body_limit = 64 * 1024;
}

static int
cfg_parse_long(const char *value, long min, long max, long *out)
{
	char	*end;
	long	 n;

	if (*value == '\0' || !isdigit((unsigned char)*value))
		return -1;
	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
cfg_parse_bool(const char *value, int *out)
{
	if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
	    !strcmp(value, "1") || !strcasecmp(value, "on"))
		*out = 1;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
	    !strcmp(value, "0") || !strcasecmp(value, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
cfg_set_secret(struct cfg *cfg, const char *value, size_t len)
{
	if (cfg->jwt_secret != NULL) {
		explicit_bzero(cfg->jwt_secret, cfg->jwt_secret_len);
		free(cfg->jwt_secret);
		cfg->jwt_secret = NULL;
		cfg->jwt_secret_len = 0;
	}
	if ((cfg->jwt_secret = malloc(len + 1)) == NULL)
		return -1;
	memcpy(cfg->jwt_secret, value, len);
	cfg->jwt_secret[len] = '\0';
	cfg->jwt_secret_len = len;
	return 0;
}

/* Read the secret from a file; one trailing newline is not part of it. */
static int
cfg_read_secret_file(struct cfg *cfg, const char *path, char *err, size_t errsz)
{
	char	 buf[CFG_SECRET_MAX + 2];
	FILE	*f;
	size_t	 len;
	int	 rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "jwt_secret_file %s: %s", path, strerror(errno));
		return -1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		snprintf(err, errsz, "jwt_secret_file %s: read failed", path);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > CFG_SECRET_MAX) {
		snprintf(err, errsz, "jwt_secret_file %s: longer than %d bytes",
		    path, CFG_SECRET_MAX);
		goto out;
	}
	if (cfg_set_secret(cfg, buf, len) == -1) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	fclose(f);
	return rc;
}

static int
cfg_set(struct cfg *cfg, const struct cfg_key *key, const char *value,
    char *err, size_t errsz)
{
	char	*field = (char *)cfg + key->offset;
	char	**str = (char **)(void *)field;
	long	 n;

	switch (key->type) {
	case CFG_STRING:
		free(*str);
		if ((*str = strdup(value)) == NULL)
			goto nomem;
		return 0;
	case CFG_SECONDS:
		if (cfg_parse_long(value, 0, 10L * 365 * 86400, &n) == -1)
			goto invalid;
		*(long *)(void *)field = n;
		return 0;
	case CFG_BOOL:
		if (cfg_parse_bool(value, (int *)(void *)field) == -1)
			goto invalid;
		return 0;
	case CFG_PORT:
		if (cfg_parse_long(value, 1, 65535, &n) == -1)
			goto invalid;
		*(unsigned int *)(void *)field = (unsigned int)n;
		return 0;
	case CFG_COST:
		if (cfg_parse_long(value, 4, 31, &n) == -1)
			goto invalid;
		*(int *)(void *)field = (int)n;
		return 0;
	case CFG_BYTES:
		if (cfg_parse_long(value, 1024, 16L * 1024 * 1024, &n) == -1)
			goto invalid;
		*(size_t *)(void *)field = (size_t)n;
		return 0;
	case CFG_SECRET:
		if (strlen(value) > CFG_SECRET_MAX)
			goto invalid;
		if (cfg_set_secret(cfg, value, strlen(value)) == -1)
			goto nomem;
		return 0;
	case CFG_SECRET_FILE:
		return cfg_read_secret_file(cfg, value, err, errsz);
	case CFG_ORIGINS:
		if (cors_check_origins(value, err, errsz) == -1)
			return -1;
		free(*str);
		if ((*str = strdup(value)) == NULL)
			goto nomem;
		return 0;
	case CFG_LOG:
		if (!strcmp(value, "stderr"))
			cfg->log_stderr = 1;
		else if (!strcmp(value, "syslog"))
			cfg->log_stderr = 0;
		else
			goto invalid;
		return 0;
	}
invalid:
	/* Never echo a secret back into a log line. */
	if (key->type == CFG_SECRET)
		snprintf(err, errsz, "%s: invalid value", key->name);
	else
		snprintf(err, errsz, "%s: invalid value \"%.64s\"", key->name, value);
	return -1;
nomem:
	snprintf(err, errsz, "out of memory");
	return -1;
}

static const struct cfg_key *
cfg_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(cfg_keys[i].name, name))
			return &cfg_keys[i];
	return NULL;
}

static char *
cfg_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Apply one line of the file: blank lines and lines starting with # are skipped. */
static int
cfg_parse_line(struct cfg *cfg, const char *path, unsigned int lineno,
    char *line, char *err, size_t errsz)
{
	const struct cfg_key	*key;
	char			*name, *value, *eq;

	name = cfg_trim(line);
	if (*name == '\0' || *name == '#')
		return 0;
	if ((eq = strchr(name, '=')) == NULL) {
		snprintf(err, errsz, "%s:%u: expected \"key = value\"", path, lineno);
		return -1;
	}
	*eq = '\0';
	name = cfg_trim(name);
	value = cfg_trim(eq + 1);
	if ((key = cfg_find(name)) == NULL) {
		snprintf(err, errsz, "%s:%u: unknown key \"%.64s\"", path, lineno, name);
		return -1;
	}
	if (cfg_set(cfg, key, value, err, errsz) == -1) {
		/* Prefix the place without losing the message. */
		char	 msg[512];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errsz, "%s:%u: %s", path, lineno, msg);
		return -1;
	}
	return 0;
}

static int
cfg_read_file(struct cfg *cfg, const char *path, int required, char *err,
    size_t errsz)
{
	char		 line[CFG_VALUE_MAX + 128];
	FILE		*f;
	unsigned int	 lineno = 0;
	int		 rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errsz, "%s:%u: line too long", path, lineno);
			goto out;
		}
		if (cfg_parse_line(cfg, path, lineno, line, err, errsz) == -1)
			goto out;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read failed", path);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return rc;
}

static int
cfg_read_environment(struct cfg *cfg, char *err, size_t errsz)
{
	char	 var[64];
	char	*value;
	size_t	 i, j;

	for (i = 0; i < NKEYS; i++) {
		snprintf(var, sizeof(var), "SHOPEASE_%s", cfg_keys[i].name);
		for (j = sizeof("SHOPEASE_") - 1; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((value = getenv(var)) == NULL)
			continue;
		if (cfg_set(cfg, &cfg_keys[i], value, err, errsz) == -1) {
			char	 msg[512];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errsz, "environment %s: %s", var, msg);
			return -1;
		}
	}
	return 0;
}

static int
cfg_check(const struct cfg *cfg, char *err, size_t errsz)
{
	if (cfg->jwt_secret == NULL || cfg->jwt_secret_len == 0) {
		snprintf(err, errsz, "jwt_secret is not set (set jwt_secret, "
		    "jwt_secret_file or SHOPEASE_JWT_SECRET)");
		return -1;
	}
	if (cfg->jwt_secret_len < CFG_SECRET_MIN) {
		snprintf(err, errsz, "jwt_secret is %zu bytes; at least %d are "
		    "required", cfg->jwt_secret_len, CFG_SECRET_MIN);
		return -1;
	}
	if (cfg->access_lifetime == 0 || cfg->refresh_lifetime == 0) {
		snprintf(err, errsz, "access_lifetime and refresh_lifetime "
		    "must be at least 1 second");
		return -1;
	}
	if ((cfg->db_host == NULL || *cfg->db_host == '\0') &&
	    (cfg->db_socket == NULL || *cfg->db_socket == '\0')) {
		snprintf(err, errsz, "neither db_host nor db_socket is set");
		return -1;
	}
	if (cfg->db_user == NULL || cfg->db_name == NULL) {
		snprintf(err, errsz, "db_user and db_name must be set");
		return -1;
	}
	return 0;
}

int
cfg_load(struct cfg *cfg, char *err, size_t errsz)
{
	const char	*path;
	int		 required = 1;

	cfg_defaults(cfg);
	if ((path = getenv("SHOPEASE_CONFIG")) == NULL || *path == '\0') {
		/* The default file may be absent when the environment sets every key. */
		path = CFG_DEFAULT_PATH;
		required = 0;
	}
	if (cfg_read_file(cfg, path, required, err, errsz) == -1 ||
	    cfg_read_environment(cfg, err, errsz) == -1 ||
	    cfg_check(cfg, err, errsz) == -1) {
		cfg_free(cfg);
		return -1;
	}
	return 0;
}

void
cfg_free(struct cfg *cfg)
{
	free(cfg->db_host);
	free(cfg->db_socket);
	free(cfg->db_user);
	if (cfg->db_password != NULL) {
		explicit_bzero(cfg->db_password, strlen(cfg->db_password));
		free(cfg->db_password);
	}
	free(cfg->db_name);
	free(cfg->cors_origins);
	if (cfg->jwt_secret != NULL) {
		explicit_bzero(cfg->jwt_secret, cfg->jwt_secret_len);
		free(cfg->jwt_secret);
	}
	memset(cfg, 0, sizeof(*cfg));
}
