/* SPDX-License-Identifier: ISC */
/*
 * The CORS allow-list: checked once when the configuration is loaded, then
 * matched byte for byte against each request's Origin header. Browsers send
 * the HTML Standard's ASCII serialization of an origin: scheme://host[:port]
 * in lower case, with no port when it is the scheme's default. No other
 * form can ever match, so cors_check_origins() rejects it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "http.h"

static int
cors_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
cors_host_char(char c)
{
	return islower((unsigned char)c) || isdigit((unsigned char)c) ||
	    c == '.' || c == '-';
}

/* Return the reason one origin of len bytes is not in serialized form, or NULL. */
static const char *
cors_origin_problem(const char *s, size_t len)
{
	const char	*end = s + len, *host, *p = s;
	long		 port = 0;

	if (len > CORS_ORIGIN_MAX)
		return "longer than 1023 bytes";
	if (p == end || !islower((unsigned char)*p))
		return "expected scheme://host[:port]";
	while (p < end && (islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
	    *p == '+' || *p == '.' || *p == '-'))
		p++;
	if (end - p < 3 || memcmp(p, "://", 3) != 0)
		return "expected scheme://host[:port]";
	host = p += 3;
	if (p < end && *p == '[') {
		for (p++; p < end && (isdigit((unsigned char)*p) ||
		    (*p >= 'a' && *p <= 'f') || *p == ':' || *p == '.'); p++)
			;
		if (p == end || *p != ']' || p == host + 1)
			return "invalid IPv6 address literal";
		p++;
	} else
		while (p < end && cors_host_char(*p))
			p++;
	if (p == host && p == end)
		return "the host is missing";
	if (p == host)
		return "only lower-case scheme://host[:port] can match, with no path";
	if (p < end && *p == ':') {
		for (p++; p < end && isdigit((unsigned char)*p) && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (port < 1 || port > 65535 || p[-1] == ':')
			return "invalid port";
	}
	if (p != end)
		return "only lower-case scheme://host[:port] can match, with no path";
	if ((port == 80 && strncmp(s, "http://", 7) == 0) ||
	    (port == 443 && strncmp(s, "https://", 8) == 0))
		return "browsers leave the default port out of the origin";
	return NULL;
}

int
cors_check_origins(const char *list, char *err, size_t errsz)
{
	const char	*p = list, *start, *problem;

	while (p != NULL && *p != '\0') {
		while (cors_space(*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !cors_space(*p))
			p++;
		if ((problem = cors_origin_problem(start, (size_t)(p - start))) != NULL) {
			snprintf(err, errsz, "cors_origins: invalid origin \"%.*s\": %s",
			    (int)(p - start > 128 ? 128 : p - start), start, problem);
			return -1;
		}
	}
	return 0;
}

int
cors_origin_allowed(const char *list, const char *origin)
{
	const char	*p = list, *start;
	size_t		 len;

	if (list == NULL || origin == NULL || *origin == '\0')
		return 0;
	len = strlen(origin);
	while (*p != '\0') {
		while (cors_space(*p))
			p++;
		start = p;
		while (*p != '\0' && !cors_space(*p))
			p++;
		if ((size_t)(p - start) == len && memcmp(start, origin, len) == 0)
			return 1;
	}
	return 0;
}

int
cors_apply(const char *list, const struct http_request *req, const char *methods,
    struct http_reply *reply)
{
	if (!cors_origin_allowed(list, req->origin))
		return 0;
	reply->allow_origin = req->origin;
	if (!req->cors_preflight)
		return 0;

	http_reply_json(reply, 204, NULL);
	reply->allow_methods = methods;
	return 1;
}
