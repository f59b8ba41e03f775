/*
 * config.c - the option table and its resolution; see config.h.
 */
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct config_option config_options[CFG__MAX] = {
	[CFG_DB] = { "db", "BIANMIN_DB", "--db", CONFIG_STRING, "var/bianmin.db", 0, 0,
		     "database: a SQLite file path" },
	[CFG_LISTEN] = { "listen", "BIANMIN_LISTEN", "--listen", CONFIG_STRING, "127.0.0.1:8080",
			 0, 0, "address and port to serve on (port 0 picks a free one)" },
	[CFG_THREADS] = { "threads", "BIANMIN_THREADS", "--threads", CONFIG_INT, "0", 0, 256,
			  "HTTP worker threads (0: sixteen per core)" },
	[CFG_LOG_LEVEL] = { "log_level", "BIANMIN_LOG_LEVEL", "--log-level", CONFIG_STRING,
			    "info", 0, 0, "debug, info, warn or error" },
	[CFG_ACCESS_LOG] = { "access_log", "BIANMIN_ACCESS_LOG", "--access-log", CONFIG_BOOL,
			     "true", 0, 0, "log one line per HTTP request" },
	[CFG_WEB_ROOT] = { "web_root", "BIANMIN_WEB_ROOT", "--web-root", CONFIG_STRING, "web", 0,
			   0, "folder of the static front end" },
	[CFG_MAX_BODY] = { "max_body", "BIANMIN_MAX_BODY", "--max-body", CONFIG_INT, "1048576",
			   1024, 64L << 20, "largest request body any route accepts, in bytes" },
	[CFG_CONN_LIMIT] = { "connection_limit", "BIANMIN_CONNECTION_LIMIT", "--connection-limit",
			     CONFIG_INT, "4096", 1, 1000000, "most simultaneous HTTP connections" },
	[CFG_TIMEOUT] = { "timeout", "BIANMIN_TIMEOUT", "--timeout", CONFIG_INT, "30", 1, 3600,
			  "seconds an idle HTTP connection is kept" },
	[CFG_SESSION_TTL] = { "session_ttl", "BIANMIN_SESSION_TTL", "--session-ttl", CONFIG_INT,
			      "43200", 300, 30L * 86400, "seconds a sign-in lasts" },
	[CFG_NODE_NAME] = { "node_name", "BIANMIN_NODE_NAME", "--node-name", CONFIG_STRING, "", 0,
			    0, "this node's name in job runs (empty: host name and port)" },
	[CFG_JOBS] = { "jobs", "BIANMIN_JOBS", "--jobs", CONFIG_BOOL, "true", 0, 0,
		       "run scheduled jobs on this node (one node runs each slot)" },
	[CFG_JOB_INTERVALS] = { "job_intervals", "BIANMIN_JOB_INTERVALS", "--job-intervals",
				CONFIG_STRING, "", 0, 0,
				"job intervals to change, e.g. purge=600,maintain=86400" },
	[CFG_PUBLIC_URL] = { "public_url", "BIANMIN_PUBLIC_URL", "--public-url", CONFIG_STRING,
			     "http://127.0.0.1:8080", 0, 0,
			     "address the public reaches the site at (links in QR codes)" },
	[CFG_DATA_DIR] = { "data_dir", "BIANMIN_DATA_DIR", "--data-dir", CONFIG_STRING,
			   "var/files", 0, 0, "folder for uploaded files such as images" },
	[CFG_BUNDLES_DIR] = { "bundles_dir", "BIANMIN_BUNDLES_DIR", "--bundles-dir", CONFIG_STRING,
			      "data/bundles", 0, 0,
			      "folder of the 一件事 bundle definitions (docs/bundles.md)" },
	[CFG_PROGRAMMES_DIR] = { "programmes_dir", "BIANMIN_PROGRAMMES_DIR", "--programmes-dir",
				 CONFIG_STRING, "data/programmes", 0, 0,
				 "folder of the 免申即享 programmes the dispatcher finds by id" },
	[CFG_SMS_GATEWAY] = { "sms_gateway", "BIANMIN_SMS_GATEWAY", "--sms-gateway", CONFIG_STRING,
			      "", 0, 0,
			      "https URL that sends the outbox's SMS (\"\": none, messages are kept)" },
};

static const char *const source_names[SRC__MAX] = {
	[SRC_DEFAULT] = "default", [SRC_FILE] = "file", [SRC_ENV] = "env", [SRC_FLAG] = "flag",
};

