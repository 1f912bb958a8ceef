/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/http.c and the header parser of common/auth.c: media
 * types, the bounded body read, reply rendering, Authorization values.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "http.h"
#include "unit.h"

struct fake {
	const char	*content_length;
	const char	*body;
	size_t		 pos;
	size_t		 chunk;		/* bytes per read */
	char		 out[4096];
	size_t		 outlen;
};

static long
fake_read(void *stream, char *buf, size_t len)
{
	struct fake	*f = stream;
	size_t		 left = strlen(f->body) - f->pos;

	if (len > left)
		len = left;
	if (len > f->chunk)
		len = f->chunk;
	memcpy(buf, f->body + f->pos, len);
	f->pos += len;
	return (long)len;
}

static int
fake_write(void *stream, const char *buf, size_t len)
{
	struct fake	*f = stream;

	if (f->outlen + len >= sizeof(f->out))
		return -1;
	memcpy(f->out + f->outlen, buf, len);
	f->outlen += len;
	f->out[f->outlen] = '\0';
	return 0;
}

static const char *
fake_param(void *params, const char *name)
{
	struct fake	*f = params;

	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return f->content_length;
	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "POST";
	return NULL;
}

static int
read_body(const char *content_length, const char *body, size_t limit,
    struct http_request *req, const char **problem)
{
	static struct fake	 f;
	struct http_io		 io = { fake_read, fake_write, fake_param, &f, &f, &f };

	memset(&f, 0, sizeof(f));
	f.content_length = content_length;
	f.body = body;
	f.chunk = 3;
	http_request_init(req, &io);
	return http_request_read_body(req, &io, limit, problem);
}

static void
test_body_read(void)
{
	struct http_request	 req;
	const char		*problem = NULL;

	CHECK(read_body("5", "hello", 10, &req, &problem) == 0, "exact length");
	CHECK(req.body_len == 5, "body length %zu", req.body_len);
	CHECK(strcmp(req.body, "hello") == 0, "body %s", req.body);
	http_request_free(&req);

	CHECK(read_body("11", "hello world", 10, &req, &problem) == 413, "over the limit");
	CHECK(req.body == NULL, "nothing read before refusing");
	http_request_free(&req);

	CHECK(read_body(NULL, "hello", 10, &req, &problem) == 0, "no length: read to the end");
	CHECK(req.body_len == 5, "read %zu", req.body_len);
	http_request_free(&req);

	CHECK(read_body(NULL, "hello world", 10, &req, &problem) == 413,
	    "no length, over the limit");
	http_request_free(&req);

	CHECK(read_body("3", "hello", 10, &req, &problem) == 0, "length shorter than the body");
	CHECK(req.body_len == 3, "read only the declared %zu", req.body_len);
	http_request_free(&req);

	CHECK(read_body("9", "hello", 10, &req, &problem) == 400, "length longer than the body");
	http_request_free(&req);
	CHECK(read_body("-1", "", 10, &req, &problem) == 400, "negative length");
	http_request_free(&req);
	CHECK(read_body("12x", "", 10, &req, &problem) == 400, "non-numeric length");
	http_request_free(&req);
	CHECK(read_body("99999999999999999999999", "", 10, &req, &problem) == 400,
	    "overflowing length");
	http_request_free(&req);
}

static void
test_media_types(void)
{
	CHECK(http_media_type(NULL) == HTTP_MEDIA_NONE, "none");
	CHECK(http_media_type("application/json") == HTTP_MEDIA_JSON, "json");
	CHECK(http_media_type("Application/JSON; Charset=UTF-8") == HTTP_MEDIA_JSON,
	    "case-insensitive with charset");
	CHECK(http_media_type("application/json;charset=\"utf-8\"") == HTTP_MEDIA_JSON,
	    "quoted charset");
	CHECK(http_media_type("application/json; charset=latin-1") == HTTP_MEDIA_OTHER,
	    "latin-1");
	CHECK(http_media_type("application/x-www-form-urlencoded") == HTTP_MEDIA_FORM, "form");
	CHECK(http_media_type("multipart/form-data; boundary=x") == HTTP_MEDIA_OTHER,
	    "multipart");
	CHECK(http_media_type("application/jsonx") == HTTP_MEDIA_OTHER, "jsonx");
	CHECK(http_media_type("text/plain") == HTTP_MEDIA_OTHER, "text/plain");
}

static void
test_reply_rendering(void)
{
	struct fake		 f;
	struct http_io		 io = { fake_read, fake_write, fake_param, &f, &f, &f };
	struct http_reply	 reply;

	memset(&f, 0, sizeof(f));
	memset(&reply, 0, sizeof(reply));
	http_reply_detail(&reply, 401, "No \"quote\" / slash");
	CHECK(http_reply_send(&reply, &io) == 0, "sent");
	CHECK(strstr(f.out, "Status: 401 Unauthorized\r\n") != NULL, "status line");
	CHECK(strstr(f.out, "WWW-Authenticate: Bearer realm=\"api\"\r\n") != NULL,
	    "WWW-Authenticate on 401");
	CHECK(strstr(f.out, "\r\n\r\n{\"detail\":\"No \\\"quote\\\" / slash\"}") != NULL,
	    "compact body: %s", f.out);
	http_reply_free(&reply);

	memset(&f, 0, sizeof(f));
	http_reply_json(&reply, 205, NULL);
	CHECK(http_reply_send(&reply, &io) == 0, "sent");
	CHECK(strstr(f.out, "Content-Type") == NULL, "205 has no body: %s", f.out);
	CHECK(strstr(f.out, "WWW-Auth") == NULL, "205 has no WWW-Authenticate: %s", f.out);
	http_reply_free(&reply);
}

static void
test_authorization_header(void)
{
	static const struct {
		const char	*value;
		int		 expected;
		const char	*token;
	} cases[] = {
		{ NULL, 1, NULL },
		{ "", 1, NULL },
		{ "   ", 1, NULL },
		{ "Basic dXNlcjpwYXNz", 1, NULL },
		{ "bearer abc", 1, NULL },
		{ "Bearer", -1, NULL },
		{ "Bearer   ", -1, NULL },
		{ "Bearer a b", -1, NULL },
		{ "Bearer abc", 0, "abc" },
		{ "  Bearer\t\tabc  ", 0, "abc" },
		{ "Bearer\x0b" "abc", 0, "abc" },
	};
	const char	*token;
	size_t		 i, len;
	int		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = auth_parse_header(cases[i].value, &token, &len);
		CHECK(rc == cases[i].expected, "case %zu: got %d", i, rc);
		if (rc == 0 && cases[i].token != NULL)
			CHECK(len == strlen(cases[i].token) &&
			    memcmp(token, cases[i].token, len) == 0, "case %zu token", i);
	}
}

int
main(void)
{
	RUN(test_body_read);
	RUN(test_media_types);
	RUN(test_reply_rendering);
	RUN(test_authorization_header);
	return unit_report("http");
}
