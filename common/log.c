/* SPDX-License-Identifier: ISC */
/*
 * Logging to syslog or stderr, one line per event, prefixed with the
 * program name so lines of all endpoints can share one file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char	*log_program = "shopease";
static enum log_target	 log_target = LOG_TO_STDERR;
static int		 log_warnings_to_stderr;

void
log_init(const char *program, enum log_target target)
{
	log_program = program;
	log_set_target(target);
}

void
log_set_target(enum log_target target)
{
	log_target = target;
	if (target == LOG_TO_SYSLOG)
		openlog(log_program, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void
log_copy_warnings(int on)
{
	log_warnings_to_stderr = on;
}

static void
log_vwrite(int priority, const char *fmt, va_list ap, const char *suffix)
{
	char	 line[2048];
	int	 n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (log_target == LOG_TO_SYSLOG) {
		if (suffix != NULL)
			syslog(priority, "%s: %s", line, suffix);
		else
			syslog(priority, "%s", line);
		if (priority != LOG_ERR || !log_warnings_to_stderr)
			return;
	}
	if (suffix != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_program, line, suffix);
	else
		fprintf(stderr, "%s: %s\n", log_program, line);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

const char *
log_escape(char *out, size_t outsz, const char *in, size_t inlen)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;
	unsigned char		 c;

	for (i = 0; i < inlen; i++) {
		c = (unsigned char)in[i];
		if (c >= 0x20 && c <= 0x7e && c != '\\' && c != '"') {
			if (o + 1 >= outsz)
				goto cut;
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 >= outsz)
			goto cut;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 0xf];
	}
	out[o] = '\0';
	return out;
cut:
	/* Leave room for "..." and the terminator, so the cut is visible. */
	while (o > 0 && o + 4 > outsz)
		o--;
	if (outsz >= 4) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
