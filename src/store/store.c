/*
 * store.c - the public store functions: choose a backend, then forward.
 *
 * Nothing here knows SQL. Checks that hold for every backend (argument
 * sanity) live here so that backends need not repeat them.
 */
#include "store/store_int.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

static const struct store_ops *backend_for(const char *uri)
{
	/* PostgreSQL URIs will select their backend here. */
	(void)uri;
	return &store_sqlite_ops;
}

enum app_err store_open(struct store **out, const char *uri, enum store_open_mode mode,
			struct app_error *err)
{
	if (!uri || !*uri)
		return app_fail(err, APP_EINVAL, "no database given (use --db or BIANMIN_DB)");
	if (strncmp(uri, "postgres", 8) == 0)
		return app_fail(err, APP_EINVAL,
				"cannot open database '%s': the PostgreSQL backend is not built yet",
				uri);
	struct store *s = xcalloc(1, sizeof(*s));
	s->ops = backend_for(uri);
	enum app_err rc = s->ops->open(s, uri, mode, err);
	if (rc != APP_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return APP_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}

const char *store_backend(const struct store *s) { return s->ops->name; }

enum app_err store_migrate(struct store *s, int *applied, struct app_error *err)
{
	int dummy;
	return s->ops->migrate(s, applied ? applied : &dummy, err);
}

enum app_err store_schema_version(struct store *s, int *current, int *expected,
				  struct app_error *err)
{
	return s->ops->schema_version(s, current, expected, err);
}

enum app_err store_check_schema(struct store *s, struct app_error *err)
{
	int cur, want;
	enum app_err rc = store_schema_version(s, &cur, &want, err);
	if (rc != APP_OK)
		return rc;
	if (cur < want)
		return app_fail(err, APP_EDB,
				"database schema is at version %d but this bianmin needs %d: run 'bianmin migrate'",
				cur, want);
	if (cur > want)
		return app_fail(err, APP_EDB,
				"database schema is at version %d, newer than this bianmin (%d): upgrade bianmin",
				cur, want);
	return APP_OK;
}

enum app_err store_region_get(struct store *s, const char *code, struct region *out,
			      struct app_error *err)
{
	return s->ops->region_get(s, code, out, err);
}

enum app_err store_region_children(struct store *s, const char *code, store_region_fn fn,
				   void *ctx, struct app_error *err)
{
	return s->ops->region_children(s, code, fn, ctx, err);
}

enum app_err store_region_subtree(struct store *s, const char *code, int max_depth,
				  store_region_fn fn, void *ctx, struct app_error *err)
{
	return s->ops->region_subtree(s, code, max_depth, fn, ctx, err);
}

enum app_err store_region_search(struct store *s, const struct region_query *q,
				 store_region_fn fn, void *ctx, struct app_error *err)
{
	if (!q->text || !*q->text || q->limit <= 0)
		return app_fail_field(err, APP_EINVAL, "q", "search text is empty");
	return s->ops->region_search(s, q, fn, ctx, err);
}

enum app_err store_region_exists(struct store *s, const char *code, bool *exists,
				 struct app_error *err)
{
	return s->ops->region_exists(s, code, exists, err);
}

enum app_err store_regions_import(struct store *s, const struct region *rows, size_t n,
				  struct region_import_counts *counts, struct app_error *err)
{
	struct region_import_counts dummy;
	return s->ops->regions_import(s, rows, n, counts ? counts : &dummy, err);
}

void store_stats(struct store *s, struct store_stats *out)
{
	memset(out, 0, sizeof(*out));
	s->ops->stats(s, out);
}
