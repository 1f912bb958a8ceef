/* SPDX-License-Identifier: ISC */
/*
 * Reading a new password from a terminal with echo off, or from a pipe.
 * The text goes through read(2) into static buffers, never through stdio,
 * so no copy is left in a stdio buffer that password_wipe() cannot reach.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "admin.h"
#include "log.h"

/* Longer lines are rejected. Register's default body_limit is as large. */
#define PASSWORD_LINE_MAX	65536

static char			 entered[PASSWORD_LINE_MAX + 1];
static char			 repeated[PASSWORD_LINE_MAX + 1];
static volatile sig_atomic_t	 caught_signal;

static const int	 password_signals[] = {
	SIGINT, SIGHUP, SIGQUIT, SIGTERM, SIGTSTP
};

#define NSIGNALS (sizeof(password_signals) / sizeof(password_signals[0]))

static void
password_on_signal(int signo)
{
	caught_signal = signo;
}

/*
 * Read one line of fd into out without its newline. Returns 0, 1 when the
 * line is longer than outsz - 1 bytes, or -1 when read(2) failed or a
 * signal arrived.
 */
static int
password_read_line(int fd, char *out, size_t outsz, size_t *len)
{
	size_t	 n = 0;
	ssize_t	 got;
	char	 c;
	int	 too_long = 0;

	for (;;) {
		got = read(fd, &c, 1);
		if (got == -1)
			return -1;
		if (got == 0 || c == '\n')
			break;
		if (n + 1 < outsz)
			out[n++] = c;
		else
			too_long = 1;
	}
	out[n] = '\0';
	*len = n;
	c = '\0';
	return too_long;
}

/* Show prompt on stderr and read one line from the terminal on stdin, with echo off. */
static int
password_read_terminal(const char *prompt, char *out, size_t outsz, size_t *len)
{
	struct termios		 saved, quiet;
	struct sigaction	 action, previous[NSIGNALS];
	size_t			 i;
	int			 rc;

	if (tcgetattr(STDIN_FILENO, &saved) == -1)
		return -1;
	memset(&action, 0, sizeof(action));
	action.sa_handler = password_on_signal;
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART: a signal must end the read, so echo is turned back on. */
	for (i = 0; i < NSIGNALS; i++)
		sigaction(password_signals[i], &action, &previous[i]);

	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	rc = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	if (rc == 0) {
		fputs(prompt, stderr);
		fflush(stderr);
		rc = password_read_line(STDIN_FILENO, out, outsz, len);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}

	for (i = 0; i < NSIGNALS; i++)
		sigaction(password_signals[i], &previous[i], NULL);
	if (caught_signal != 0) {
		raise(caught_signal);
		caught_signal = 0;
		errno = EINTR;
		return -1;
	}
	return rc;
}

static int
password_read_twice(const char *command, size_t *len)
{
	size_t	 again_len;
	int	 rc;

	rc = password_read_terminal("New password: ", entered, sizeof(entered), len);
	if (rc == 0)
		rc = password_read_terminal("New password (again): ", repeated,
		    sizeof(repeated), &again_len);
	if (rc == -1) {
		log_warn("%s: reading the password from the terminal failed", command);
		return -1;
	}
	if (rc == 0 && (again_len != *len || memcmp(entered, repeated, *len) != 0)) {
		log_warnx("%s: the passwords entered do not match; nothing was "
		    "changed", command);
		return -1;
	}
	return rc;
}

int
password_read(const char *command, const char **password, size_t *len)
{
	int	 rc;

	if (isatty(STDIN_FILENO))
		rc = password_read_twice(command, len);
	else if ((rc = password_read_line(STDIN_FILENO, entered, sizeof(entered),
	    len)) == -1)
		log_warn("%s: reading the password from standard input failed", command);
	if (rc == 1)
		log_warnx("%s: password: the line is longer than %d bytes", command,
		    PASSWORD_LINE_MAX);
	if (rc != 0) {
		password_wipe();
		return -1;
	}
	*password = entered;
	return 0;
}

void
password_wipe(void)
{
	explicit_bzero(entered, sizeof(entered));
	explicit_bzero(repeated, sizeof(repeated));
}
