/*
 * store.h - the domain operations on persistent state. No SQL crosses this
 * header: callers ask for regions, not rows.
 *
 * A struct store is opened on a URI (a SQLite file path today; a PostgreSQL
 * URI selects that backend once it exists) and is safe to share between
 * threads: reads run concurrently on pooled connections; writes are queued
 * to one writer that commits concurrent writes together (group commit), and a
 * write function returns only once its change is durable on disk.
 * Every write is a transaction of its own: it is applied whole or not at all.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include "core/division.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_open_mode {
	STORE_OPEN_EXISTING, /* fail when the database does not exist */
	STORE_OPEN_CREATE,   /* create an empty database if needed */
};

/*
 * Open the database named by uri. On success *out is set and must be closed
 * with store_close(). Errors: APP_ENOTFOUND (no such database), APP_EDB.
 */
enum app_err store_open(struct store **out, const char *uri, enum store_open_mode mode,
			struct app_error *err);
/* Finish queued writes and close everything. NULL is a no-op. */
void store_close(struct store *s);

/* Name of the backend in use ("sqlite"). */
const char *store_backend(const struct store *s);

/*
 * Apply every migration the database lacks, each in its own transaction.
 * *applied (may be NULL) receives how many ran.
 */
enum app_err store_migrate(struct store *s, int *applied, struct app_error *err);
/* Current schema version and the version this binary expects. */
enum app_err store_schema_version(struct store *s, int *current, int *expected,
				  struct app_error *err);
/* Fail with a clear message unless the schema is current (serve uses this). */
enum app_err store_check_schema(struct store *s, struct app_error *err);

/* ---- regions (the divisions registry) ---- */

#define REGION_NAME_MAX 160 /* bytes, including the terminating NUL */

struct region {
	char code[DIVISION_CODE_MAX + 1];
	char parent_code[DIVISION_CODE_MAX + 1]; /* "" for a province */
	enum division_level level;
	char name[REGION_NAME_MAX];
	int child_count; /* filled by reads that say so, else 0 */
};

/* Called for each region of a listing; return false to stop early. */
typedef bool (*store_region_fn)(void *ctx, const struct region *r);

/* Fetch one region with its child_count. APP_ENOTFOUND when absent. */
enum app_err store_region_get(struct store *s, const char *code, struct region *out,
			      struct app_error *err);

/* The direct children of code, in code order, with their child_count. */
enum app_err store_region_children(struct store *s, const char *code, store_region_fn fn,
				   void *ctx, struct app_error *err);

/*
 * The subtree under code (code itself first) down to max_depth levels below
 * it, in pre-order (code order).
 */
enum app_err store_region_subtree(struct store *s, const char *code, int max_depth,
				  store_region_fn fn, void *ctx, struct app_error *err);

struct region_query {
	const char *text;   /* name fragment, UTF-8, non-empty */
	const char *within; /* only this subtree; NULL or "" for all */
	int level;          /* only this level; -1 for any */
	int limit;          /* at most this many results */
};

/*
 * Regions whose name contains q->text: names starting with it first, then
 * the others, each group in code order.
 */
enum app_err store_region_search(struct store *s, const struct region_query *q,
				 store_region_fn fn, void *ctx, struct app_error *err);

/* True (in *exists) when code is in the registry. */
enum app_err store_region_exists(struct store *s, const char *code, bool *exists,
				 struct app_error *err);

struct region_import_counts {
	size_t inserted, updated, unchanged;
};

/*
 * Insert or update n validated regions in one durable transaction. A parent
 * must be in the registry or among rows. On any failure nothing changes.
 */
enum app_err store_regions_import(struct store *s, const struct region *rows, size_t n,
				  struct region_import_counts *counts, struct app_error *err);

/* ---- figures for /metrics ---- */

struct store_stats {
	uint64_t commits;        /* write transactions committed */
	uint64_t write_jobs;     /* writes carried by those commits */
	uint64_t write_failures; /* writes that were rolled back */
	uint64_t commit_us;      /* time spent committing, in microseconds */
	uint64_t max_batch;      /* most writes carried by one commit */
	uint64_t readers;        /* read connections open */
	uint64_t db_bytes;       /* size of the database */
};

void store_stats(struct store *s, struct store_stats *out);

#endif
