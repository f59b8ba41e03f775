/*
 * cmd_version.c - `bianmin version`: the build's version and its libraries.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>

#ifndef BIANMIN_VERSION
#define BIANMIN_VERSION "unknown"
#endif

int cmd_version(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argv;
	if (argc > 1)
		return cli_usage("version", "takes no arguments");
	printf("bianmin %s (sqlite %s, libmicrohttpd %s, jansson %s)\n", BIANMIN_VERSION,
	       sqlite3_libversion(), MHD_get_version(), JANSSON_VERSION);
	return CLI_OK;
}
