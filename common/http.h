/* SPDX-License-Identifier: ISC */
/*
 * HTTP requests as a CGI or FastCGI program receives them, and replies in the
 * API's shape: a compact JSON body, Content-Type application/json,
 * WWW-Authenticate on every 401 and on no other status.
 */
#ifndef SHOPEASE_HTTP_H
#define SHOPEASE_HTTP_H

#include <stddef.h>

struct json_object;

/* Reads the request body; returns bytes read, 0 at its end, -1 on error. */
typedef long	(*http_read_fn)(void *stream, char *buf, size_t len);
/* Returns -1 when the client is gone. */
typedef int	(*http_write_fn)(void *stream, const char *buf, size_t len);
/* Returns a request parameter (CGI meta-variable) or NULL. */
typedef const char *(*http_param_fn)(void *params, const char *name);

struct http_io {
	http_read_fn	 read;
	http_write_fn	 write;
	http_param_fn	 param;
	void		*in;
	void		*out;
	void		*params;
};

enum http_media {
	HTTP_MEDIA_NONE,	/* no Content-Type header */
	HTTP_MEDIA_JSON,
	HTTP_MEDIA_FORM,
	HTTP_MEDIA_OTHER	/* unsupported: 415 */
};

struct http_request {
	char		 method[16];
	char		 remote_addr[64];
	char		*content_type;	/* as sent, or NULL */
	char		*authorization;	/* as sent, or NULL */
	char		*origin;	/* as sent, or NULL */
	int		 cors_preflight; /* OPTIONS with Access-Control-Request-Method */
	char		*body;		/* NUL-terminated copy, or NULL */
	size_t		 body_len;
};

struct http_reply {
	int		 status;
	struct json_object *body;	/* owned; NULL for no body */
	const char	*allow;		/* the Allow header, or NULL */
	const char	*allow_origin;	/* Access-Control-Allow-Origin, or NULL */
	const char	*allow_methods;	/* Access-Control-Allow-Methods of a preflight */
	int		 no_store;	/* Cache-Control: no-store */
	int		 head;		/* HEAD: headers only */
};

/* Fill req from the parameters, copying what outlives the next accept. Returns -1 on ENOMEM. */
int		 http_request_init(struct http_request *req, const struct http_io *io);
void		 http_request_free(struct http_request *req);

/*
 * Read the body, at most limit bytes. The declared Content-Length is
 * checked before anything is read; without one the stream is read to its
 * end (Apache's mod_fcgid sends chunked bodies that way). Returns the HTTP
 * status to respond with when it cannot be read (413, 400), 0 when read, or
 * -1 when out of memory.
 */
int		 http_request_read_body(struct http_request *req, const struct http_io *io,
		    size_t limit, const char **problem);

enum http_media	 http_media_type(const char *content_type);

/* Replace the reply's body; reply takes ownership of body. */
void		 http_reply_json(struct http_reply *reply, int status, struct json_object *body);
/* {"detail": "..."} */
void		 http_reply_detail(struct http_reply *reply, int status, const char *detail);
void		 http_reply_detail_code(struct http_reply *reply, int status,
		    const char *detail, const char *code);
void		 http_reply_internal_error(struct http_reply *reply);
void		 http_reply_unavailable(struct http_reply *reply);

/* Write the reply; returns -1 when the client is gone or out of memory. */
int		 http_reply_send(struct http_reply *reply, const struct http_io *io);
void		 http_reply_free(struct http_reply *reply);

const char	*http_status_text(int status);

#endif
