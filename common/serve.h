/* SPDX-License-Identifier: ISC */
/*
 * The request loop every program shares: accept, read, check the method
 * and the body, hand over to the endpoint's handler, reply, free. The same
 * program serves FastCGI when started on a socket and one CGI request
 * otherwise.
 */
#ifndef SHOPEASE_SERVE_H
#define SHOPEASE_SERVE_H

#include "cfg.h"
#include "db.h"
#include "http.h"

struct json_object;
struct server;

typedef void (*endpoint_handler)(struct server *srv, const struct http_request *req,
		    struct json_object *body, const struct db_user *user,
		    struct http_reply *reply);

struct endpoint {
	const char	*name;		/* program name, in log lines */
	const char	*title;		/* "name" in the OPTIONS description */
	const char	*description;
	const char	*allow;		/* "POST, OPTIONS" */
	int		 authenticated;	/* needs Authorization: Bearer <access token> */
	/*
	 * The handler's write checks that the access token's user exists and
	 * is active, so a success costs no user lookup: the handler gets a
	 * db_user with only its id set, and sets server.user_checked after
	 * such a write. Without it, the user is looked up after the reply is
	 * made, and a failed lookup's 401 (or 503) replaces it.
	 */
	int		 user_checked_by_write;
	int		 reads_body;
	endpoint_handler handle;
};

struct server {
	const struct endpoint	*endpoint;
	struct cfg		 cfg;
	struct db		*db;
	const char		*remote_addr;	/* of the request being served */
	int			 user_checked;	/* see user_checked_by_write */
};

/* Run the program; returns its exit status (non-zero only for a configuration error). */
int	serve(const struct endpoint *endpoint);

/* Reply with the error a db_result stands for (503 or 500), or return 0 for DB_OK. */
int	serve_db_failed(struct server *srv, enum db_result rc, struct http_reply *reply);

#endif
