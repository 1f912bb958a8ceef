/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/cors.c: the allow-list's syntax, exact matching,
 * preflights, and the headers http.c renders for them.
 */
#include <stdio.h>
#include <string.h>

#include "cors.h"
#include "http.h"
#include "unit.h"

#define LIST	"https://shop.example  http://localhost:3000\thttps://[::1]:8443"

struct capture {
	char	 out[4096];
	size_t	 len;
};

static int
capture_write(void *stream, const char *buf, size_t len)
{
	struct capture	*c = stream;

	if (c->len + len >= sizeof(c->out))
		return -1;
	memcpy(c->out + c->len, buf, len);
	c->len += len;
	c->out[c->len] = '\0';
	return 0;
}

static void
test_valid_lists(void)
{
	static const char *const lists[] = {
		"", "   ", LIST, "https://shop.example", "capacitor://localhost",
		"http://127.0.0.1:8080", "https://xn--bcher-kva.example",
	};
	char	 err[256];
	size_t	 i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		err[0] = '\0';
		CHECK(cors_check_origins(lists[i], err, sizeof(err)) == 0,
		    "\"%s\" rejected: %s", lists[i], err);
	}
}

static void
test_invalid_lists(void)
{
	static const struct {
		const char	*list;
		const char	*reason;
	} cases[] = {
		{ "*", "expected scheme://host[:port]" },
		{ "null", "expected scheme://host[:port]" },
		{ "shop.example", "expected scheme://host[:port]" },
		{ "https://", "the host is missing" },
		{ "https://shop.example/", "no path" },
		{ "https://shop.example/app", "no path" },
		{ "https://Shop.example", "lower-case" },
		{ "HTTPS://shop.example", "expected scheme://host[:port]" },
		{ "https://shop.example:", "invalid port" },
		{ "https://shop.example:0", "invalid port" },
		{ "https://shop.example:70000", "invalid port" },
		{ "https://shop.example:443", "default port" },
		{ "http://shop.example:80", "default port" },
		{ "https://[]", "IPv6" },
		{ "https://[::1", "IPv6" },
		{ "https://ok.example https://bad.example/", "\"https://bad.example/\"" },
	};
	char	 err[256];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(cors_check_origins(cases[i].list, err, sizeof(err)) == -1,
		    "\"%s\" accepted", cases[i].list);
		CHECK(strstr(err, cases[i].reason) != NULL, "\"%s\": message \"%s\" "
		    "lacks \"%s\"", cases[i].list, err, cases[i].reason);
	}
}

static void
test_matching(void)
{
	CHECK(cors_origin_allowed(LIST, "https://shop.example"), "first origin");
	CHECK(cors_origin_allowed(LIST, "http://localhost:3000"), "second origin");
	CHECK(cors_origin_allowed(LIST, "https://[::1]:8443"), "origin after a tab");
	CHECK(!cors_origin_allowed(LIST, "https://shop.example.evil"), "longer origin");
	CHECK(!cors_origin_allowed(LIST, "https://shop.exampl"), "prefix of an origin");
	CHECK(!cors_origin_allowed(LIST, "http://shop.example"), "another scheme");
	CHECK(!cors_origin_allowed(LIST, "https://SHOP.example"), "another case");
	CHECK(!cors_origin_allowed(LIST, "http://localhost"), "another port");
	CHECK(!cors_origin_allowed(LIST, ""), "empty origin");
	CHECK(!cors_origin_allowed(LIST, NULL), "no origin");
	CHECK(!cors_origin_allowed(NULL, "https://shop.example"), "no list");
	CHECK(!cors_origin_allowed("", "https://shop.example"), "empty list");
	CHECK(!cors_origin_allowed("   ", " "), "blank list and origin");
}

static void
test_apply_and_render(void)
{
	struct capture		 c;
	struct http_io		 io = { NULL, capture_write, NULL, NULL, &c, NULL };
	struct http_request	 req;
	struct http_reply	 reply;
	char			 origin[64] = "https://shop.example";

	memset(&req, 0, sizeof(req));
	memset(&reply, 0, sizeof(reply));
	snprintf(req.method, sizeof(req.method), "POST");
	req.origin = origin;
	CHECK(cors_apply(LIST, &req, "POST, OPTIONS", &reply) == 0, "POST is no preflight");
	CHECK(reply.allow_origin == origin, "allowed origin marked");
	CHECK(reply.allow_methods == NULL, "no methods outside a preflight");

	memset(&reply, 0, sizeof(reply));
	snprintf(req.method, sizeof(req.method), "OPTIONS");
	req.cors_preflight = 1;
	CHECK(cors_apply(LIST, &req, "POST, OPTIONS", &reply) == 1, "preflight answered");
	CHECK(reply.status == 204, "preflight status %d", reply.status);
	CHECK(reply.body == NULL, "preflight has a body");
	memset(&c, 0, sizeof(c));
	CHECK(http_reply_send(&reply, &io) == 0, "sent");
	CHECK(strstr(c.out, "Status: 204 No Content\r\n") != NULL, "status: %s", c.out);
	CHECK(strstr(c.out, "Access-Control-Allow-Origin: https://shop.example\r\n"
	    "Vary: Origin\r\n") != NULL, "origin headers: %s", c.out);
	CHECK(strstr(c.out, "Access-Control-Allow-Methods: POST, OPTIONS\r\n") != NULL,
	    "methods: %s", c.out);
	CHECK(strstr(c.out, "Access-Control-Allow-Headers: Authorization, "
	    "Content-Type\r\n") != NULL, "headers: %s", c.out);
	CHECK(strstr(c.out, "Access-Control-Max-Age: 3600\r\n") != NULL, "max age: %s", c.out);
	CHECK(strstr(c.out, "Content-Type:") == NULL, "204 with Content-Type: %s", c.out);
	CHECK(strstr(c.out, "Content-Length:") == NULL, "204 with Content-Length: %s", c.out);
	http_reply_free(&reply);

	memset(&reply, 0, sizeof(reply));
	snprintf(origin, sizeof(origin), "https://other.example");
	CHECK(cors_apply(LIST, &req, "POST, OPTIONS", &reply) == 0,
	    "preflight from another origin not answered");
	CHECK(reply.allow_origin == NULL, "another origin marked");
	CHECK(reply.status == 0, "reply status %d set for another origin", reply.status);
	http_reply_detail(&reply, 400, "x");
	memset(&c, 0, sizeof(c));
	CHECK(http_reply_send(&reply, &io) == 0, "sent");
	CHECK(strstr(c.out, "Access-Control") == NULL, "CORS header sent: %s", c.out);
	CHECK(strstr(c.out, "Vary") == NULL, "Vary sent: %s", c.out);
	http_reply_free(&reply);
}

int
main(void)
{
	RUN(test_valid_lists);
	RUN(test_invalid_lists);
	RUN(test_matching);
	RUN(test_apply_and_render);
	return unit_report("cors");
}
