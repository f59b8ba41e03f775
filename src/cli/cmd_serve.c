/*
 * cmd_serve.c - `bianmin serve`: open the database, start the HTTP server,
 * wait for SIGINT or SIGTERM, then stop cleanly (in-flight writes finish).
 */
#include "cli/cli.h"
#include "core/log.h"
#include "http/server.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The database for the log: a password in a URI is replaced by "***". */
static void db_label(const char *db, char *out, size_t cap)
{
	const char *scheme = strstr(db, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
	if (!colon) {
		snprintf(out, cap, "%s", db);
		return;
	}
	snprintf(out, cap, "%.*s:***%s", (int)(colon - db), db, at);
}

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage("serve", "unexpected argument '%s'", argv[1]);
	/* Block the stop signals before any thread starts, so that every thread
	 * inherits the mask and only sigwait() below receives them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK) {
		rc = cli_fail(&err);
		store_close(s);
		return rc;
	}
	/* A thread waits while its write is made durable, so there are more
	 * threads than cores: the waiting ones let group commit batch writes. */
	long threads = config_int(&ctx->cfg, CFG_THREADS);
	if (threads == 0)
		threads = 4 * (sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 2);
	struct http_server_options opt = {
		.listen = config_str(&ctx->cfg, CFG_LISTEN),
		.threads = (unsigned)threads,
		.max_body = (size_t)config_int(&ctx->cfg, CFG_MAX_BODY),
		.conn_limit = (unsigned)config_int(&ctx->cfg, CFG_CONN_LIMIT),
		.timeout_s = (unsigned)config_int(&ctx->cfg, CFG_TIMEOUT),
		.web_root = config_str(&ctx->cfg, CFG_WEB_ROOT),
		.access_log = config_bool(&ctx->cfg, CFG_ACCESS_LOG),
		.session_ttl = config_int(&ctx->cfg, CFG_SESSION_TTL),
		.store = s,
	};
	struct http_server *srv;
	if (http_server_start(&opt, &srv, &err) != APP_OK) {
		rc = cli_fail(&err);
		store_close(s);
		return rc;
	}
	char host[64];
	snprintf(host, sizeof(host), "%s", opt.listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	char db[512];
	db_label(config_str(&ctx->cfg, CFG_DB), db, sizeof(db));
	log_info("serve.ready", "url=http://%s:%u db=\"%s\" backend=%s threads=%ld", host,
		 http_server_port(srv), db, store_backend(s), threads);
	int sig = 0;
	sigwait(&stop, &sig);
	log_info("serve.stopping", "signal=%d", sig);
	http_server_stop(srv);
	store_close(s);
	log_info("serve.stopped", "clean=1");
	return CLI_OK;
}
