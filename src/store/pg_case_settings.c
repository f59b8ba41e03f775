/*
 * pg_case_settings.c - what a county configures for its cases, on
 * PostgreSQL: the twin of sqlite_case_settings.c, with the same errors,
 * messages and orders.
 *
 * A write is one transaction: the rows, the new version and the audit
 * entry, or none of them. Two writes for one county at once queue on the
 * county's version row (the upsert locks it), so their versions follow
 * their commits. Replacing a category tree checks, inside its transaction,
 * that no open case of the county is left with a category the new tree
 * lacks; a demand raised by another transaction at that very moment may
 * still take a category the import removes (it read the old tree), which
 * leaves it showing its category's code instead of a name.
 */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

/* Run a write: as pg_exec_write, and a value a CHECK refuses is said as
 * sqlite_case_settings.c says it. */
static enum app_err write_stmt(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			       const char *what, struct app_error *err)
{
	enum app_err rc = pg_exec_write(c, id, p, what, NULL, NULL, err);
	if (rc == APP_EDB && strcmp(c->sqlstate, "23514") == 0) /* check_violation */
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

static enum app_err read_version(struct pg_conn *c, const char *county, int64_t *version,
				 struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, county);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_SETTINGS_VERSION, &p,
				  "reading the version of a county's settings", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*version = PQntuples(res) ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return APP_OK;
}

struct version_read {
	const char *county;
	int64_t *version;
};

static enum app_err version_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct version_read *vr = arg;
	return read_version(c, vr->county, vr->version, err);
}

static enum app_err settings_version(struct store *s, const char *county, int64_t *version,
				     struct app_error *err)
{
	struct version_read vr = { county, version };
	return pg_read(s, version_read, &vr, err);
}

struct load_read {
	const char *county;
	int64_t *version;
	store_case_setting_fn sfn;
	store_case_category_fn cfn;
	void *ctx;
};

static enum app_err load_settings(struct pg_conn *c, struct load_read *lr, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, lr->county);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_SETTINGS_LIST, &p, "reading a county's settings",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct case_setting_row row;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		memset(&row, 0, sizeof(row));
		pg_copy_text(row.name, sizeof(row.name), res, i, 0);
		pg_copy_text(row.value, sizeof(row.value), res, i, 1);
		pg_copy_text(row.set_by, sizeof(row.set_by), res, i, 2);
		row.set_at = pg_int(res, i, 3);
		if (!lr->sfn(lr->ctx, &row))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err load_categories(struct pg_conn *c, struct load_read *lr,
				    struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, lr->county);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_CATEGORIES_LIST, &p,
				  "reading a county's category tree", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct case_category_row row;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		memset(&row, 0, sizeof(row));
		pg_copy_text(row.code, sizeof(row.code), res, i, 0);
		pg_copy_text(row.parent, sizeof(row.parent), res, i, 1);
		pg_copy_text(row.name, sizeof(row.name), res, i, 2);
		pg_copy_text(row.urgency, sizeof(row.urgency), res, i, 3);
		row.sort = (int)pg_int(res, i, 4);
		row.active = pg_bool(res, i, 5);
		if (!lr->cfn(lr->ctx, &row))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err load_read(struct pg_conn *c, void *arg, struct app_error *err)
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
	return pg_read(s, load_read, &lr, err);
}

/* A new version for county, inside the transaction. */
static enum app_err bump(struct pg_conn *c, const char *county, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, county);
	return write_stmt(c, PS_CASE_SETTINGS_BUMP, &p, "counting a change of a county's settings",
			  err);
}

struct put_job {
	const char *county;
	const struct case_setting_row *rows;
	size_t n;
	const struct audit_note *note;
};

static enum app_err put_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct put_job *pj = arg;
	/* the version row first: a second writer of the county waits here */
	enum app_err rc = bump(c, pj->county, err);
	for (size_t i = 0; rc == APP_OK && i < pj->n; i++) {
		const struct case_setting_row *r = &pj->rows[i];
		struct pg_params p = { 0 };
		pgp_text(&p, pj->county);
		pgp_text(&p, r->name);
		pgp_text(&p, r->value);
		pgp_text(&p, r->set_by);
		pgp_int(&p, r->set_at);
		if ((rc = write_stmt(c, PS_CASE_SETTING_PUT, &p, "storing a setting", err)) !=
		    APP_OK) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			app_fail(err, rc, "%s: %s", r->name, why);
		}
	}
	return rc == APP_OK && pj->note ? pg_audit_append(c, pj->note, err) : rc;
}

static enum app_err settings_put(struct store *s, const char *county,
				 const struct case_setting_row *rows, size_t n,
				 const struct audit_note *note, struct app_error *err)
{
	struct put_job pj = { county, rows, n, note };
	return pg_write(s, put_job, &pj, err);
}

struct tree_job {
	const char *county;
	const struct case_category_row *rows;
	size_t n;
	const struct audit_note *note;
};

/* After the new tree is in: refuse it when an open case of the county has
 * a category it lacks. */
static enum app_err check_in_use(struct pg_conn *c, const char *county, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, county);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_CATEGORY_IN_USE, &p,
				  "looking for categories in use", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res)) {
		char code[CASE_CATEGORY_CODE_MAX];
		pg_copy_text(code, sizeof(code), res, 0, 0);
		int64_t cases = pg_int(res, 0, 1);
		rc = app_fail(err, APP_ECONFLICT,
			      "category '%s' is missing, but %lld open case%s of county %s "
			      "%s it: keep it in the tree and deactivate it instead",
			      code, (long long)cases, cases == 1 ? "" : "s", county,
			      cases == 1 ? "has" : "have");
	}
	PQclear(res);
	return rc;
}

static enum app_err tree_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct tree_job *tj = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, tj->county);
	/* the version row first: a second writer of the county waits here */
	enum app_err rc = bump(c, tj->county, err);
	if (rc == APP_OK)
		rc = write_stmt(c, PS_CASE_CATEGORIES_CLEAR, &p, "clearing a county's category tree",
				err);
	for (size_t i = 0; rc == APP_OK && i < tj->n; i++) {
		const struct case_category_row *r = &tj->rows[i];
		memset(&p, 0, sizeof(p));
		pgp_text(&p, tj->county);
		pgp_text(&p, r->code);
		pgp_text(&p, r->parent);
		pgp_text(&p, r->name);
		pgp_text(&p, r->urgency);
		pgp_int(&p, r->sort);
		pgp_text(&p, r->active ? "true" : "false");
		if ((rc = write_stmt(c, PS_CASE_CATEGORY_INSERT, &p, "storing a category", err)) !=
		    APP_OK) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			/* a code twice is the caller's to fix, not a race */
			rc = app_fail(err, rc == APP_ECONFLICT ? APP_EINVAL : rc, "category '%s': %s",
				      r->code, why);
		}
	}
	if (rc == APP_OK)
		rc = check_in_use(c, tj->county, err);
	return rc == APP_OK && tj->note ? pg_audit_append(c, tj->note, err) : rc;
}

static enum app_err categories_put(struct store *s, const char *county,
				   const struct case_category_row *rows, size_t n,
				   const struct audit_note *note, struct app_error *err)
{
	struct tree_job tj = { county, rows, n, note };
	return pg_write(s, tree_job, &tj, err);
}

const struct store_case_settings_ops pg_case_settings_ops = {
	.version = settings_version,
	.load = settings_load,
	.put = settings_put,
	.categories_put = categories_put,
};
