/*
 * cmd_import.c - `bianmin import divisions FILE...`: load division CSV files,
 * each all or nothing, with progress on stderr and every rejected row named.
 */
#include "cli/cli.h"
#include "regions/regions.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void progress(void *ctx, const char *stage, size_t done, size_t total)
{
	(void)total;
	fprintf(stderr, "  %s: %s %zu rows\n", (const char *)ctx, stage, done);
}

static int import_divisions(struct store *s, int nfiles, char **files)
{
	for (int i = 0; i < nfiles; i++) {
		struct regions_report rep;
		struct app_error err;
		regions_report_init(&rep);
		char actor[32];
		cli_actor(actor, sizeof(actor));
		enum app_err rc = regions_import_file(s, files[i], actor, &rep, progress, files[i], &err);
		if (rc != APP_OK) {
			fprintf(stderr, "bianmin: import of '%s' refused: %s\n", files[i], err.msg);
			fputs(rep.problems.buf, stderr);
			if (rep.rejected > REGIONS_PROBLEMS_LISTED)
				fprintf(stderr, "... and %zu more rejected rows\n",
					rep.rejected - REGIONS_PROBLEMS_LISTED);
			regions_report_release(&rep);
			snprintf(err.msg, sizeof(err.msg), "'%s' was not imported; %d file(s) before it were",
				 files[i], i);
			return cli_fail(&err);
		}
		printf("%s: %zu rows: %zu added, %zu updated, %zu unchanged\n", files[i], rep.rows,
		       rep.counts.inserted, rep.counts.updated, rep.counts.unchanged);
		regions_report_release(&rep);
	}
	return CLI_OK;
}

int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("import", "say what to import");
	if (strcmp(argv[1], "divisions") != 0)
		return cli_usage("import", "cannot import '%s'; known: divisions", argv[1]);
	if (argc < 3)
		return cli_usage("import", "give at least one FILE");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK)
		rc = cli_fail(&err);
	else
		rc = import_divisions(s, argc - 2, argv + 2);
	store_close(s);
	return rc;
}
