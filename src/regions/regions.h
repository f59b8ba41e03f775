/*
 * regions.h - the divisions registry's rules: reading division CSV files,
 * checking every row, and importing them all or nothing; the demo county.
 *
 * Accepted CSV layouts (a header row names the columns; others are ignored):
 *   code,name                         provinces.csv
 *   code,name,parent_code             cities.csv, counties.csv, china_towns
 *   code,name,level,parent_code       xiangcheng_divisions.csv and kin
 *   code,name,town_code               china_villages, henan_villages
 * Files may be gzip-compressed. A parent must already be in the registry or
 * be in the same file.
 */
#ifndef REGIONS_REGIONS_H
#define REGIONS_REGIONS_H

#include "core/err.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <stddef.h>

#define REGIONS_NAME_MAX_CHARS 50     /* longest name, in characters */
#define REGIONS_FILE_MAX (512u << 20) /* largest (uncompressed) import */
#define REGIONS_PROBLEMS_LISTED 100   /* rejected rows described in full */

struct regions_batch {
	struct region *rows;
	size_t *lines; /* the CSV line of each row */
	size_t n, cap;
};

struct regions_report {
	size_t rows;       /* data rows read */
	size_t rejected;   /* rows with a problem */
	struct strbuf problems; /* "line N: why" lines, at most REGIONS_PROBLEMS_LISTED */
	struct region_import_counts counts;
};

/* Append a copy of r, read from the given line (0 when not from a file). */
void regions_batch_add(struct regions_batch *b, const struct region *r, size_t line);
void regions_batch_release(struct regions_batch *b);
void regions_report_init(struct regions_report *rep);
void regions_report_release(struct regions_report *rep);

/* Called between the stages of a long import ("read", "checked", ...). */
typedef void (*regions_progress_fn)(void *ctx, const char *stage, size_t done, size_t total);

/*
 * Parse and check the CSV in buf[0..len) (rewritten in place, buf[len]
 * included, as csv_init() requires). Rows go to
 * out; every problem goes to rep. Returns APP_EINVAL when any row is bad
 * (err summarises, rep lists), APP_OK otherwise. Does not touch the store.
 */
enum app_err regions_parse_csv(char *buf, size_t len, struct regions_batch *out,
			       struct regions_report *rep, struct app_error *err);

/*
 * Import the file at path: read, check every row and every parent, then
 * write all rows in one durable transaction. On any problem nothing is
 * written; rep lists each rejected row with its line and reason. The import
 * is recorded in the audit trail as done by actor.
 */
enum app_err regions_import_file(struct store *s, const char *path, const char *actor,
				 struct regions_report *rep, regions_progress_fn progress, void *ctx,
				 struct app_error *err);

/* The demo county's code: a code no real county uses (province 99). */
#define REGIONS_DEMO_COUNTY "990101"

/*
 * Build the demo county's regions (its province, city, county, ~20 towns
 * and ~500 villages) into out, parents first. Deterministic.
 */
void regions_demo_build(struct regions_batch *out);

/* Import the demo county (idempotent), recorded as done by actor. */
enum app_err regions_demo_import(struct store *s, const char *actor,
				 struct region_import_counts *counts, struct app_error *err);

#endif
