/*
 * cmd_audit.c - `bianmin audit verify`: walk the hash chain of the audit
 * trail and report the first broken entry, or how many entries verified.
 */
#include "audit/audit.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "verify") != 0)
		return cli_usage("audit", "the only action is 'verify'");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct audit_verify_result res;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK || audit_verify(s, &res, &err) != APP_OK) {
		rc = cli_fail(&err);
	} else if (res.broken_id) {
		fprintf(stderr, "bianmin: audit entry %lld is broken: %s (%lld entries before it verified)\n",
			(long long)res.broken_id, res.why, (long long)res.verified);
		rc = CLI_REJECTED;
	} else {
		printf("%lld entries verified\n", (long long)res.verified);
	}
	store_close(s);
	return rc;
}
