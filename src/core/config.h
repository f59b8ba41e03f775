/*
 * config.h - the declarative option table and the values it resolves.
 *
 * Every setting is declared once in config.c's option table with its name,
 * environment variable, command-line flag, type, default and help. Values are
 * resolved in order of precedence: default < config file < environment <
 * command line; config_dump() shows each value and where it came from.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include "core/err.h"

#include <stdbool.h>
#include <stdio.h>

enum config_key {
	CFG_DB,
	CFG_LISTEN,
	CFG_THREADS,
	CFG_LOG_LEVEL,
	CFG_ACCESS_LOG,
	CFG_WEB_ROOT,
	CFG_MAX_BODY,
	CFG_CONN_LIMIT,
	CFG_TIMEOUT,
	CFG_SESSION_TTL,
	CFG_NODE_NAME,
	CFG_JOBS,
	CFG_JOB_INTERVALS,
	CFG_PUBLIC_URL,
	CFG_DATA_DIR,
	CFG_BUNDLES_DIR,
	CFG_PROGRAMMES_DIR,
	CFG_SMS_GATEWAY,
	CFG__MAX
};

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_BOOL };

enum config_source { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG, SRC__MAX };

struct config_option {
	const char *name;     /* key in the config file, e.g. "listen" */
	const char *env;      /* e.g. "BIANMIN_LISTEN" */
	const char *flag;     /* e.g. "--listen" */
	enum config_type type;
	const char *def;      /* default value as text */
	long min, max;        /* range for CONFIG_INT */
	const char *help;
};

extern const struct config_option config_options[CFG__MAX];

struct config {
	char *value[CFG__MAX];
	enum config_source source[CFG__MAX];
};

/* Fill cfg with the defaults. Release with config_release(). */
void config_init(struct config *cfg);
void config_release(struct config *cfg);

/* Validate and set one value. APP_EINVAL names the option and the problem. */
enum app_err config_set(struct config *cfg, enum config_key key, const char *value,
			enum config_source src, struct app_error *err);

/* Find the option whose flag is flag (e.g. "--db"); false when none. */
bool config_find_flag(const char *flag, enum config_key *key);

/*
 * Read "name = value" lines from path ('#' starts a comment). Unknown names
 * and bad values are errors naming the line.
 */
enum app_err config_load_file(struct config *cfg, const char *path, struct app_error *err);

/* Apply every BIANMIN_* variable from the environment. */
enum app_err config_load_env(struct config *cfg, struct app_error *err);

const char *config_str(const struct config *cfg, enum config_key key);
long config_int(const struct config *cfg, enum config_key key);
bool config_bool(const struct config *cfg, enum config_key key);

/* Print every option as "name = value  # source" to out. */
void config_dump(const struct config *cfg, FILE *out);

#endif
