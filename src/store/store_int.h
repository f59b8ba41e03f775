/*
 * store_int.h - what a storage backend implements. Private to src/store.
 *
 * A backend is a table of function pointers (the model of SQLite's os.h).
 * store.c holds the thin public wrappers and picks the backend from the URI;
 * domain code never sees this header.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H

#include "store/store.h"

struct store_ops {
	const char *name;
	enum app_err (*open)(struct store *s, const char *uri, enum store_open_mode mode,
			     struct app_error *err);
	void (*close)(struct store *s);
	enum app_err (*migrate)(struct store *s, int *applied, struct app_error *err);
	enum app_err (*schema_version)(struct store *s, int *current, int *expected,
				       struct app_error *err);
	enum app_err (*region_get)(struct store *s, const char *code, struct region *out,
				   struct app_error *err);
	enum app_err (*region_children)(struct store *s, const char *code, store_region_fn fn,
					void *ctx, struct app_error *err);
	enum app_err (*region_subtree)(struct store *s, const char *code, int max_depth,
				       store_region_fn fn, void *ctx, struct app_error *err);
	enum app_err (*region_search)(struct store *s, const struct region_query *q,
				      store_region_fn fn, void *ctx, struct app_error *err);
	enum app_err (*region_exists)(struct store *s, const char *code, bool *exists,
				      struct app_error *err);
	enum app_err (*regions_import)(struct store *s, const struct region *rows, size_t n,
				       struct region_import_counts *counts, struct app_error *err);
	void (*stats)(struct store *s, struct store_stats *out);
};

struct store {
	const struct store_ops *ops;
	void *impl; /* the backend's own state */
};

extern const struct store_ops store_sqlite_ops;

/* Migrations compiled into the binary (generated from sql/<backend>/). */
struct store_migration {
	const char *name; /* file name, e.g. "0001_regions.sql"; version = leading number */
	const char *data;
	size_t len;
};
extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_migrations_count;

#endif
