/* SPDX-License-Identifier: ISC */
/*
 * Cross-origin resource sharing for browser front ends on other origins.
 * The configuration key cors_origins is a space-separated allow-list of
 * exact origins, empty by default, which turns CORS off. A request whose
 * Origin is on the list gets Access-Control-Allow-Origin and Vary: Origin
 * on every response, and its preflight gets its response before authentication.
 * Any other origin gets no CORS header at all.
 */
#ifndef SHOPEASE_CORS_H
#define SHOPEASE_CORS_H

#include <stddef.h>

struct http_request;
struct http_reply;

/*
 * Maximum length of an origin on the list, in bytes. http.c keeps the first 1024 bytes
 * of a request's Origin, so a longer one cut short can never match.
 */
#define CORS_ORIGIN_MAX		1023
#define CORS_ALLOW_HEADERS	"Authorization, Content-Type"
#define CORS_MAX_AGE		3600	/* seconds a browser may reuse a preflight's answer */

/*
 * Check every origin of a cors_origins value: scheme://host or
 * scheme://host:port in lower case, with no path and no default port.
 * Returns 0, or -1 with a message naming the origin in err.
 */
int	cors_check_origins(const char *list, char *err, size_t errsz);

/* Return 1 when origin is exactly one of the origins in list (NULL: none). */
int	cors_origin_allowed(const char *list, const char *origin);

/*
 * Mark reply with the CORS headers when req's Origin is on list. Returns 1
 * when req is a preflight from such an origin and reply is its response: 204
 * with methods as Access-Control-Allow-Methods. Returns 0 otherwise.
 */
int	cors_apply(const char *list, const struct http_request *req,
	    const char *methods, struct http_reply *reply);

#endif
