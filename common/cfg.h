/* SPDX-License-Identifier: ISC */
/*
 * Configuration: one "key = value" file, its path from SHOPEASE_CONFIG
 * (default /etc/shopease/shopease.conf), every key overridable by the
 * environment variable SHOPEASE_<KEY> in upper case, so the web server can
 * give each program its own database account.
 */
#ifndef SHOPEASE_CFG_H
#define SHOPEASE_CFG_H

#include <stddef.h>

#define CFG_DEFAULT_PATH	"/etc/shopease/shopease.conf"
#define CFG_SECRET_MIN		32	/* bytes; libjwt 1.10 verifies under an empty key */
#define CFG_SECRET_MAX		4096
#define CFG_VALUE_MAX		4096

struct cfg {
	char	*db_host;		/* NULL or "": connect through db_socket */
	unsigned int db_port;
	char	*db_socket;
	char	*db_user;
	char	*db_password;
	char	*db_name;

	unsigned char *jwt_secret;
	size_t	 jwt_secret_len;

	long	 access_lifetime;	/* seconds */
	long	 refresh_lifetime;	/* seconds */
	long	 leeway;		/* seconds of grace on exp */
	int	 rotate_refresh_tokens;
	int	 reuse_detection;
	long	 reuse_interval;	/* seconds */

	int	 bcrypt_cost;		/* log2 of the rounds, 4 to 31 */
	size_t	 body_limit;		/* bytes */
	int	 log_stderr;
	char	*cors_origins;		/* space-separated allow-list; NULL or "": CORS off */
};

/*
 * Fill cfg from the file and the environment. Returns 0, or -1 with a
 * message in err that names the key or file and what is wrong with it.
 */
int	cfg_load(struct cfg *cfg, char *err, size_t errsz);
void	cfg_free(struct cfg *cfg);

#endif
