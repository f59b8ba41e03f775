/*
 * pg_regions.c - the divisions registry on PostgreSQL: reads on pooled
 * connections, imports as one transaction.
 */
#include "store/pg_int.h"

#include <stdlib.h>
#include <string.h>

static void read_region(const PGresult *res, int row, struct region *r)
{
	pg_copy_text(r->code, sizeof(r->code), res, row, 0);
	pg_copy_text(r->parent_code, sizeof(r->parent_code), res, row, 1);
	r->level = (enum division_level)pg_int(res, row, 2);
	pg_copy_text(r->name, sizeof(r->name), res, row, 3);
	r->child_count = (int)pg_int(res, row, 4);
}

/*
 * Run statement id and hand each row to fn; adds the rows delivered to
 * *count and sets *stopped when fn asked to stop (both may be NULL).
 */
static enum app_err each_region(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
				store_region_fn fn, void *ctx, int *count, bool *stopped,
				struct app_error *err)
{
	PGresult *res;
	enum app_err rc = pg_exec(c, id, p, "reading regions", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct region reg;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_region(res, i, &reg);
		if (count)
			(*count)++;
		if (!fn(ctx, &reg)) {
			if (stopped)
				*stopped = true;
			break;
		}
	}
	PQclear(res);
	return APP_OK;
}

struct region_read {
	const char *code;
	struct region *out;
	bool *exists;
	int level_max;
	const struct region_query *q;
	store_region_fn fn;
	void *ctx;
};

static enum app_err get_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct region_read *rr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, rr->code);
	PGresult *res;
	enum app_err rc = pg_exec(c, rr->exists ? PS_REGION_EXISTS : PS_REGION_GET, &p,
				  rr->exists ? "looking up a region" : "reading a region", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	if (rr->exists) {
		*rr->exists = PQntuples(res) > 0;
	} else if (PQntuples(res) == 1) {
		read_region(res, 0, rr->out);
	} else {
		rc = app_fail(err, APP_ENOTFOUND, "region '%s' is not in the registry", rr->code);
	}
	PQclear(res);
	return rc;
}

static enum app_err region_get(struct store *s, const char *code, struct region *out,
			       struct app_error *err)
{
	struct region_read rr = { .code = code, .out = out };
	return pg_read(s, get_read, &rr, err);
}

static enum app_err region_exists(struct store *s, const char *code, bool *exists,
				  struct app_error *err)
{
	struct region_read rr = { .code = code, .exists = exists };
	return pg_read(s, get_read, &rr, err);
}

static enum app_err children_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct region_read *rr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, rr->code);
	return each_region(c, PS_REGION_CHILDREN, &p, rr->fn, rr->ctx, NULL, NULL, err);
}

static enum app_err region_children(struct store *s, const char *code, store_region_fn fn,
				    void *ctx, struct app_error *err)
{
	struct region_read rr = { .code = code, .fn = fn, .ctx = ctx };
	return pg_read(s, children_read, &rr, err);
}

static enum app_err subtree_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct region_read *rr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, rr->code);
	pgp_int(&p, rr->level_max);
	return each_region(c, PS_REGION_SUBTREE, &p, rr->fn, rr->ctx, NULL, NULL, err);
}

static enum app_err region_subtree(struct store *s, const char *code, int max_depth,
				   store_region_fn fn, void *ctx, struct app_error *err)
{
	enum division_level level;
	if (division_code_check(code, &level, err) != APP_OK)
		return APP_EINVAL;
	struct region_read rr = { .code = code, .level_max = (int)level + max_depth, .fn = fn,
				  .ctx = ctx };
	return pg_read(s, subtree_read, &rr, err);
}

