/* SPDX-License-Identifier: ISC */
/*
 * shopease-admin, the operator's command-line program: one subcommand per
 * run, with the configuration and database of the endpoint programs.
 */
#ifndef SHOPEASE_ADMIN_H
#define SHOPEASE_ADMIN_H

#include <stddef.h>

#include "cfg.h"
#include "db.h"

/* Exit statuses, documented in shopease-admin(8). */
enum admin_exit {
	ADMIN_OK = 0,
	ADMIN_FAILED = 1,	/* user not found or taken, invalid input, database error */
	ADMIN_USAGE = 2,	/* unknown subcommand or option, wrong arguments */
	ADMIN_CONFIG = 3,	/* configuration unreadable or invalid */
	ADMIN_UNAVAILABLE = 4	/* database unreachable, or its schema version differs */
};

struct admin {
	const char	*command;	/* the subcommand's name, in messages */
	struct cfg	 cfg;
	struct db	*db;
	int		 staff;		/* create-user --staff */
	int		 superuser;	/* create-user --superuser */
};

typedef int (*admin_command_fn)(struct admin *admin, const char *email);

int	cmd_create_user(struct admin *admin, const char *email);
int	cmd_set_password(struct admin *admin, const char *email);
int	cmd_deactivate(struct admin *admin, const char *email);
int	cmd_activate(struct admin *admin, const char *email);
int	cmd_revoke_tokens(struct admin *admin, const char *email);
int	cmd_flush_expired_tokens(struct admin *admin, const char *unused);
int	cmd_check(struct admin *admin, const char *unused);

/*
 * Read a new password into a buffer this module owns: twice without echo
 * when standard input is a terminal, else one line of standard input.
 * Returns 0 with *password and *len set, or -1 after logging why.
 */
int	password_read(const char *command, const char **password, size_t *len);

/* Wipe every buffer password_read() filled. */
void	password_wipe(void);

#endif
