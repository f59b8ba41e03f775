/*
 * cmd_search.c - `bianmin search rebuild`: the operator's rebuild of the
 * full-text search index of messages from the messages themselves
 * (docs/search.md "Rebuilding the index"): after a lost or damaged index
 * file, or to load a large import at once instead of message by message.
 */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int cmd_search(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "rebuild") != 0)
		return cli_usage("search", "the only action is 'rebuild'");
	if (argc != 2)
		return cli_usage("search", "rebuild takes no argument");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK || store_search_rebuild(s, &err) != APP_OK)
		rc = cli_fail(&err);
	else
		printf("search index rebuilt\n");
	store_close(s);
	return rc;
}
