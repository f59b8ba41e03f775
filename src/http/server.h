/*
 * server.h - starting and stopping the HTTP daemon (used by `bianmin serve`).
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct http_server;

struct http_server_options {
	const char *listen;   /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks one */
	unsigned threads;     /* worker threads, >= 1 */
	size_t max_body;      /* default body limit in bytes */
	unsigned conn_limit;  /* simultaneous connections */
	unsigned timeout_s;   /* idle connection timeout */
	const char *web_root; /* static files; may not exist */
	bool access_log;
	int64_t session_ttl;  /* seconds a new session lasts */
	const char *public_url; /* e.g. "https://bm.example.cn", no trailing slash */
	const char *data_dir;   /* uploaded files */
	struct store *store;  /* borrowed; must outlive the server */
};

/*
 * Start serving. On success *out is set; stop it with http_server_stop().
 * Errors name the address and why (APP_EINVAL for a bad address, APP_EIO
 * when it cannot be bound).
 */
enum app_err http_server_start(const struct http_server_options *opt, struct http_server **out,
			       struct app_error *err);
/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *srv);
/* Stop accepting, finish in-flight requests, free everything. */
void http_server_stop(struct http_server *srv);

#endif