void config_init(struct config *cfg)
{
	for (int i = 0; i < CFG__MAX; i++) {
		cfg->value[i] = xstrdup(config_options[i].def);
		cfg->source[i] = SRC_DEFAULT;
	}
}

void config_release(struct config *cfg)
{
	for (int i = 0; i < CFG__MAX; i++) {
		free(cfg->value[i]);
		cfg->value[i] = NULL;
	}
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *out = true, true;
		if (strcmp(v, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

enum app_err config_set(struct config *cfg, enum config_key key, const char *value,
			enum config_source src, struct app_error *err)
{
	const struct config_option *o = &config_options[key];
	if (o->type == CONFIG_INT) {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < o->min || v > o->max)
			return app_fail_field(err, APP_EINVAL, o->name,
					      "option '%s' must be a whole number from %ld to %ld, not '%s'",
					      o->name, o->min, o->max, value);
	} else if (o->type == CONFIG_BOOL) {
		bool b;
		if (!parse_bool(value, &b))
			return app_fail_field(err, APP_EINVAL, o->name,
					      "option '%s' must be true or false, not '%s'", o->name,
					      value);
	} else if (key == CFG_LOG_LEVEL) {
		enum log_level l;
		if (!log_level_parse(value, &l))
			return app_fail_field(err, APP_EINVAL, o->name,
					      "option 'log_level' must be debug, info, warn or error, not '%s'",
					      value);
	}
	free(cfg->value[key]);
	cfg->value[key] = xstrdup(value);
	cfg->source[key] = src;
	return APP_OK;
}

bool config_find_flag(const char *flag, enum config_key *key)
{
	for (int i = 0; i < CFG__MAX; i++) {
		if (strcmp(flag, config_options[i].flag) == 0) {
			*key = (enum config_key)i;
			return true;
		}
	}
	return false;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

enum app_err config_load_file(struct config *cfg, const char *path, struct app_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return app_fail(err, APP_EIO, "cannot open config file '%s': %s", path,
				strerror(errno));
	char line[4096];
	int lineno = 0;
	enum app_err rc = APP_OK;
	while (rc == APP_OK && fgets(line, sizeof(line), f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		/* " # ..." after a value is a comment, so `config dump` output
		 * reads back as a config file. */
		for (char *h = strchr(s, '#'); h; h = strchr(h + 1, '#'))
			if (h > s && (h[-1] == ' ' || h[-1] == '\t')) {
				*h = '\0';
				s = trim(s);
				break;
			}
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = app_fail(err, APP_EINVAL, "%s:%d: expected 'name = value'", path, lineno);
			break;
		}
		*eq = '\0';
		char *name = trim(s), *value = trim(eq + 1);
		int found = -1;
		for (int i = 0; i < CFG__MAX; i++)
			if (strcmp(name, config_options[i].name) == 0)
				found = i;
		if (found < 0) {
			rc = app_fail(err, APP_EINVAL, "%s:%d: unknown option '%s'", path, lineno, name);
			break;
		}
		struct app_error e2;
		if (config_set(cfg, (enum config_key)found, value, SRC_FILE, &e2) != APP_OK)
			rc = app_fail(err, APP_EINVAL, "%s:%d: %s", path, lineno, e2.msg);
	}
	fclose(f);
	return rc;
}

enum app_err config_load_env(struct config *cfg, struct app_error *err)
{
	for (int i = 0; i < CFG__MAX; i++) {
		const char *v = getenv(config_options[i].env);
		if (!v)
			continue;
		struct app_error e2;
		if (config_set(cfg, (enum config_key)i, v, SRC_ENV, &e2) != APP_OK)
			return app_fail(err, APP_EINVAL, "environment %s: %s", config_options[i].env,
					e2.msg);
	}
	return APP_OK;
}

const char *config_str(const struct config *cfg, enum config_key key) { return cfg->value[key]; }

long config_int(const struct config *cfg, enum config_key key)
{
	return strtol(cfg->value[key], NULL, 10);
}

bool config_bool(const struct config *cfg, enum config_key key)
{
	bool b = false;
	parse_bool(cfg->value[key], &b);
	return b;
}

void config_dump(const struct config *cfg, FILE *out)
{
	for (int i = 0; i < CFG__MAX; i++)
		fprintf(out, "%-17s = %-28s # %s; %s, %s\n", config_options[i].name, cfg->value[i],
			source_names[cfg->source[i]], config_options[i].env, config_options[i].flag);
}
