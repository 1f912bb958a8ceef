/* SPDX-License-Identifier: ISC */
/*
 * shopease-admin COMMAND [ARGUMENTS]: user and token administration for
 * the operator, on the database of the endpoint programs and with their
 * configuration (SHOPEASE_CONFIG and SHOPEASE_<KEY>). This file parses the
 * command line and loads the configuration, and commands.c does the work.
 * The exit statuses are enum admin_exit, documented in man/shopease-admin.8.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "admin.h"
#include "log.h"

#define PROGRAM	"shopease-admin"

struct command {
	const char	*name;
	const char	*arguments;	/* the synopsis after the name */
	const char	*summary;
	const char	*help;		/* the rest of COMMAND --help */
	int		 takes_email;
	int		 takes_flags;	/* --staff and --superuser */
	admin_command_fn run;
};

static const struct command commands[] = {
	{ "create-user", "EMAIL [--staff] [--superuser]", "create an active user",
	    "Create an active user with the email EMAIL. The password is read twice\n"
	    "from the terminal without echo, or as one line of standard input when\n"
	    "that is not a terminal. The rules of the register endpoint apply: a\n"
	    "valid address of at most 254 characters, and a password of 8 to 4096\n"
	    "characters after leading and trailing whitespace is trimmed.\n\n"
	    "  --staff      set is_staff on the new user\n"
	    "  --superuser  set is_superuser on the new user\n", 1, 1, cmd_create_user },
	{ "set-password", "EMAIL", "replace a user's password",
	    "Replace the password of the user with the email EMAIL (in any letter\n"
	    "case), read as for create-user. Tokens issued before stay valid: run\n"
	    "revoke-tokens as well to log the user out everywhere.\n", 1, 0,
	    cmd_set_password },
	{ "deactivate", "EMAIL", "stop a user from logging in",
	    "Mark the user inactive. Login, token refresh and every protected\n"
	    "endpoint then reject the user's credentials and tokens.\n", 1, 0,
	    cmd_deactivate },
	{ "activate", "EMAIL", "let a deactivated user log in again",
	    "Mark the user active again.\n", 1, 0, cmd_activate },
	{ "revoke-tokens", "EMAIL", "log a user out everywhere",
	    "Blacklist every unexpired refresh token recorded as outstanding for\n"
	    "the user, and print how many. Access tokens already issued stay valid\n"
	    "until they expire (access_lifetime seconds at most).\n", 1, 0,
	    cmd_revoke_tokens },
	{ "flush-expired-tokens", "", "delete the rows of expired tokens",
	    "Delete the outstanding and blacklisted token rows whose tokens have\n"
	    "expired, 1000 rows per transaction, and print how many went. Run it\n"
	    "from cron, daily for example.\n", 0, 0, cmd_flush_expired_tokens },
	{ "check", "", "check the configuration and the database",
	    "Load the configuration, which must name a database and hold a secret\n"
	    "of at least 32 bytes, then connect to the database and check its\n"
	    "schema version. Prints one line per item.\n", 0, 0, cmd_check },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char exit_statuses[] =
    "Exit status: 0 done; 1 failed (user not found or taken, invalid input,\n"
    "database error); 2 usage error; 3 configuration error; 4 database\n"
    "unavailable or of another schema version.\n";

static void
admin_usage(FILE *out)
{
	size_t	 i;

	fprintf(out, "usage: %s COMMAND [ARGUMENTS]\n\nCommands:\n", PROGRAM);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-20s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nEach command takes --help. The configuration is the file "
	    "named by\nSHOPEASE_CONFIG (default %s), and every key\ncan be set "
	    "by the environment variable SHOPEASE_<KEY>.\n\n%s", CFG_DEFAULT_PATH,
	    exit_statuses);
}

static void
admin_command_help(const struct command *cmd)
{
	printf("usage: %s %s%s%s\n\n%s\n%s", PROGRAM, cmd->name,
	    *cmd->arguments != '\0' ? " " : "", cmd->arguments, cmd->help,
	    exit_statuses);
}

static const struct command *
admin_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
admin_usage_error(const struct command *cmd, const char *problem, const char *arg)
{
	fprintf(stderr, "%s: %s: %s%s; see %s %s --help\n", PROGRAM, cmd->name,
	    problem, arg, PROGRAM, cmd->name);
	return ADMIN_USAGE;
}

/*
 * Parse a subcommand's options and arguments; argv[0] is its name. Returns
 * ADMIN_OK to go on, ADMIN_USAGE after a message, or -1 after --help.
 */
static int
admin_parse(struct admin *admin, const struct command *cmd, int argc,
    char *argv[], const char **email)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "staff", no_argument, NULL, 's' },
		{ "superuser", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	int	 c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			admin_command_help(cmd);
			return -1;
		}
		if (c == '?')
			return admin_usage_error(cmd, "unknown option ", argv[optind - 1]);
		if (!cmd->takes_flags)
			return admin_usage_error(cmd, "unknown option ", argv[optind - 1]);
		if (c == 's')
			admin->staff = 1;
		else
			admin->superuser = 1;
	}
	if (argc - optind < cmd->takes_email)
		return admin_usage_error(cmd, "missing argument EMAIL", "");
	if (argc - optind > cmd->takes_email)
		return admin_usage_error(cmd, "unexpected argument ",
		    argv[optind + cmd->takes_email]);
	*email = cmd->takes_email ? argv[optind] : NULL;
	return ADMIN_OK;
}

/* Load the configuration and prepare the database handle, as serve() does. */
static int
admin_setup(struct admin *admin)
{
	char	 err[512];

	if (cfg_load(&admin->cfg, err, sizeof(err)) == -1) {
		log_warnx("configuration error: %s", err);
		return ADMIN_CONFIG;
	}
	if (!admin->cfg.log_stderr) {
		log_set_target(LOG_TO_SYSLOG);
		log_copy_warnings(1);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
	if ((admin->db = db_new(&admin->cfg)) == NULL) {
		log_warnx("out of memory at start");
		cfg_free(&admin->cfg);
		return ADMIN_FAILED;
	}
	return ADMIN_OK;
}

int
main(int argc, char *argv[])
{
	const struct command	*cmd;
	struct admin		 admin;
	const char		*email = NULL;
	int			 status;

	log_init(PROGRAM, LOG_TO_STDERR);
	if (argc < 2) {
		admin_usage(stderr);
		return ADMIN_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		admin_usage(stdout);
		return ADMIN_OK;
	}
	if ((cmd = admin_find(argv[1])) == NULL) {
		fprintf(stderr, "%s: unknown command \"%s\"; see %s --help\n", PROGRAM,
		    argv[1], PROGRAM);
		return ADMIN_USAGE;
	}

	memset(&admin, 0, sizeof(admin));
	admin.command = cmd->name;
	if ((status = admin_parse(&admin, cmd, argc - 1, argv + 1, &email)) != ADMIN_OK)
		return status == -1 ? ADMIN_OK : status;
	if ((status = admin_setup(&admin)) != ADMIN_OK)
		return status;
	status = cmd->run(&admin, email);
	db_free(admin.db);
	cfg_free(&admin.cfg);

	if (fflush(stdout) == EOF && status == ADMIN_OK) {
		log_warn("%s: writing to standard output failed", cmd->name);
		status = ADMIN_FAILED;
	}
	return status;
}
