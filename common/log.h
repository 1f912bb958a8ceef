/* SPDX-License-Identifier: ISC */
/*
 * One logger for every program: one line per event, to syslog in
 * production or to stderr (the web server's error log) when configured.
 * Callers never pass a password, a hash, a token or the secret.
 */
#ifndef SHOPEASE_LOG_H
#define SHOPEASE_LOG_H

#include <stddef.h>

enum log_target {
	LOG_TO_SYSLOG,
	LOG_TO_STDERR
};

void	log_init(const char *program, enum log_target target);
void	log_set_target(enum log_target target);

/*
 * Write warnings to stderr as well while logging to syslog, so the user of
 * a command-line program sees its errors on the terminal.
 */
void	log_copy_warnings(int on);

/* Like OpenBSD httpd: log_warn appends strerror(errno), log_warnx does not. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy client-supplied text into out (of size outsz, at least 1) for a log
 * line: control characters, backslashes, quotes and bytes over 0x7e become
 * \xNN escapes, and the copy is cut with "..." when it does not fit.
 */
const char	*log_escape(char *out, size_t outsz, const char *in, size_t inlen);

#endif
