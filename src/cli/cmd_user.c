/*
 * cmd_user.c - `bianmin user add --role ROLE --region CODE NAME PHONE`:
 * create an account from the shell (the first system administrator, or
 * anyone) and print its one-time password, which must be changed at the
 * first sign-in.
 */
#include "auth/accounts.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cmd_user(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage("user", "the only action is 'add'");
	const char *role = NULL, *region = NULL, *id_number = NULL, *pos[2] = { NULL, NULL };
	int npos = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--region") == 0 && i + 1 < argc)
			region = argv[++i];
		else if (strcmp(argv[i], "--id-number") == 0 && i + 1 < argc)
			id_number = argv[++i];
		else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			return cli_usage("user", "unexpected argument '%s'", argv[i]);
	}
	if (!role || !region || npos != 2)
		return cli_usage("user", "give --role, --region, NAME and PHONE");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct auth_caller sys;
	char actor[32];
	cli_actor(actor, sizeof(actor));
	accounts_system_caller(&sys, actor);
	struct accounts_new_user in = { .name = pos[0], .phone = pos[1], .id_number = id_number,
					.region = region, .role = role };
	struct app_error err;
	int64_t id;
	char otp[16];
	if (store_check_schema(s, &err) != APP_OK ||
	    accounts_create_user(s, &sys, &in, &id, otp, &err) != APP_OK) {
		rc = cli_fail(&err);
	} else {
		printf("user %lld created: %s, role %s for %s\n", (long long)id, pos[0], role, region);
		printf("one-time password: %s\n(shown once; it must be changed at the first sign-in)\n",
		       otp);
	}
	store_close(s);
	return rc;
}
