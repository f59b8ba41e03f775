/*
 * cmd_apikey.c - `bianmin apikey add NAME --role ROLE --region CODE`,
 * `apikey list` and `apikey revoke ID`: keys for machine clients (Open311
 * apps, agencies in the exchange). A key is printed once and stored hashed.
 */
#include "auth/accounts.h"
#include "cli/cli.h"
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool print_key(void *ctx, const struct api_key *k)
{
	(void)ctx;
	char created[32];
	clock_format_utc(k->created_at, created, sizeof(created));
	printf("%-5lld %-24s %-18s %-13s %s%s\n", (long long)k->id, k->name, k->role, k->region,
	       created, k->revoked_at ? "  revoked" : "");
	return true;
}

int cmd_apikey(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : "";
	const char *role = NULL, *region = NULL, *arg = NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--region") == 0 && i + 1 < argc)
			region = argv[++i];
		else if (!arg && argv[i][0] != '-')
			arg = argv[i];
		else
			return cli_usage("apikey", "unexpected argument '%s'", argv[i]);
	}
	bool add = strcmp(action, "add") == 0, revoke = strcmp(action, "revoke") == 0;
	if (!add && !revoke && strcmp(action, "list") != 0)
		return cli_usage("apikey", "the actions are add, list and revoke");
	if (add && (!arg || !role || !region))
		return cli_usage("apikey", "give NAME, --role and --region");
	if (revoke && (!arg || atoll(arg) <= 0))
		return cli_usage("apikey", "give the ID of the key to revoke (see 'apikey list')");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	char actor[32];
	cli_actor(actor, sizeof(actor));
	struct app_error err;
	enum app_err r = store_check_schema(s, &err);
	if (r == APP_OK && add) {
		char key[SECRET_TOKEN_MAX];
		int64_t id;
		r = accounts_api_key_add(s, actor, arg, role, region, key, &id, &err);
		if (r == APP_OK)
			printf("API key %lld '%s' (%s for %s):\n%s\n(shown once: store it now)\n",
			       (long long)id, arg, role, region, key);
	} else if (r == APP_OK && revoke) {
		r = accounts_api_key_revoke(s, actor, atoll(arg), &err);
		if (r == APP_OK)
			printf("API key %s revoked\n", arg);
	} else if (r == APP_OK) {
		printf("%-5s %-24s %-18s %-13s %s\n", "id", "name", "role", "region", "created");
		r = store_api_key_list(s, print_key, NULL, &err);
	}
	if (r != APP_OK)
		rc = cli_fail(&err);
	store_close(s);
	return rc;
}