static enum app_err search_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct region_read *rr = arg;
	const struct region_query *qu = rr->q;
	enum app_err rc = APP_OK;
	int found = 0;
	bool stopped = false; /* fn said stop: the infix pass must not run */
	static const enum pg_stmt passes[] = { PS_REGION_SEARCH_PREFIX, PS_REGION_SEARCH_INFIX };
	for (size_t i = 0; rc == APP_OK && i < 2 && found < qu->limit && !stopped; i++) {
		struct pg_params p = { 0 };
		pgp_text(&p, qu->text);
		pgp_text(&p, qu->within ? qu->within : "");
		pgp_int(&p, qu->level);
		pgp_int(&p, qu->limit - found);
		rc = each_region(c, passes[i], &p, rr->fn, rr->ctx, &found, &stopped, err);
	}
	return rc;
}

static enum app_err region_search(struct store *s, const struct region_query *qu,
				  store_region_fn fn, void *ctx, struct app_error *err)
{
	struct region_read rr = { .q = qu, .fn = fn, .ctx = ctx };
	return pg_read(s, search_read, &rr, err);
}

struct import_job {
	const struct region *rows;
	size_t n;
	const struct audit_note *note;
	struct region_import_counts counts;
};

static enum app_err import_one(struct pg_conn *c, const struct region *r,
			       struct region_import_counts *counts, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, r->code);
	PGresult *cur;
	enum app_err rc = pg_exec(c, PS_REGION_CURRENT, &p, "reading a region", &cur, NULL, err);
	if (rc != APP_OK)
		return rc;
	enum pg_stmt id = PS_REGION_INSERT;
	if (PQntuples(cur) == 1) {
		bool same = strcmp(PQgetvalue(cur, 0, 0), r->parent_code) == 0 &&
			    pg_int(cur, 0, 1) == (int)r->level &&
			    strcmp(PQgetvalue(cur, 0, 2), r->name) == 0;
		if (same) {
			PQclear(cur);
			counts->unchanged++;
			return APP_OK;
		}
		id = PS_REGION_UPDATE;
	}
	PQclear(cur);
	pgp_text(&p, r->parent_code);
	pgp_int(&p, (int)r->level);
	pgp_text(&p, r->name);
	rc = pg_exec(c, id, &p, "writing a region", NULL, NULL, err);
	if (rc != APP_OK) {
		if (strcmp(c->sqlstate, "23503") == 0)
			return app_fail(err, APP_EINVAL,
					"region '%s': parent '%s' is not in the registry", r->code,
					r->parent_code);
		return rc;
	}
	if (id == PS_REGION_INSERT)
		counts->inserted++;
	else
		counts->updated++;
	return APP_OK;
}

static enum app_err import_job_run(struct pg_conn *c, void *arg, struct app_error *err)
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
	enum app_err rc = pg_exec(c, PS_REGIONS_BUMP, NULL, "marking the regions changed", NULL,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	return ij->note ? pg_audit_append(c, ij->note, err) : APP_OK;
}

static enum app_err regions_import(struct store *s, const struct region *rows, size_t n,
				   const struct audit_note *note, struct region_import_counts *counts,
				   struct app_error *err)
{
	struct import_job ij = { .rows = rows, .n = n, .note = note };
	enum app_err rc = pg_write(s, import_job_run, &ij, err);
	if (rc == APP_OK)
		*counts = ij.counts;
	return rc;
}

static enum app_err generation_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_REGIONS_GENERATION, NULL, "reading the regions generation",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1)
		*(int64_t *)arg = pg_int(res, 0, 0);
	else
		rc = app_fail(err, APP_EDB, "database error while reading the regions generation: "
				  "no row");
	PQclear(res);
	return rc;
}

static enum app_err regions_generation(struct store *s, int64_t *out, struct app_error *err)
{
	return pg_read(s, generation_read, out, err);
}

const struct store_region_ops pg_region_ops = {
	.generation = regions_generation,
	.get = region_get,
	.children = region_children,
	.subtree = region_subtree,
	.search = region_search,
	.exists = region_exists,
	.import = regions_import,
};
