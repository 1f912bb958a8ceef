/* SPDX-License-Identifier: ISC */
/*
 * The accept loop and the checks every endpoint shares, in the order the
 * replaced service made them: authentication first on protected endpoints,
 * then the method, then the body's size, media type and syntax. Only a
 * configuration error makes a program exit: a database that is down is a
 * 503, because in CGI mode every request is a start.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "auth.h"
#include "body.h"
#include "cors.h"
#include "field.h"
#include "log.h"
#include "serve.h"
#include "tok.h"

/* Maximum bytes of an unread CGI request body discarded before exiting. */
#define SERVE_CGI_DRAIN_MAX	(16 * 1024 * 1024)

int
serve_db_failed(struct server *srv, enum db_result rc, struct http_reply *reply)
{
	switch (rc) {
	case DB_OK:
		return 0;
	case DB_UNAVAILABLE:
		log_warnx("%s: database unavailable: responding 503",
		    srv->remote_addr);
		http_reply_unavailable(reply);
		return 1;
	default:
		log_warnx("%s: database error: responding 500",
		    srv->remote_addr);
		http_reply_internal_error(reply);
		return 1;
	}
}

static int
serve_method_allowed(const struct endpoint *ep, const char *method)
{
	if (ep->reads_body)
		return strcmp(method, "POST") == 0;
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static void
serve_options(const struct endpoint *ep, struct http_reply *reply)
{
	struct json_object	*body, *renders, *parses;

	body = json_object_new_object();
	renders = json_object_new_array();
	parses = json_object_new_array();
	if (body == NULL || renders == NULL || parses == NULL) {
		json_object_put(body);
		json_object_put(renders);
		json_object_put(parses);
		http_reply_internal_error(reply);
		return;
	}
	json_object_array_add(renders, json_object_new_string("application/json"));
	json_object_array_add(parses, json_object_new_string("application/json"));
	json_object_array_add(parses,
	    json_object_new_string("application/x-www-form-urlencoded"));
	json_object_object_add(body, "name", json_object_new_string(ep->title));
	json_object_object_add(body, "description",
	    json_object_new_string(ep->description));
	json_object_object_add(body, "renders", renders);
	json_object_object_add(body, "parses", parses);
	http_reply_json(reply, 200, body);
	reply->allow = ep->allow;
}

static void
serve_not_allowed(const struct endpoint *ep, const char *method,
    struct http_reply *reply)
{
	char	 detail[128];

	snprintf(detail, sizeof(detail), "Method \"%s\" not allowed.", method);
	http_reply_detail(reply, 405, detail);
	reply->allow = ep->allow;
}

static const char *
serve_json_type_name(struct json_object *obj)
{
	switch (json_object_get_type(obj)) {
	case json_type_array:
		return "list";
	case json_type_string:
		return "str";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float";
	case json_type_boolean:
		return "bool";
	default:
		return "dict";
	}
}

/* Turn the read body into an object, or put the API's 4xx in reply. */
static struct json_object *
serve_parse_body(struct server *srv, const struct http_request *req,
    struct http_reply *reply)
{
	struct json_object	*obj = NULL, *messages = NULL;
	char			 message[192], detail[256];
	enum body_result	 rc;
	const char		*type;

	if (req->body_len == 0) {
		if ((obj = json_object_new_object()) == NULL)
			http_reply_internal_error(reply);
		return obj;
	}
	switch (http_media_type(req->content_type)) {
	case HTTP_MEDIA_JSON:
		rc = body_parse_json(req->body, req->body_len, &obj, message,
		    sizeof(message));
		break;
	case HTTP_MEDIA_FORM:
		rc = body_parse_form(req->body, req->body_len, &obj, message,
		    sizeof(message));
		if (rc == BODY_INVALID) {
			http_reply_detail(reply, 400, message);
			return NULL;
		}
		break;
	default:
		type = req->content_type != NULL ? req->content_type : "";
		snprintf(detail, sizeof(detail),
		    "Unsupported media type \"%.200s\" in request.", type);
		http_reply_detail(reply, 415, detail);
		return NULL;
	}
	if (rc == BODY_NOMEM) {
		log_warnx("%s: out of memory parsing the body", req->remote_addr);
		http_reply_internal_error(reply);
		return NULL;
	}
	if (rc == BODY_INVALID) {
		snprintf(detail, sizeof(detail), "JSON parse error - %s", message);
		http_reply_detail(reply, 400, detail);
		return NULL;
	}
	if (obj != NULL && json_object_is_type(obj, json_type_object))
		return obj;
	if (obj == NULL)
		snprintf(detail, sizeof(detail), "No data provided");
	else
		snprintf(detail, sizeof(detail),
		    "Invalid data. Expected a dictionary, but got %s.",
		    serve_json_type_name(obj));
	json_object_put(obj);
	obj = json_object_new_object();
	messages = json_object_new_array();
	if (obj == NULL || messages == NULL ||
	    field_message(messages, "%s", detail) == -1) {
		json_object_put(messages);
		goto nomem;
	}
	/* field_errors_add() takes messages whether it succeeds or not. */
	if (field_errors_add(obj, "non_field_errors", messages) == -1)
		goto nomem;
	http_reply_json(reply, 400, obj);
	return NULL;
nomem:
	log_warnx("%s: out of memory building a 400 reply", req->remote_addr);
	json_object_put(obj);
	http_reply_internal_error(reply);
	return NULL;
}

/* Check the method and the body, and hand over to the endpoint's handler. */
static void
serve_handle(struct server *srv, struct http_request *req,
    const struct http_io *io, const struct db_user *user,
    struct http_reply *reply)
{
	const struct endpoint	*ep = srv->endpoint;
	struct json_object	*body = NULL;
	const char		*problem = NULL;
	int			 status;

	if (strcmp(req->method, "OPTIONS") == 0) {
		serve_options(ep, reply);
		return;
	}
	if (!serve_method_allowed(ep, req->method)) {
		serve_not_allowed(ep, req->method, reply);
		return;
	}
	if (ep->reads_body) {
		status = http_request_read_body(req, io, srv->cfg.body_limit, &problem);
		if (status == -1) {
			log_warnx("%s: out of memory reading the body",
			    req->remote_addr);
			http_reply_internal_error(reply);
			return;
		}
		if (status != 0) {
			http_reply_detail(reply, status, problem);
			return;
		}
		if ((body = serve_parse_body(srv, req, reply)) == NULL)
			return;
	}
	ep->handle(srv, req, body, user, reply);
	json_object_put(body);
}

/*
 * Unless the handler's write checked the user, look it up now. If the
 * lookup fails, its 401 (or 503) replaces the reply, because
 * authentication comes before everything else. After a 5xx the database
 * or the program has already failed this request, so it is not asked
 * again.
 */
static void
serve_check_user_late(struct server *srv, const struct http_request *req,
    const struct tok_claims *claims, struct http_reply *reply)
{
	struct http_reply	 late;
	struct db_user		 user;
	int			 rc;

	if (srv->user_checked || reply->status >= 500)
		return;
	memset(&late, 0, sizeof(late));
	rc = auth_user(srv, req, claims, &user, &late);
	explicit_bzero(user.password, sizeof(user.password));
	if (rc == 0)
		return;
	http_reply_free(reply);
	*reply = late;
}

static void
serve_dispatch(struct server *srv, struct http_request *req,
    const struct http_io *io, struct http_reply *reply)
{
	const struct endpoint	*ep = srv->endpoint;
	struct tok_claims	 claims;
	struct db_user		 user;

	memset(&user, 0, sizeof(user));

	/*
	 * Browsers send a preflight without credentials, so it gets its reply
	 * before authentication.
	 */
	if (cors_apply(srv->cfg.cors_origins, req, ep->allow, reply))
		return;
	if (!ep->authenticated) {
		serve_handle(srv, req, io, &user, reply);
		return;
	}
	if (auth_token(srv, req, &claims, reply) == -1)
		return;
	if (!ep->user_checked_by_write) {
		if (auth_user(srv, req, &claims, &user, reply) == 0)
			serve_handle(srv, req, io, &user, reply);
		explicit_bzero(user.password, sizeof(user.password));
		return;
	}
	user.id = claims.user_id;
	srv->user_checked = 0;
	serve_handle(srv, req, io, &user, reply);
	serve_check_user_late(srv, req, &claims, reply);
}

static void
serve_request(struct server *srv, const struct http_io *io)
{
	struct http_request	 req;
	struct http_reply	 reply;

	memset(&reply, 0, sizeof(reply));
	if (http_request_init(&req, io) == -1) {
		log_warnx("out of memory reading the request");
		http_reply_internal_error(&reply);
	} else {
		srv->remote_addr = req.remote_addr;
		serve_dispatch(srv, &req, io, &reply);
	}
	if (reply.status == 0) {
		log_warnx("%s: handler set no reply", req.remote_addr);
		http_reply_internal_error(&reply);
	}
	reply.head = strcmp(req.method, "HEAD") == 0;
	if (http_reply_send(&reply, io) == -1)
		log_warnx("%s: writing the reply failed", req.remote_addr);
	http_reply_free(&reply);
	http_request_free(&req);
	srv->remote_addr = "-";
}

/* FastCGI streams and parameters. */
static long
fcgi_read(void *stream, char *buf, size_t len)
{
	int	 n;

	n = FCGX_GetStr(buf, len > 65536 ? 65536 : (int)len, stream);
	if (n == 0 && FCGX_GetError(stream) != 0)
		return -1;
	return n;
}

static int
fcgi_write(void *stream, const char *buf, size_t len)
{
	return FCGX_PutStr(buf, (int)len, stream) == (int)len ? 0 : -1;
}

static const char *
fcgi_param(void *params, const char *name)
{
	return FCGX_GetParam(name, params);
}

/* CGI: the process's own environment, standard input and output. */
static long
cgi_read(void *stream, char *buf, size_t len)
{
	ssize_t	 n;

	do
		n = read(STDIN_FILENO, buf, len);
	while (n == -1 && errno == EINTR);
	return (long)n;
}

static int
cgi_write(void *stream, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *
cgi_param(void *params, const char *name)
{
	return getenv(name);
}

/*
 * End the reply, then read and discard the rest of a CGI request body,
 * which a reply sent before the body (405, 413) leaves unread. Apache's
 * mod_cgid connects the program through one Unix socket for both
 * directions, and closing it with unread data makes Apache lose the reply
 * (ECONNRESET). A web server that writes the whole body before it reads the
 * reply also needs a reader. The reply is ended first (shutdown for a
 * socket, close for a pipe), so the server has it while the body drains.
 */
static void
cgi_drain(void)
{
	char	 buf[8192];
	size_t	 total = 0;
	ssize_t	 n;

	if (shutdown(STDOUT_FILENO, SHUT_WR) == -1 && errno != ENOTSOCK)
		log_warn("shutdown of standard output");
	close(STDOUT_FILENO);

	/* A program started by hand from a shell would wait for the terminal. */
	if (isatty(STDIN_FILENO))
		return;
	while (total < SERVE_CGI_DRAIN_MAX) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

/*
 * Make the accept loop end, so the program frees everything and exits 0.
 * lighttpd sends SIGTERM to its FastCGI processes when it stops.
 */
static void
serve_stop(int signo)
{
	FCGX_ShutdownPending();
}

/*
 * Install serve_stop for SIGTERM without SA_RESTART. A blocked accept()
 * then fails with EINTR, and libfcgi returns from FCGX_Accept_r once it
 * checks the shutdown flag.
 * NOTE: a SIGTERM that arrives between libfcgi's flag check and its
 * accept() call takes effect only at the next connection.
 */
static void
serve_catch_term(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = serve_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		log_warn("sigaction(SIGTERM)");
}

/*
 * When the whole request has been read, let FCGX_Finish_r() close the
 * connection at once. Otherwise libfcgi shuts down its sending side and
 * waits for the web server to close first, draining what is unread,
 * because closing a socket with unread data makes the peer see a reset.
 * That wait costs every request a wakeup of its own.
 */
static void
fcgi_detach_if_read(FCGX_Request *request)
{
	int	 pending = 0;

	if (FCGX_HasSeenEOF(request->in) != EOF && FCGX_GetChar(request->in) != EOF)
		return;
	if (ioctl(request->ipcFd, FIONREAD, &pending) == -1 || pending != 0)
		return;
	FCGX_Detach(request);
}

static int
serve_fastcgi(struct server *srv)
{
	FCGX_Request	 request;
	struct http_io	 io;

	if (FCGX_InitRequest(&request, 0, 0) != 0) {
		log_warnx("FCGX_InitRequest failed");
		return 1;
	}
	serve_catch_term();
	while (FCGX_Accept_r(&request) >= 0) {
		io.read = fcgi_read;
		io.write = fcgi_write;
		io.param = fcgi_param;
		io.in = request.in;
		io.out = request.out;
		io.params = request.envp;
		serve_request(srv, &io);
		fcgi_detach_if_read(&request);
		FCGX_Finish_r(&request);
	}
	FCGX_Free(&request, 1);
	return 0;
}

static int
serve_setup(struct server *srv, const struct endpoint *endpoint)
{
	char	 err[512];

	memset(srv, 0, sizeof(*srv));
	srv->endpoint = endpoint;
	srv->remote_addr = "-";
	log_init(endpoint->name, LOG_TO_STDERR);
	if (cfg_load(&srv->cfg, err, sizeof(err)) == -1) {
		log_warnx("configuration error: %s", err);
		return -1;
	}
	if (!srv->cfg.log_stderr)
		log_set_target(LOG_TO_SYSLOG);
	/* The configuration and the secret are read: nothing more to gain. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
	signal(SIGPIPE, SIG_IGN);
	if ((srv->db = db_new(&srv->cfg)) == NULL) {
		log_warnx("out of memory at start");
		cfg_free(&srv->cfg);
		return -1;
	}
	return 0;
}

int
serve(const struct endpoint *endpoint)
{
	struct server	 srv;
	struct http_io	 io = { cgi_read, cgi_write, cgi_param, NULL, NULL, NULL };
	int		 rc = 0;

	if (serve_setup(&srv, endpoint) == -1)
		return 1;
	if (FCGX_Init() != 0) {
		log_warnx("FCGX_Init failed");
		rc = 1;
	} else if (FCGX_IsCGI()) {
		serve_request(&srv, &io);
		cgi_drain();
	} else
		rc = serve_fastcgi(&srv);
	db_free(srv.db);
	cfg_free(&srv.cfg);
	return rc;
}
