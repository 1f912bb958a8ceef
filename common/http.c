/* SPDX-License-Identifier: ISC */
/*
 * Request parameters, the bounded body read and reply rendering.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "cors.h"
#include "http.h"
#include "log.h"

#define HTTP_AUTHORIZATION_MAX	8192

static char *
http_copy_param(const struct http_io *io, const char *name, size_t max)
{
	const char	*value = io->param(io->params, name);

	if (value == NULL)
		return NULL;
	return strndup(value, max);
}

int
http_request_init(struct http_request *req, const struct http_io *io)
{
	const char	*value;

	memset(req, 0, sizeof(*req));
	if ((value = io->param(io->params, "REQUEST_METHOD")) != NULL)
		snprintf(req->method, sizeof(req->method), "%s", value);
	if ((value = io->param(io->params, "REMOTE_ADDR")) != NULL)
		snprintf(req->remote_addr, sizeof(req->remote_addr), "%s", value);
	else
		snprintf(req->remote_addr, sizeof(req->remote_addr), "-");
	errno = 0;
	req->content_type = http_copy_param(io, "CONTENT_TYPE", 1024);
	req->authorization = http_copy_param(io, "HTTP_AUTHORIZATION",
	    HTTP_AUTHORIZATION_MAX);
	req->origin = http_copy_param(io, "HTTP_ORIGIN", 1024);
	if (errno == ENOMEM)
		return -1;
	req->cors_preflight = strcmp(req->method, "OPTIONS") == 0 &&
	    io->param(io->params, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") != NULL;
	/* lighttpd and Apache send an empty CONTENT_TYPE for none. */
	if (req->content_type != NULL && req->content_type[0] == '\0') {
		free(req->content_type);
		req->content_type = NULL;
	}
	return 0;
}

void
http_request_free(struct http_request *req)
{
	free(req->content_type);
	if (req->authorization != NULL) {
		explicit_bzero(req->authorization, strlen(req->authorization));
		free(req->authorization);
	}
	free(req->origin);
	if (req->body != NULL) {
		explicit_bzero(req->body, req->body_len);
		free(req->body);
	}
	memset(req, 0, sizeof(*req));
}

/* Parse a Content-Length: digits only, no sign, no overflow. */
static int
http_parse_length(const char *s, size_t *out)
{
	size_t	 n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (n > (SIZE_MAX - 9) / 10)
			return -1;
		n = n * 10 + (size_t)(*s - '0');
	}
	*out = n;
	return 0;
}

