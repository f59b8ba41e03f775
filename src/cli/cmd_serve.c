/*
 * cmd_serve.c - `bianmin serve`: open the database, start the HTTP server,
 * wait for SIGINT or SIGTERM, then stop cleanly (in-flight writes finish).
 */
#include "bundles/bundles.h"
#include "cli/cli.h"
#include "core/log.h"
#include "entitle/entitle.h"
#include "entitle/outbox.h"
#include "exchange/push.h"
#include "groups/ingest.h"
#include "http/server.h"
#include "patrol/judge.h"
#include "sched/sched.h"
#include "store/store.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* Make the folder of uploads (and its parents) and check that it takes
 * files, so that a wrong data_dir fails at start, not at the first upload. */
static enum app_err prepare_data_dir(const char *dir, struct app_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST)
			return app_fail(err, APP_EIO, "cannot make data_dir folder %s: %s", path,
					strerror(errno));
		*p = '/';
	}
	if (access(dir, W_OK | X_OK) != 0)
		return app_fail(err, APP_EIO, "data_dir %s is not writable: %s", dir, strerror(errno));
	return APP_OK;
}

/* The node's name: as configured, else "host:port". */
static void node_name(const char *configured, unsigned port, char *out, size_t cap)
{
	if (*configured) {
		snprintf(out, cap, "%s", configured);
		return;
	}
	char host[48] = "node";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, cap, "%s:%u", host, port);
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
	/* Few malloc arenas: glibc gives each thread (up to 8 per core) an
	 * arena that keeps what it freed, so with dozens of HTTP threads the
	 * server's memory grew with the busiest moment of each of them. */
	mallopt(M_ARENA_MAX, 2);

	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (!outbox_gateway_ok(config_str(&ctx->cfg, CFG_SMS_GATEWAY)))
		app_fail(&err, APP_EINVAL,
			 "option sms_gateway '%s' is not an https:// address (http:// only to this "
			 "machine)",
			 config_str(&ctx->cfg, CFG_SMS_GATEWAY));
	if (!outbox_gateway_ok(config_str(&ctx->cfg, CFG_SMS_GATEWAY)) ||
	    store_check_schema(s, &err) != APP_OK ||
	    prepare_data_dir(config_str(&ctx->cfg, CFG_DATA_DIR), &err) != APP_OK) {
		rc = cli_fail(&err);
		store_close(s);
		return rc;
	}
	/* A thread waits while its write is made durable, so there are many
	 * more threads than cores: the waiting ones let group commit batch
	 * writes (64 clients posting at once on 2 cores: 8 threads carried 3.5
	 * writes per commit, 64 threads 14 and twice the posts per second). */
	long threads = config_int(&ctx->cfg, CFG_THREADS);
	if (threads == 0)
		threads = 16 * (sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 2);
	struct http_server_options opt = {
		.listen = config_str(&ctx->cfg, CFG_LISTEN),
		.threads = (unsigned)threads,
		.max_body = (size_t)config_int(&ctx->cfg, CFG_MAX_BODY),
		.conn_limit = (unsigned)config_int(&ctx->cfg, CFG_CONN_LIMIT),
		.timeout_s = (unsigned)config_int(&ctx->cfg, CFG_TIMEOUT),
		.web_root = config_str(&ctx->cfg, CFG_WEB_ROOT),
		.access_log = config_bool(&ctx->cfg, CFG_ACCESS_LOG),
		.session_ttl = config_int(&ctx->cfg, CFG_SESSION_TTL),
		.public_url = config_str(&ctx->cfg, CFG_PUBLIC_URL),
		.data_dir = config_str(&ctx->cfg, CFG_DATA_DIR),
		.store = s,
	};
	/* the patrol's rules judge every message posted: made now rather than
	 * in the first post (a failure is logged, and messages then wait
	 * unjudged for the sweep) */
	patrol_builtin();
	bundles_set_dir(config_str(&ctx->cfg, CFG_BUNDLES_DIR));
	entitle_set_programmes_dir(config_str(&ctx->cfg, CFG_PROGRAMMES_DIR));
	store_upkeep_when_idle(s);
	/* queued bulk ingest: what an earlier run left queued is stored first */
	if (ingest_queue_start(s, INGEST_BACKLOG_MAX, &err) != APP_OK) {
		rc = cli_fail(&err);
		store_close(s);
		return rc;
	}
	struct http_server *srv;
	if (http_server_start(&opt, &srv, &err) != APP_OK) {
		rc = cli_fail(&err);
		ingest_queue_stop();
		store_close(s);
		return rc;
	}
	char host[64];
	snprintf(host, sizeof(host), "%s", opt.listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	char node[JOB_NODE_MAX];
	node_name(config_str(&ctx->cfg, CFG_NODE_NAME), http_server_port(srv), node, sizeof(node));
	struct sched *sc = NULL;
	if (config_bool(&ctx->cfg, CFG_JOBS)) {
		/* the job "exchange" signs pushes with the key kept there */
		exchange_push_set_dir(config_str(&ctx->cfg, CFG_DATA_DIR));
		/* the outbox's gateway */
		outbox_set_gateway(config_str(&ctx->cfg, CFG_SMS_GATEWAY));
		struct sched_options so = { s, node, config_str(&ctx->cfg, CFG_JOB_INTERVALS) };
		if (sched_start(&so, &sc, &err) != APP_OK) {
			rc = cli_fail(&err);
			http_server_stop(srv);
			ingest_queue_stop();
			store_close(s);
			return rc;
		}
	}
	char db[512];
	db_label(config_str(&ctx->cfg, CFG_DB), db, sizeof(db));
	if (ctx->cfg.source[CFG_PUBLIC_URL] == SRC_DEFAULT &&
	    strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0)
		log_warn("serve.public_url_default",
			 "public_url=\"%s\" hint=\"set public_url: join links and QR codes use it\"",
			 config_str(&ctx->cfg, CFG_PUBLIC_URL));
	log_info("serve.ready", "url=http://%s:%u db=\"%s\" backend=%s threads=%ld node=\"%s\" jobs=%d",
		 host, http_server_port(srv), db, store_backend(s), threads, node, sc != NULL);
	int sig = 0;
	sigwait(&stop, &sig);
	log_info("serve.stopping", "signal=%d", sig);
	sched_stop(sc);
	http_server_stop(srv);
	ingest_queue_stop();
	store_close(s);
	log_info("serve.stopped", "clean=1");
	return CLI_OK;
}
