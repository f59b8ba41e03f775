/*
 * cmd_init.c - `bianmin init [--demo]` and `bianmin migrate`: create the
 * database and bring its schema up to date.
 */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int migrate(struct store *s, const char *db)
{
	struct app_error err;
	int applied;
	if (store_migrate(s, &applied, &err) != APP_OK)
		return cli_fail(&err);
	int cur, want;
	if (store_schema_version(s, &cur, &want, &err) != APP_OK)
		return cli_fail(&err);
	if (applied)
		printf("database %s: applied %d migration(s), schema version %d\n", db, applied, cur);
	else
		printf("database %s: schema version %d is current\n", db, cur);
	return CLI_OK;
}

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	int demo = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--demo") == 0)
			demo = 1;
		else
			return cli_usage("init", "unexpected argument '%s'", argv[i]);
	}
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_CREATE, &s);
	if (rc != CLI_OK)
		return rc;
	rc = migrate(s, config_str(&ctx->cfg, CFG_DB));
	if (rc == CLI_OK && demo)
		rc = cli_load_demo(s);
	store_close(s);
	return rc;
}

int cmd_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage("migrate", "unexpected argument '%s'", argv[1]);
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	rc = migrate(s, config_str(&ctx->cfg, CFG_DB));
	store_close(s);
	return rc;
}
