/*
 * sqlite_regions.c - the divisions registry on SQLite: reads on pooled
 * connections, imports as one group-committed write.
 */
#include "store/sqlite_int.h"

#include <string.h>



static void read_region(sqlite3_stmt *st, struct region *r)
{
	sq_copy_text(r->code, sizeof(r->code), st, 0);
	sq_copy_text(r->parent_code, sizeof(r->parent_code), st, 1);
	r->level = (enum division_level)sqlite3_column_int(st, 2);
	sq_copy_text(r->name, sizeof(r->name), st, 3);
	r->child_count = sqlite3_column_int(st, 4);
}

/*
 * Step st, handing each row to fn; adds the rows delivered to *count and
 * sets *stopped when fn asked to stop (both may be NULL).
 */
static enum app_err each_region(struct conn *c, sqlite3_stmt *st, store_region_fn fn, void *ctx,
				int *count, bool *stopped, struct app_error *err)
{
	int r;
	struct region reg;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_region(st, &reg);
		if (count)
			(*count)++;
		if (!fn(ctx, &reg)) {
			if (stopped)
				*stopped = true;
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "reading regions");
	return APP_OK;
}

static enum app_err region_get(struct store *s, const char *code, struct region *out,
				  struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = sq_stmt(c, STMT_REGION_GET, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			read_region(st, out);
			rc = APP_OK;
		} else if (r == SQLITE_DONE) {
			rc = app_fail(err, APP_ENOTFOUND, "region '%s' is not in the registry", code);
		} else {
			rc = sq_db_fail(err, c->db, "reading a region");
		}
		sqlite3_reset(st);
	}
	sq_reader_release(q, c);
	return rc;
}

static enum app_err region_children(struct store *s, const char *code, store_region_fn fn,
				       void *ctx, struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = sq_stmt(c, STMT_REGION_CHILDREN, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		rc = each_region(c, st, fn, ctx, NULL, NULL, err);
	}
	sq_reader_release(q, c);
	return rc;
}

static enum app_err region_subtree(struct store *s, const char *code, int max_depth,
				      store_region_fn fn, void *ctx, struct app_error *err)
{
	enum division_level level;
	if (division_code_check(code, &level, err) != APP_OK)
		return APP_EINVAL;
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = sq_stmt(c, STMT_REGION_SUBTREE, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, (int)level + max_depth);
		rc = each_region(c, st, fn, ctx, NULL, NULL, err);
	}
	sq_reader_release(q, c);
	return rc;
}

static enum app_err region_search(struct store *s, const struct region_query *qu,
				     store_region_fn fn, void *ctx, struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_OK;
	int found = 0;
	bool stopped = false; /* fn said stop: the infix pass must not run */
	static const enum stmt_id passes[] = { STMT_REGION_SEARCH_PREFIX, STMT_REGION_SEARCH_INFIX };
	for (size_t i = 0; rc == APP_OK && i < 2 && found < qu->limit && !stopped; i++) {
		sqlite3_stmt *st = sq_stmt(c, passes[i], err);
		if (!st) {
			rc = APP_EDB;
			break;
		}
		sqlite3_bind_text(st, 1, qu->text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, qu->within ? qu->within : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, qu->level);
		sqlite3_bind_int(st, 4, qu->limit - found);
		rc = each_region(c, st, fn, ctx, &found, &stopped, err);
	}
	sq_reader_release(q, c);
	return rc;
}

static enum app_err region_exists(struct store *s, const char *code, bool *exists,
				     struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = sq_stmt(c, STMT_REGION_EXISTS, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW || r == SQLITE_DONE) {
			*exists = r == SQLITE_ROW;
			rc = APP_OK;
		} else {
			rc = sq_db_fail(err, c->db, "looking up a region");
		}
		sqlite3_reset(st);
	}
	sq_reader_release(q, c);
	return rc;
}

struct import_job {
	const struct region *rows;
	size_t n;
	const struct audit_note *note;
	struct region_import_counts counts;
};

static enum app_err import_one(struct conn *c, const struct region *r,
			       struct region_import_counts *counts, struct app_error *err)
{
	sqlite3_stmt *cur = sq_stmt(c, STMT_REGION_CURRENT, err);
	if (!cur)
		return APP_EDB;
	sqlite3_bind_text(cur, 1, r->code, -1, SQLITE_STATIC);
	int step = sqlite3_step(cur);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		sqlite3_reset(cur);
		return sq_db_fail(err, c->db, "reading a region");
	}
	enum stmt_id id = STMT_REGION_INSERT;
	if (step == SQLITE_ROW) {
		const char *parent = (const char *)sqlite3_column_text(cur, 0);
		const char *name = (const char *)sqlite3_column_text(cur, 2);
		bool same = strcmp(parent ? parent : "", r->parent_code) == 0 &&
			    sqlite3_column_int(cur, 1) == (int)r->level &&
			    strcmp(name ? name : "", r->name) == 0;
		sqlite3_reset(cur);
		if (same) {
			counts->unchanged++;
			return APP_OK;
		}
		id = STMT_REGION_UPDATE;
	} else {
		sqlite3_reset(cur);
	}
	sqlite3_stmt *st = sq_stmt(c, id, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->parent_code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)r->level);
	sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
	int res = sqlite3_step(st);
	sqlite3_reset(st);
	if (res != SQLITE_DONE) {
		if (res == SQLITE_CONSTRAINT_FOREIGNKEY)
			return app_fail(err, APP_EINVAL,
					"region '%s': parent '%s' is not in the registry", r->code,
					r->parent_code);
		return sq_db_fail(err, c->db, "writing a region");
	}
	if (id == STMT_REGION_INSERT)
		counts->inserted++;
	else
		counts->updated++;
	return APP_OK;
}

static enum app_err import_job_run(struct conn *c, void *arg, struct app_error *err)
{
	struct import_job *ij = arg;
	memset(&ij->counts, 0, sizeof(ij->counts));
	/* Parents first, so that every foreign key holds row by row. */
	for (int level = 0; level < DIV__MAX; level++)
		for (size_t i = 0; i < ij->n; i++)
			if ((int)ij->rows[i].level == level) {
				enum app_err rc = import_one(c, &ij->rows[i], &ij->counts, err);
				if (rc != APP_OK)
					return rc;
			}
	/* An import that changed nothing leaves no trace and keeps caches. */
	if (ij->counts.inserted + ij->counts.updated == 0)
		return APP_OK;
	enum app_err rc = sq_run(c, STMT_REGIONS_BUMP, "marking the regions changed", err);
	if (rc != APP_OK)
		return rc;
	return ij->note ? sq_audit_append(c, ij->note, err) : APP_OK;
}

static enum app_err regions_import(struct store *s, const struct region *rows, size_t n,
				   const struct audit_note *note, struct region_import_counts *counts,
				   struct app_error *err)
{
	struct import_job ij = { .rows = rows, .n = n, .note = note };
	enum app_err rc = sq_write(s, import_job_run, &ij, err);
	if (rc == APP_OK)
		*counts = ij.counts;
	return rc;
}

static enum app_err generation_read(struct conn *c, void *arg, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_REGIONS_GENERATION, err);
	if (!st)
		return APP_EDB;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*(int64_t *)arg = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading the regions generation");
}

static enum app_err regions_generation(struct store *s, int64_t *out, struct app_error *err)
{
	return sq_read(s, generation_read, out, err);
}

const struct store_region_ops sq_region_ops = {
	.generation = regions_generation,
	.get = region_get,
	.children = region_children,
	.subtree = region_subtree,
	.search = region_search,
	.exists = region_exists,
	.import = regions_import,
};