int
http_request_read_body(struct http_request *req, const struct http_io *io,
    size_t limit, const char **problem)
{
	const char	*value;
	size_t		 declared = 0, want, got = 0;
	long		 n;
	int		 has_length;

	value = io->param(io->params, "CONTENT_LENGTH");
	has_length = value != NULL && *value != '\0';
	if (has_length && http_parse_length(value, &declared) == -1) {
		*problem = "Invalid Content-Length header.";
		return 400;
	}
	if (has_length && declared > limit) {
		*problem = "Request body too large.";
		return 413;
	}
	/* Without a length, read one byte past the limit to tell it was exceeded. */
	want = has_length ? declared : limit + 1;
	if ((req->body = malloc(want + 1)) == NULL)
		return -1;
	while (got < want) {
		if ((n = io->read(io->in, req->body + got, want - got)) < 0) {
			*problem = "Request body could not be read.";
			return 400;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	if (!has_length && got > limit) {
		*problem = "Request body too large.";
		return 413;
	}
	if (has_length && got < declared) {
		*problem = "Request body is shorter than its Content-Length.";
		return 400;
	}
	return 0;
}

/*
 * Match the media type case-insensitively; the only parameter accepted is
 * a charset of utf-8.
 */
enum http_media
http_media_type(const char *content_type)
{
	const char	*p, *param, *value;
	size_t		 n;
	enum http_media	 media;

	if (content_type == NULL)
		return HTTP_MEDIA_NONE;
	for (p = content_type; *p != '\0' && *p != ';' && *p != ' ' && *p != '\t'; p++)
		;
	n = (size_t)(p - content_type);
	if (n == strlen("application/json") &&
	    strncasecmp(content_type, "application/json", n) == 0)
		media = HTTP_MEDIA_JSON;
	else if (n == strlen("application/x-www-form-urlencoded") &&
	    strncasecmp(content_type, "application/x-www-form-urlencoded", n) == 0)
		media = HTTP_MEDIA_FORM;
	else
		return HTTP_MEDIA_OTHER;

	for (param = p; *param != '\0';) {
		while (*param == ' ' || *param == '\t' || *param == ';')
			param++;
		if (*param == '\0')
			break;
		if (strncasecmp(param, "charset=", 8) != 0)
			return HTTP_MEDIA_OTHER;
		value = param + 8;
		if (*value == '"')
			value++;
		if (strncasecmp(value, "utf-8", 5) != 0)
			return HTTP_MEDIA_OTHER;
		param = value + 5;
		if (*param == '"')
			param++;
		if (*param != '\0' && *param != ';' && *param != ' ' && *param != '\t')
			return HTTP_MEDIA_OTHER;
	}
	return media;
}

void
http_reply_json(struct http_reply *reply, int status, struct json_object *body)
{
	json_object_put(reply->body);
	reply->status = status;
	reply->body = body;
}

void
http_reply_detail_code(struct http_reply *reply, int status, const char *detail,
    const char *code)
{
	struct json_object	*body;

	if ((body = json_object_new_object()) == NULL)
		goto nomem;
	if (json_object_object_add(body, "detail", json_object_new_string(detail)) != 0)
		goto nomem;
	if (code != NULL &&
	    json_object_object_add(body, "code", json_object_new_string(code)) != 0)
		goto nomem;
	http_reply_json(reply, status, body);
	return;
nomem:
	json_object_put(body);
	/* Rendered from a constant by http_reply_send. */
	http_reply_json(reply, 500, NULL);
}

void
http_reply_detail(struct http_reply *reply, int status, const char *detail)
{
	http_reply_detail_code(reply, status, detail, NULL);
}

void
http_reply_internal_error(struct http_reply *reply)
{
	http_reply_detail(reply, 500, "Internal server error.");
}

void
http_reply_unavailable(struct http_reply *reply)
{
	http_reply_detail(reply, 503, "Service temporarily unavailable.");
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * Write the CORS headers reply asks for to head, of size bytes. Returns
 * the length written, or -1 when they do not fit.
 */
static int
http_cors_headers(const struct http_reply *reply, char *head, size_t size)
{
	int	 n, m;

	if (reply->allow_origin == NULL)
		return 0;
	n = snprintf(head, size, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n",
	    reply->allow_origin);
	if (n < 0 || (size_t)n >= size)
		return -1;
	if (reply->allow_methods == NULL)
		return n;
	m = snprintf(head + n, size - (size_t)n,
	    "Access-Control-Allow-Methods: %s\r\n"
	    "Access-Control-Allow-Headers: " CORS_ALLOW_HEADERS "\r\n"
	    "Access-Control-Max-Age: %d\r\n", reply->allow_methods, CORS_MAX_AGE);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return -1;
	return n + m;
}

int
http_reply_send(struct http_reply *reply, const struct http_io *io)
{
	/* The fixed headers fit in 512 bytes, and an origin is at most 1023. */
	char		 head[2048];
	const char	*body = NULL;
	size_t		 body_len = 0;
	int		 n, cors;

	if (reply->status == 500 && reply->body == NULL)
		body = "{\"detail\":\"Internal server error.\"}";
	else if (reply->body != NULL)
		body = json_object_to_json_string_ext(reply->body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (reply->body != NULL && body == NULL) {
		reply->status = 500;
		body = "{\"detail\":\"Internal server error.\"}";
	}
	if (body != NULL)
		body_len = strlen(body);

	n = snprintf(head, sizeof(head), "Status: %d %s\r\n%s%s%s%s%s%s",
	    reply->status, http_status_text(reply->status),
	    body != NULL ? "Content-Type: application/json\r\n" : "",
	    reply->allow != NULL ? "Allow: " : "",
	    reply->allow != NULL ? reply->allow : "",
	    reply->allow != NULL ? "\r\n" : "",
	    reply->no_store ? "Cache-Control: no-store\r\n" : "",
	    reply->status == 401 ? "WWW-Authenticate: Bearer realm=\"api\"\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if ((cors = http_cors_headers(reply, head + n, sizeof(head) - (size_t)n)) == -1)
		return -1;
	n += cors;
	if (body != NULL)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Content-Length: %zu\r\n", body_len);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	if ((size_t)n >= sizeof(head))
		return -1;
	if (io->write(io->out, head, (size_t)n) == -1)
		return -1;
	if (body != NULL && !reply->head && io->write(io->out, body, body_len) == -1)
		return -1;
	return 0;
}

void
http_reply_free(struct http_reply *reply)
{
	json_object_put(reply->body);
	memset(reply, 0, sizeof(*reply));
}
