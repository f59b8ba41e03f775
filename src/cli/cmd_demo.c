/*
 * cmd_demo.c - `bianmin demo`: load the demo county into an existing
 * database. Safe to run again: it changes nothing the second time.
 */
#include "cli/cli.h"
#include "regions/regions.h"
#include "store/store.h"

#include <stdio.h>

int cmd_demo(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage("demo", "unexpected argument '%s'", argv[1]);
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	struct region_import_counts counts;
	if (store_check_schema(s, &err) != APP_OK || regions_demo_import(s, &counts, &err) != APP_OK)
		rc = cli_fail(&err);
	else
		printf("demo county %s 便民县（演示）: %zu regions added, %zu updated, %zu unchanged\n",
		       REGIONS_DEMO_COUNTY, counts.inserted, counts.updated, counts.unchanged);
	store_close(s);
	return rc;
}
