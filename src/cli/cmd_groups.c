/*
 * cmd_groups.c - `bianmin groups sync [--within CODE]`: make the standing
 * service group of every county, town and village of the registry (under
 * CODE) that has none yet. Safe to run again after each divisions import.
 */
#include "cli/cli.h"
#include "groups/groups.h"

#include <stdio.h>
#include <string.h>

int cmd_groups(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *within = "";
	if (argc < 2 || strcmp(argv[1], "sync") != 0)
		return cli_usage("groups", "the only action is 'sync'");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--within") == 0 && i + 1 < argc)
			within = argv[++i];
		else
			return cli_usage("groups", "unexpected argument '%s'", argv[i]);
	}
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	char actor[32];
	cli_actor(actor, sizeof(actor));
	struct group_sync_counts n;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK ||
	    groups_sync(s, actor, within, &n, &err) != APP_OK)
		rc = cli_fail(&err);
	else
		printf("groups: %lld made, %lld already there%s%s\n", (long long)n.created,
		       (long long)n.existing, *within ? " under " : "", within);
	store_close(s);
	return rc;
}
