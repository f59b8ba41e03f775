/*
 * cmd_config.c - `bianmin config dump`: every setting, its value and where
 * the value came from (default, file, env or flag).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cmd_config(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "dump") != 0)
		return cli_usage("config", "the only action is 'dump'");
	config_dump(&ctx->cfg, stdout);
	return CLI_OK;
}
