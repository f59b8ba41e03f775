/*
 * cli.h - what every subcommand gets, and the exit codes they return.
 *
 * Exit codes (documented in docs/cli.md):
 *   0 success; 1 failure (database, file or system error); 2 usage error;
 *   3 input rejected (nothing was changed); 4 not found (e.g. no database).
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include "core/config.h"
#include "core/err.h"

#include <stddef.h>

enum cli_exit { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_REJECTED = 3, CLI_NOTFOUND = 4 };

struct cli_ctx {
	struct config cfg;
};

/* A subcommand: argv[0] is its name; options of the config table are
 * already consumed by main. */
typedef int (*cli_fn)(struct cli_ctx *ctx, int argc, char **argv);

struct cli_command {
	const char *name;
	cli_fn fn;
	const char *usage;   /* e.g. "init [--demo]" */
	const char *summary; /* one line */
	const char *help;    /* more lines, or NULL */
};

/* Print "bianmin: <err>" and return the exit code for err's code. */
int cli_fail(const struct app_error *err);
struct store;
/*
 * Open the configured database (creating it with STORE_OPEN_CREATE). On
 * failure prints why and returns the exit code; CLI_OK otherwise.
 */
int cli_open_store(struct cli_ctx *ctx, int mode, struct store **out);
/*
 * For a command with subcommands that all use the database: when `what` is
 * none of known[0..nknown) prints the usage line `usage` of cmd and returns
 * CLI_USAGE; else opens the existing database into *out and checks its
 * schema (printing why and closing it on failure). CLI_OK with *out open.
 */
int cli_open_for_subcommand(struct cli_ctx *ctx, const char *cmd, const char *what,
			    const char *const *known, size_t nknown, const char *usage,
			    struct store **out);

/* Print a usage error for cmd and return CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv asks for help (-h or --help) anywhere. */
int cli_wants_help(int argc, char **argv);

/* A command's options "--name VALUE" and positional arguments. */
enum { CLI_OPTS_MAX = 8, CLI_POS_MAX = 2 };
struct cli_opts {
	const char *pos[CLI_POS_MAX]; /* positional arguments ("-" is one: stdin) */
	int npos;
	const char *name[CLI_OPTS_MAX], *value[CLI_OPTS_MAX];
	int n;
};
/* Parse argv[from..] of command cmd into options of allowed ("--a,--b")
 * and at most maxpos (<= CLI_POS_MAX) positional arguments; anything else
 * is a usage error (printed, CLI_USAGE). */
int cli_opts_parse(const char *cmd, int argc, char **argv, int from, const char *allowed,
		   int maxpos, struct cli_opts *o);
/* The value of option name ("--at"), or NULL when not given. */
const char *cli_opt(const struct cli_opts *o, const char *name);
/* Print the help of the named command to stdout. */
void cli_print_help(const char *name);

/* "cli:<login name>": who did an administrative command, for the audit trail. */
void cli_actor(char *out, size_t cap);

struct auth_caller;
/* The operator at the console as a caller, for the operations that take one:
 * a system administrator of region (any division code; cut to its length),
 * acting as cli_actor(). */
void cli_console(struct auth_caller *c, const char *region);

/* Load the demo county and accounts into s and print the accounts. */
int cli_load_demo(struct store *s);

int cmd_apikey(struct cli_ctx *ctx, int argc, char **argv);
int cmd_bundle(struct cli_ctx *ctx, int argc, char **argv);
int cmd_calendar(struct cli_ctx *ctx, int argc, char **argv);
int cmd_groups(struct cli_ctx *ctx, int argc, char **argv);
int cmd_demands(struct cli_ctx *ctx, int argc, char **argv);
int cmd_delivery(struct cli_ctx *ctx, int argc, char **argv);
int cmd_outbox(struct cli_ctx *ctx, int argc, char **argv);
/* `entitle dispatch` (cmd_delivery.c), called by cmd_entitle. */
int cli_entitle_dispatch(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit(struct cli_ctx *ctx, int argc, char **argv);
int cmd_classify(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config(struct cli_ctx *ctx, int argc, char **argv);
int cmd_demo(struct cli_ctx *ctx, int argc, char **argv);
int cmd_help(struct cli_ctx *ctx, int argc, char **argv);
int cmd_import(struct cli_ctx *ctx, int argc, char **argv);
int cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cmd_migrate(struct cli_ctx *ctx, int argc, char **argv);
int cmd_patrol(struct cli_ctx *ctx, int argc, char **argv);
int cmd_policy(struct cli_ctx *ctx, int argc, char **argv);
int cmd_stats(struct cli_ctx *ctx, int argc, char **argv);
int cmd_supervision(struct cli_ctx *ctx, int argc, char **argv);
int cmd_entitle(struct cli_ctx *ctx, int argc, char **argv);
int cmd_exchange(struct cli_ctx *ctx, int argc, char **argv);
int cmd_search(struct cli_ctx *ctx, int argc, char **argv);
int cmd_serve(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user(struct cli_ctx *ctx, int argc, char **argv);
int cmd_version(struct cli_ctx *ctx, int argc, char **argv);

#endif
