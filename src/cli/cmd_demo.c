/*
 * cmd_demo.c - `bianmin demo`: load the demo county and its demo accounts
 * into an existing database, and print the accounts. Safe to run again: it
 * changes nothing the second time.
 */
#include "auth/accounts.h"
#include "cli/cli.h"
#include "groups/groups.h"
#include "regions/regions.h"
#include "store/store.h"

#include <stdio.h>

int cli_load_demo(struct store *s)
{
	struct app_error err;
	struct region_import_counts counts;
	char actor[32];
	int created;
	struct group_sync_counts groups;
	cli_actor(actor, sizeof(actor));
	if (regions_demo_import(s, actor, &counts, &err) != APP_OK ||
	    accounts_demo_create(s, &created, &err) != APP_OK ||
	    groups_demo(s, actor, &groups, &err) != APP_OK)
		return cli_fail(&err);
	printf("demo county %s 便民县（演示）: %zu regions added, %zu updated, %zu unchanged; "
	       "%d demo accounts added\n",
	       REGIONS_DEMO_COUNTY, counts.inserted, counts.updated, counts.unchanged, created);
	printf("service groups: %lld made, %lld already there\n", (long long)groups.created,
	       (long long)groups.existing);
	printf("demo accounts (password for all: %s):\n", ACCOUNTS_DEMO_PASSWORD);
	for (size_t i = 0; i < accounts_demo_count; i++) {
		const struct accounts_demo_account *d = &accounts_demo_accounts[i];
		printf("  %s  %-18s %-13s %s %s\n", d->phone, d->role, d->region, d->name, d->what);
	}
	return CLI_OK;
}

int cmd_demo(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage("demo", "unexpected argument '%s'", argv[1]);
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	rc = store_check_schema(s, &err) != APP_OK ? cli_fail(&err) : cli_load_demo(s);
	store_close(s);
	return rc;
}
