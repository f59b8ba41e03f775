/*
 * cli.c - helpers every subcommand shares: turning errors into messages and
 * exit codes, and opening the configured database.
 */
#include "cli/cli.h"
#include "auth/auth.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_fail(const struct app_error *err)
{
	fprintf(stderr, "bianmin: %s\n", err->msg);
	switch (err->code) {
	case APP_OK: return CLI_OK;
	case APP_EINVAL:
	case APP_ETOOBIG:
	case APP_ECONFLICT:
	case APP_EMEDIA: return CLI_REJECTED;
	case APP_ENOTFOUND: return CLI_NOTFOUND;
	default: return CLI_FAIL;
	}
}

/* Create the folder that will hold a new SQLite file (e.g. var/); a URI
 * (postgresql://...) names no file. */
static void make_parent_dir(const char *path)
{
	if (strstr(path, "://"))
		return;
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path || (size_t)(slash - path) >= 4096)
		return;
	char dir[4096];
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		fprintf(stderr, "bianmin: cannot create folder '%s': %s\n", dir, strerror(errno));
}

void cli_actor(char *out, size_t cap)
{
	struct passwd *pw = getpwuid(getuid());
	snprintf(out, cap, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

void cli_console(struct auth_caller *c, const char *region)
{
	memset(c, 0, sizeof(*c));
	c->kind = AUTH_API_KEY;
	cli_actor(c->actor, sizeof(c->actor));
	c->ngrants = 1;
	c->grants[0].role = ROLE_SYSTEM_ADMIN;
	snprintf(c->grants[0].region, sizeof(c->grants[0].region), "%.*s", DIVISION_CODE_MAX,
		 region);
	c->perms = auth_role_perms[ROLE_SYSTEM_ADMIN];
}

int cli_open_store(struct cli_ctx *ctx, int mode, struct store **out)
{
	struct app_error err;
	const char *db = config_str(&ctx->cfg, CFG_DB);
	if (mode == STORE_OPEN_CREATE)
		make_parent_dir(db);
	if (store_open(out, db, (enum store_open_mode)mode, &err) != APP_OK)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_open_for_subcommand(struct cli_ctx *ctx, const char *cmd, const char *what,
			    const char *const *known, size_t nknown, const char *usage,
			    struct store **out)
{
	size_t i = 0;
	while (i < nknown && strcmp(what, known[i]) != 0)
		i++;
	if (i == nknown)
		return cli_usage(cmd, "%s", usage);
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, out);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(*out, &err) != APP_OK) {
		store_close(*out);
		return cli_fail(&err);
	}
	return CLI_OK;
}

int cli_opts_parse(const char *cmd, int argc, char **argv, int from, const char *allowed,
		   int maxpos, struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = from; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			if (o->npos == maxpos || o->npos == CLI_POS_MAX)
				return cli_usage(cmd, "unexpected argument '%s'", a);
			o->pos[o->npos++] = a;
			continue;
		}
		size_t n = strlen(a);
		const char *hit = strstr(allowed, a);
		if (n < 3 || !hit || (hit[n] != ',' && hit[n] != '\0') || i + 1 >= argc ||
		    o->n == CLI_OPTS_MAX)
			return cli_usage(cmd, "unexpected option '%s' (or its value is missing)", a);
		o->name[o->n] = a;
		o->value[o->n++] = argv[++i];
	}
	return CLI_OK;
}

const char *cli_opt(const struct cli_opts *o, const char *name)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->name[i], name) == 0)
			return o->value[i];
	return NULL;
}
