/*
 * sqlite_case_settings.c - what a county configures for its cases, on
 * SQLite: its settings (values as written), its category tree and the
 * version every change of either bumps.
 *
 * A write is one group-committed job: the rows, the new version and the
 * audit entry, or none of them. Replacing a category tree checks, inside the
 * same job, that no open case of the county is left with a category the new
 * tree lacks; the writer runs one job at a time, so nothing slips between
 * the check and the commit. No rules here: src/cases/case_settings.c says
 * what a value means and checks a file before it comes this far.
 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

/* Step a write: as sq_step_write, and a value a CHECK refuses is the
 * caller's to fix, said as pg_case_settings.c says it. */
static enum app_err step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			       struct app_error *err)
{
	enum app_err rc = sq_step_write(c, st, what, err);
	if (rc == APP_EDB && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_CHECK)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* The county's version, 0 when it has none (on c, in or out of a job). */
static enum app_err read_version(struct conn *c, const char *county, int64_t *version,
				 struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_SETTINGS_VERSION, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	*version = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE
		       ? APP_OK
		       : sq_db_fail(err, c->db, "reading the version of a county's settings");
}

struct version_read {
	const char *county;
	int64_t *version;
};

static enum app_err version_read(struct conn *c, void *arg, struct app_error *err)
{
	struct version_read *vr = arg;
	return read_version(c, vr->county, vr->version, err);
}

static enum app_err settings_version(struct store *s, const char *county, int64_t *version,
				     struct app_error *err)
{
	struct version_read vr = { county, version };
	return sq_read(s, version_read, &vr, err);
}

struct load_read {
	const char *county;
	int64_t *version;
	store_case_setting_fn sfn;
	store_case_category_fn cfn;
	void *ctx;
};

static enum app_err load_settings(struct conn *c, struct load_read *lr, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_SETTINGS_LIST, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, lr->county, -1, SQLITE_STATIC);
	int r;
	struct case_setting_row row;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		sq_copy_text(row.name, sizeof(row.name), st, 0);
		sq_copy_text(row.value, sizeof(row.value), st, 1);
		sq_copy_text(row.set_by, sizeof(row.set_by), st, 2);
		row.set_at = sqlite3_column_int64(st, 3);
		if (!lr->sfn(lr->ctx, &row)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading a county's settings");
}

static enum app_err load_categories(struct conn *c, struct load_read *lr, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_CATEGORIES_LIST, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, lr->county, -1, SQLITE_STATIC);
	int r;
	struct case_category_row row;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		sq_copy_text(row.code, sizeof(row.code), st, 0);
		sq_copy_text(row.parent, sizeof(row.parent), st, 1);
		sq_copy_text(row.name, sizeof(row.name), st, 2);
		sq_copy_text(row.urgency, sizeof(row.urgency), st, 3);
		row.sort = sqlite3_column_int(st, 4);
		row.active = sqlite3_column_int(st, 5) != 0;
		if (!lr->cfn(lr->ctx, &row)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK
				: sq_db_fail(err, c->db, "reading a county's category tree");
}

static enum app_err load_read(struct conn *c, void *arg, struct app_error *err)
{
	struct load_read *lr = arg;
	enum app_err rc = read_version(c, lr->county, lr->version, err);
	if (rc == APP_OK)
		rc = load_settings(c, lr, err);
	if (rc == APP_OK)
		rc = load_categories(c, lr, err);
	return rc;
}

static enum app_err settings_load(struct store *s, const char *county, int64_t *version,
				  store_case_setting_fn sfn, store_case_category_fn cfn, void *ctx,
				  struct app_error *err)
{
	struct load_read lr = { county, version, sfn, cfn, ctx };
	return sq_read(s, load_read, &lr, err);
}

/* A new version for county, inside the job. */
static enum app_err bump(struct conn *c, const char *county, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_SETTINGS_BUMP, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
	return step_write(c, st, "counting a change of a county's settings", err);
}

struct put_job {
	const char *county;
	const struct case_setting_row *rows;
	size_t n;
	const struct audit_note *note;
};

static enum app_err put_job(struct conn *c, void *arg, struct app_error *err)
{
	struct put_job *pj = arg;
	enum app_err rc = APP_OK;
	for (size_t i = 0; rc == APP_OK && i < pj->n; i++) {
		const struct case_setting_row *r = &pj->rows[i];
		sqlite3_stmt *st = sq_stmt(c, STMT_CASE_SETTING_PUT, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_text(st, 1, pj->county, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->value, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->set_by, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, r->set_at);
		if ((rc = step_write(c, st, "storing a setting", err)) != APP_OK) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			app_fail(err, rc, "%s: %s", r->name, why);
		}
	}
	if (rc == APP_OK)
		rc = bump(c, pj->county, err);
	return rc == APP_OK && pj->note ? sq_audit_append(c, pj->note, err) : rc;
}

static enum app_err settings_put(struct store *s, const char *county,
				 const struct case_setting_row *rows, size_t n,
				 const struct audit_note *note, struct app_error *err)
{
	struct put_job pj = { county, rows, n, note };
	return sq_write(s, put_job, &pj, err);
}

struct tree_job {
	const char *county;
	const struct case_category_row *rows;
	size_t n;
	const struct audit_note *note;
};

/* After the new tree is in: refuse it when an open case of the county has
 * a category it lacks. */
static enum app_err check_in_use(struct conn *c, const char *county, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_CATEGORY_IN_USE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	char code[CASE_CATEGORY_CODE_MAX] = "";
	int64_t cases = 0;
	if (r == SQLITE_ROW) {
		sq_copy_text(code, sizeof(code), st, 0);
		cases = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return app_fail(err, APP_ECONFLICT,
				"category '%s' is missing, but %lld open case%s of county %s "
				"%s it: keep it in the tree and deactivate it instead",
				code, (long long)cases, cases == 1 ? "" : "s", county,
				cases == 1 ? "has" : "have");
	return r == SQLITE_DONE ? APP_OK
				: sq_db_fail(err, c->db, "looking for categories in use");
}

static enum app_err tree_job(struct conn *c, void *arg, struct app_error *err)
{
	struct tree_job *tj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_CATEGORIES_CLEAR, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, tj->county, -1, SQLITE_STATIC);
	enum app_err rc = step_write(c, st, "clearing a county's category tree", err);
	for (size_t i = 0; rc == APP_OK && i < tj->n; i++) {
		const struct case_category_row *r = &tj->rows[i];
		if (!(st = sq_stmt(c, STMT_CASE_CATEGORY_INSERT, err)))
			return APP_EDB;
		sqlite3_bind_text(st, 1, tj->county, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->parent, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->urgency, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, r->sort);
		sqlite3_bind_int(st, 7, r->active);
		if ((rc = step_write(c, st, "storing a category", err)) != APP_OK) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			/* a code twice is the caller's to fix, not a race */
			rc = app_fail(err, rc == APP_ECONFLICT ? APP_EINVAL : rc, "category '%s': %s",
				      r->code, why);
		}
	}
	if (rc == APP_OK)
		rc = check_in_use(c, tj->county, err);
	if (rc == APP_OK)
		rc = bump(c, tj->county, err);
	return rc == APP_OK && tj->note ? sq_audit_append(c, tj->note, err) : rc;
}

static enum app_err categories_put(struct store *s, const char *county,
				   const struct case_category_row *rows, size_t n,
				   const struct audit_note *note, struct app_error *err)
{
	struct tree_job tj = { county, rows, n, note };
	return sq_write(s, tree_job, &tj, err);
}

const struct store_case_settings_ops sq_case_settings_ops = {
	.version = settings_version,
	.load = settings_load,
	.put = settings_put,
	.categories_put = categories_put,
};
