/*
 * pg_groups.c - service groups, their members, rosters and duty rotas on
 * PostgreSQL: the twin of sqlite_groups.c, with the same errors, messages,
 * counts and orders.
 *
 * Each write is one transaction that also appends its audit entry; each
 * read runs on a pooled connection. Where several connections may write at
 * once (SQLite has one writer), the statements say how they keep the
 * outcome the same: a sync leaves a group another sync made, and writers of
 * one group's rota queue on the group's row.
 */
#include "store/pg_int.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum app_err audit(struct pg_conn *c, const struct audit_note *note,
			  struct app_error *err)
{
	return note ? pg_audit_append(c, note, err) : APP_OK;
}

/* The note's object names a row that had no id until inserted. */
static enum app_err audit_new(struct pg_conn *c, const struct audit_note *note,
			      const char *kind, int64_t id, struct app_error *err)
{
	if (!note)
		return APP_OK;
	char object[48];
	snprintf(object, sizeof(object), "%s:%lld", kind, (long long)id);
	struct audit_note n = *note;
	n.object = object;
	return pg_audit_append(c, &n, err);
}

/* The id an INSERT ... RETURNING id gave. */
static int64_t returned_id(PGresult *res)
{
	int64_t id = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return id;
}

/* Run a write: as pg_exec_write, and a taken join code or a value a CHECK
 * refuses are said as sqlite_groups.c says them. */
static enum app_err write_stmt(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			       const char *what, PGresult **res, int64_t *changes,
			       struct app_error *err)
{
	enum app_err rc = pg_exec_write(c, id, p, what, res, changes, err);
	if (rc == APP_ECONFLICT && strcmp(c->constraint, "groups_join_code_key") == 0)
		return app_fail_field(err, APP_ECONFLICT, "join_code", "this join code is taken");
	if (rc == APP_EDB && strcmp(c->sqlstate, "23514") == 0) /* check_violation */
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* ---- groups ---- */

static void read_group(const PGresult *r, int row, struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = pg_int(r, row, 0);
	pg_copy_text(g->kind, sizeof(g->kind), r, row, 1);
	pg_copy_text(g->region, sizeof(g->region), r, row, 2);
	pg_copy_text(g->name, sizeof(g->name), r, row, 3);
	pg_copy_text(g->join_code, sizeof(g->join_code), r, row, 4);
	g->approval = pg_bool(r, row, 5);
	g->duty_start = (int)pg_int(r, row, 6);
	g->duty_end = (int)pg_int(r, row, 7);
	g->created_at = pg_int(r, row, 8);
	g->members = (int)pg_int(r, row, 9);
}

struct sync_job {
	const char *within;
	int64_t now;
	const struct audit_note *note;
	struct group_sync_counts *counts;
};

static enum app_err sync_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct sync_job *sj = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, sj->within);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_GROUPS_SYNC_COUNT, &p, "counting regions", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	int64_t regions = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	pgp_int(&p, sj->now);
	int64_t created = 0;
	if ((rc = write_stmt(c, PS_GROUPS_SYNC, &p, "making groups", NULL, &created, err)) !=
	    APP_OK)
		return rc;
	sj->counts->created = created;
	sj->counts->existing = regions - created;
	return audit(c, sj->note, err);
}

static enum app_err groups_sync(struct store *s, const char *within, int64_t now,
				const struct audit_note *note, struct group_sync_counts *counts,
				struct app_error *err)
{
	struct sync_job sj = { within, now, note, counts };
	return pg_write(s, sync_job, &sj, err);
}

struct group_write {
	const struct group *g;
	const struct audit_note *note;
	int64_t id;
};

static enum app_err group_create_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct group_write *gw = arg;
	const struct group *g = gw->g;
	struct pg_params p = { 0 };
	pgp_text(&p, g->kind);
	pgp_text(&p, g->region);
	pgp_text(&p, g->name);
	pgp_text(&p, g->join_code);
	pgp_text(&p, g->approval ? "true" : "false");
	pgp_int(&p, g->duty_start);
	pgp_int(&p, g->duty_end);
	pgp_int(&p, g->created_at);
	PGresult *res;
	enum app_err rc = write_stmt(c, PS_GROUP_INSERT, &p, "making a group", &res, NULL, err);
	if (rc == APP_ECONFLICT && strcmp(c->constraint, "groups_one_per_region") == 0)
		return app_fail(err, APP_ECONFLICT, "region %s has its %s group already", g->region,
				g->kind);
	if (rc != APP_OK)
		return rc;
	gw->id = returned_id(res);
	return audit_new(c, gw->note, "group", gw->id, err);
}

static enum app_err group_create(struct store *s, const struct group *g,
				 const struct audit_note *note, int64_t *id, struct app_error *err)
{
	struct group_write gw = { g, note, 0 };
	enum app_err rc = pg_write(s, group_create_job, &gw, err);
	if (rc == APP_OK)
		*id = gw.id;
	return rc;
}

struct group_read {
	enum pg_stmt stmt;
	int64_t id;
	const char *code;
	struct group *out;
};

static enum app_err group_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct group_read *gr = arg;
	struct pg_params p = { 0 };
	if (gr->code)
		pgp_text(&p, gr->code);
	else
		pgp_int(&p, gr->id);
	PGresult *res;
	enum app_err rc = pg_exec(c, gr->stmt, &p, "reading a group", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1)
		read_group(res, 0, gr->out);
	else
		rc = app_fail(err, APP_ENOTFOUND, "no such group");
	PQclear(res);
	return rc;
}

static enum app_err group_get(struct store *s, int64_t id, struct group *out,
			      struct app_error *err)
{
	struct group_read gr = { PS_GROUP_GET, id, NULL, out };
	return pg_read(s, group_read, &gr, err);
}

static enum app_err group_head(struct store *s, int64_t id, struct group *out,
			       struct app_error *err)
{
	struct group_read gr = { PS_GROUP_HEAD, id, NULL, out };
	return pg_read(s, group_read, &gr, err);
}

static enum app_err group_by_join_code(struct store *s, const char *code, struct group *out,
				       struct app_error *err)
{
	struct group_read gr = { PS_GROUP_BY_CODE, 0, code, out };
	return pg_read(s, group_read, &gr, err);
}

static enum app_err group_update_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct group_write *gw = arg;
	const struct group *g = gw->g;
	struct pg_params p = { 0 };
	pgp_int(&p, g->id);
	pgp_text(&p, g->name);
	pgp_text(&p, g->approval ? "true" : "false");
	pgp_int(&p, g->duty_start);
	pgp_int(&p, g->duty_end);
	pgp_text(&p, g->join_code);
	int64_t changed = 0;
	enum app_err rc = write_stmt(c, PS_GROUP_UPDATE, &p, "changing a group", NULL, &changed,
				     err);
	if (rc != APP_OK)
		return rc;
	if (changed == 0)
		return app_fail(err, APP_ENOTFOUND, "no such group");
	return audit(c, gw->note, err);
}

static enum app_err group_update(struct store *s, const struct group *g,
				 const struct audit_note *note, struct app_error *err)
{
	struct group_write gw = { g, note, 0 };
	return pg_write(s, group_update_job, &gw, err);
}

struct group_list {
	const char *within, *kind;
	int64_t after_id;
	int limit;
	store_group_fn fn;
	void *ctx;
};

static enum app_err group_list_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct group_list *gl = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, gl->within);
	pgp_text(&p, gl->kind);
	pgp_int(&p, gl->after_id);
	pgp_int(&p, gl->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_GROUP_LIST, &p, "listing groups", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct group g;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_group(res, i, &g);
		if (!gl->fn(gl->ctx, &g))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err group_list(struct store *s, const char *within, const char *kind,
			       int64_t after_id, int limit, store_group_fn fn, void *ctx,
			       struct app_error *err)
{
	struct group_list gl = { within, kind, after_id, limit, fn, ctx };
	return pg_read(s, group_list_read, &gl, err);
}

/* ---- members ---- */

static void read_member(const PGresult *r, int row, struct group_member *m)
{
	memset(m, 0, sizeof(*m));
	m->group_id = pg_int(r, row, 0);
	m->user_id = pg_int(r, row, 1);
	pg_copy_text(m->role, sizeof(m->role), r, row, 2);
	pg_copy_text(m->function, sizeof(m->function), r, row, 3);
	pg_copy_text(m->state, sizeof(m->state), r, row, 4);
	m->joined_at = pg_int(r, row, 5);
	pg_copy_text(m->name, sizeof(m->name), r, row, 6);
	pg_copy_text(m->phone, sizeof(m->phone), r, row, 7);
}

static enum app_err put_member(struct pg_conn *c, const struct group_member *m,
			       struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, m->group_id);
	pgp_int(&p, m->user_id);
	pgp_text(&p, m->role);
	pgp_text(&p, m->function);
	pgp_text(&p, m->state);
	pgp_int(&p, m->joined_at);
	return write_stmt(c, PS_MEMBER_PUT, &p, "adding a group member", NULL, NULL, err);
}

struct member_write {
	const struct group_member *m;
	const struct audit_note *note;
};

static enum app_err member_put_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct member_write *mw = arg;
	enum app_err rc = put_member(c, mw->m, err);
	return rc == APP_OK ? audit(c, mw->note, err) : rc;
}

static enum app_err member_put(struct store *s, const struct group_member *m,
			       const struct audit_note *note, struct app_error *err)
{
	struct member_write mw = { m, note };
	return pg_write(s, member_put_job, &mw, err);
}

struct member_list {
	enum pg_stmt stmt;
	int64_t a, b;
	const char *state;
	int limit;
	store_member_fn fn;
	void *ctx;
	bool found;
};

static enum app_err member_list_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct member_list *ml = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, ml->a);
	if (ml->stmt == PS_MEMBER_GET) {
		pgp_int(&p, ml->b);
	} else if (ml->stmt == PS_GROUP_MEMBERS) {
		pgp_text(&p, ml->state);
		pgp_int(&p, ml->b);
		pgp_int(&p, ml->limit);
	}
	PGresult *res;
	enum app_err rc = pg_exec(c, ml->stmt, &p, "reading group members", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct group_member m;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_member(res, i, &m);
		ml->found = true;
		if (!ml->fn(ml->ctx, &m))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static bool copy_member(void *ctx, const struct group_member *m)
{
	*(struct group_member *)ctx = *m;
	return false;
}

static enum app_err member_get(struct store *s, int64_t group_id, int64_t user_id,
			       struct group_member *out, struct app_error *err)
{
	struct member_list ml = { .stmt = PS_MEMBER_GET, .a = group_id, .b = user_id,
				  .fn = copy_member, .ctx = out };
	enum app_err rc = pg_read(s, member_list_read, &ml, err);
	if (rc == APP_OK && !ml.found)
		return app_fail(err, APP_ENOTFOUND, "that person is not a member of this group");
	return rc;
}

static enum app_err group_members(struct store *s, int64_t group_id, const char *state,
				  int64_t after_user, int limit, store_member_fn fn, void *ctx,
				  struct app_error *err)
{
	struct member_list ml = { .stmt = PS_GROUP_MEMBERS, .a = group_id, .b = after_user,
				  .state = state, .limit = limit, .fn = fn, .ctx = ctx };
	return pg_read(s, member_list_read, &ml, err);
}

static enum app_err member_groups(struct store *s, int64_t user_id, store_member_fn fn,
				  void *ctx, struct app_error *err)
{
	struct member_list ml = { .stmt = PS_MEMBER_GROUPS, .a = user_id, .fn = fn, .ctx = ctx };
	return pg_read(s, member_list_read, &ml, err);
}

/* ---- rosters ---- */

struct roster_job {
	int64_t group_id;
	const struct roster_row *rows;
	size_t n;
	int64_t now;
	const struct audit_note *note;
	struct roster_counts *counts;
	/* the set-based step's refusal, when the line-by-line path ran */
	bool fell_back;
	struct app_error why;
	char constraint[64];
};

/* The id of the user with phone, 0 when none. */
static enum app_err user_by_phone(struct pg_conn *c, const char *phone, int64_t *id,
				  struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, phone);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_USER_ID_BY_PHONE, &p, "finding a user", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*id = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return APP_OK;
}

/* A household at region and its person; *user_id receives the person's id. */
static enum app_err add_household(struct pg_conn *c, const struct roster_row *row,
				  const char *region, int64_t now, int64_t *user_id,
				  struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, region);
	pgp_text(&p, row->address);
	pgp_int(&p, now);
	PGresult *res;
	enum app_err rc = write_stmt(c, PS_HOUSEHOLD_INSERT, &p, "adding a household", &res, NULL,
				     err);
	if (rc != APP_OK)
		return rc;
	int64_t household = returned_id(res);
	struct pg_params q = { 0 };
	pgp_text(&q, row->name);
	pgp_text(&q, row->phone);
	pgp_text(&q, row->id_number);
	pgp_text(&q, region);
	pgp_int(&q, household);
	pgp_text(&q, "");
	pgp_text(&q, "false");
	pgp_int(&q, now);
	if ((rc = write_stmt(c, PS_USER_INSERT, &q, "adding a resident", &res, NULL, err)) !=
	    APP_OK)
		return rc;
	*user_id = returned_id(res);
	return APP_OK;
}

/*
 * Mark in known[i] each row whose phone is registered: one query for the
 * roster. Then the rows that are neither known nor repeats are new persons.
 */
static enum app_err roster_known(struct pg_conn *c, const struct roster_job *rj, bool *known,
				 struct app_error *err)
{
	struct strbuf phones = STRBUF_INIT;
	store_roster_phones_json(rj->rows, rj->n, &phones);
	struct pg_params p = { 0 };
	pgp_text(&p, phones.buf);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ROSTER_PHONES, &p, "finding the roster's known persons",
				  &res, NULL, err);
	strbuf_release(&phones);
	if (rc != APP_OK)
		return rc;
	for (int r = 0; r < PQntuples(res); r++) {
		int64_t i = pg_int(res, r, 0);
		if (i >= 0 && (size_t)i < rj->n)
			known[i] = true;
	}
	PQclear(res);
	return APP_OK;
}

/*
 * The roster's nnew new persons (not known, not repeats) as households,
 * users and active residents of g: one statement for all of them. The
 * caller runs it in a savepoint: on a conflict (an ID number taken) it
 * rolls back and takes the row-by-row path, whose error names the line.
 */
static enum app_err roster_new(struct pg_conn *c, const struct roster_job *rj,
			       const struct group *g, const bool *known, size_t nnew,
			       struct app_error *err)
{
	struct strbuf people = STRBUF_INIT;
	if (store_roster_new_json(rj->rows, rj->n, known, &people) != nnew) {
		strbuf_release(&people);
		return app_fail(err, APP_EINTERNAL,
				"adding the roster's households: the new persons miscounted");
	}
	struct pg_params p = { 0 };
	pgp_text(&p, g->region);
	pgp_int(&p, g->id);
	pgp_int(&p, rj->now);
	pgp_text(&p, people.buf);
	int64_t joined = 0;
	enum app_err rc = write_stmt(c, PS_ROSTER_NEW, &p, "adding the roster's households", NULL,
				     &joined, err);
	strbuf_release(&people);
	if (rc == APP_OK && joined != (int64_t)nnew)
		return app_fail(err, APP_EDB, "adding the roster's households: %lld members "
			       "instead of %zu", (long long)joined, nnew);
	return rc;
}

/*
 * The new persons set-based in a savepoint of their own (*bulk: it
 * stood). A conflict or invalid input there is rolled back and left to
 * the line-by-line path, which names the line (rj->why); any other
 * failure is the import's.
 */
static enum app_err roster_bulk(struct pg_conn *c, struct roster_job *rj, const struct group *g,
				const bool *known, size_t nnew, bool *bulk, struct app_error *err)
{
	enum app_err rc = pg_conn_exec(c, "SAVEPOINT roster", "opening a savepoint", err);
	if (rc != APP_OK)
		return rc;
	struct pg_tx_state before = c->tx;
	rc = roster_new(c, rj, g, known, nnew, &rj->why);
	if (rc != APP_OK && rc != APP_ECONFLICT && rc != APP_EINVAL) {
		*err = rj->why;
		return rc; /* pg_write takes the transaction back */
	}
	*bulk = rc == APP_OK;
	if (!*bulk) {
		snprintf(rj->constraint, sizeof(rj->constraint), "%s", c->constraint);
		rj->fell_back = true;
		rc = pg_conn_exec(c, "ROLLBACK TO SAVEPOINT roster", "rolling back a write", err);
		c->tx = before;
		if (rc != APP_OK)
			return rc;
	}
	return pg_conn_exec(c, "RELEASE SAVEPOINT roster", "releasing a savepoint", err);
}

/* One row the set-based step left: a known person, a repeat, or any row
 * when that step failed. */
static enum app_err roster_one(struct pg_conn *c, struct roster_job *rj, const struct group *g,
			       const struct roster_row *row, struct app_error *err)
{
	int64_t uid;
	enum app_err rc = user_by_phone(c, row->phone, &uid, err);
	if (rc != APP_OK)
		return rc;
	bool made = !uid; /* a person made here is in no group yet */
	if (made) {
		rc = add_household(c, row, g->region, rj->now, &uid, err);
		if (rc != APP_OK) {
			char why[sizeof(err->msg)], field[sizeof(err->field)];
			snprintf(why, sizeof(why), "%s", err->msg);
			snprintf(field, sizeof(field), "%s", err->field);
			return app_fail_field(err, rc, field, "line %d: %s", row->line, why);
		}
		rj->counts->households++;
		rj->counts->users++;
	}
	struct group_member m = { .group_id = g->id, .user_id = uid, .joined_at = rj->now };
	struct member_list ml = { .stmt = PS_MEMBER_GET, .a = g->id, .b = uid,
				  .fn = copy_member, .ctx = &m };
	if (!made && (rc = member_list_read(c, &ml, err)) != APP_OK)
		return rc;
	if (ml.found && strcmp(m.state, "active") == 0) {
		rj->counts->already++;
		return APP_OK;
	}
	/* a new member, or one who had left, comes back as a resident: a
	 * roster never gives back a role that was taken away */
	if (!ml.found || strcmp(m.state, "left") == 0) {
		snprintf(m.role, sizeof(m.role), "resident");
		m.function[0] = '\0';
	}
	snprintf(m.state, sizeof(m.state), "active");
	if ((rc = put_member(c, &m, err)) == APP_OK)
		rj->counts->joined++;
	return rc;
}

static enum app_err roster_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct roster_job *rj = arg;
	struct group g;
	struct group_read gr = { PS_GROUP_HEAD, rj->group_id, NULL, &g };
	bool *known = xcalloc(rj->n, sizeof(*known));
	enum app_err rc = group_read(c, &gr, err);
	if (rc == APP_OK)
		rc = roster_known(c, rj, known, err);
	size_t nnew = 0;
	for (size_t i = 0; rc == APP_OK && i < rj->n; i++)
		nnew += !known[i] && !rj->rows[i].repeat;
	bool bulk = false;
	if (rc == APP_OK && nnew)
		rc = roster_bulk(c, rj, &g, known, nnew, &bulk, err);
	if (bulk)
		rj->counts->households = rj->counts->users = rj->counts->joined = (int64_t)nnew;
	for (size_t i = 0; rc == APP_OK && i < rj->n; i++)
		if (!bulk || known[i] || rj->rows[i].repeat)
			rc = roster_one(c, rj, &g, &rj->rows[i], err);
	free(known);
	return rc == APP_OK ? audit(c, rj->note, err) : rc;
}

static enum app_err roster_import(struct store *s, int64_t group_id,
				  const struct roster_row *rows, size_t n, int64_t now,
				  const struct audit_note *note, struct roster_counts *counts,
				  struct app_error *err)
{
	struct roster_job rj = { .group_id = group_id, .rows = rows, .n = n, .now = now,
				 .note = note, .counts = counts };
	enum app_err rc = pg_write(s, roster_job, &rj, err);
	if (rj.fell_back)
		store_roster_fell_back(s, group_id, rj.constraint, &rj.why);
	if (rc != APP_OK)
		memset(counts, 0, sizeof(*counts)); /* nothing was kept */
	return rc;
}

/* ---- duty ---- */

struct rota_job {
	int64_t group_id;
	const int64_t *users;
	const struct audit_note *note;
};

static enum app_err rota_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct rota_job *rj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, rj->group_id);
	enum app_err rc = pg_exec(c, PS_GROUP_LOCK, &p, "locking the rota", NULL, NULL, err);
	if (rc == APP_OK)
		rc = write_stmt(c, PS_DUTY_ROTA_CLEAR, &p, "clearing the rota", NULL, NULL, err);
	for (int d = 0; rc == APP_OK && d < 7; d++) {
		if (!rj->users[d])
			continue;
		struct pg_params q = { 0 };
		pgp_int(&q, rj->group_id);
		pgp_int(&q, d);
		pgp_int(&q, rj->users[d]);
		rc = write_stmt(c, PS_DUTY_ROTA_INSERT, &q, "setting the rota", NULL, NULL, err);
	}
	return rc == APP_OK ? audit(c, rj->note, err) : rc;
}

static enum app_err duty_rota_set(struct store *s, int64_t group_id, const int64_t users[7],
				  const struct audit_note *note, struct app_error *err)
{
	struct rota_job rj = { group_id, users, note };
	return pg_write(s, rota_job, &rj, err);
}

struct override_job {
	int64_t group_id;
	const struct duty_override *o;
	const struct audit_note *note;
};

static enum app_err override_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct override_job *oj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, oj->group_id);
	pgp_int(&p, oj->o->day);
	if (oj->o->user_id) {
		pgp_int(&p, oj->o->user_id);
		pgp_text(&p, oj->o->reason);
	}
	enum app_err rc = write_stmt(c, oj->o->user_id ? PS_DUTY_OVERRIDE_PUT
						       : PS_DUTY_OVERRIDE_DELETE,
				     &p, "changing a day's duty", NULL, NULL, err);
	return rc == APP_OK ? audit(c, oj->note, err) : rc;
}

static enum app_err duty_override_set(struct store *s, int64_t group_id,
				      const struct duty_override *o, const struct audit_note *note,
				      struct app_error *err)
{
	struct override_job oj = { group_id, o, note };
	return pg_write(s, override_job, &oj, err);
}

struct leave_job {
	int64_t group_id;
	const struct duty_leave *l;
	int64_t leave_id;
	const struct audit_note *note;
};

static enum app_err leave_add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct leave_job *lj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, lj->group_id);
	pgp_int(&p, lj->l->user_id);
	pgp_int(&p, lj->l->first_day);
	pgp_int(&p, lj->l->last_day);
	pgp_text(&p, lj->l->reason);
	PGresult *res;
	enum app_err rc = write_stmt(c, PS_DUTY_LEAVE_INSERT, &p, "recording leave", &res, NULL,
				     err);
	if (rc != APP_OK)
		return rc;
	lj->leave_id = returned_id(res);
	return audit(c, lj->note, err);
}

static enum app_err duty_leave_add(struct store *s, int64_t group_id, const struct duty_leave *l,
				   const struct audit_note *note, int64_t *id,
				   struct app_error *err)
{
	struct leave_job lj = { group_id, l, 0, note };
	enum app_err rc = pg_write(s, leave_add_job, &lj, err);
	if (rc == APP_OK)
		*id = lj.leave_id;
	return rc;
}

static enum app_err leave_remove_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct leave_job *lj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, lj->group_id);
	pgp_int(&p, lj->leave_id);
	int64_t changed = 0;
	enum app_err rc = write_stmt(c, PS_DUTY_LEAVE_DELETE, &p, "removing leave", NULL, &changed,
				     err);
	if (rc != APP_OK)
		return rc;
	if (changed == 0)
		return app_fail(err, APP_ENOTFOUND, "this group has no such leave");
	return audit(c, lj->note, err);
}

static enum app_err duty_leave_remove(struct store *s, int64_t group_id, int64_t leave_id,
				      const struct audit_note *note, struct app_error *err)
{
	struct leave_job lj = { group_id, NULL, leave_id, note };
	return pg_write(s, leave_remove_job, &lj, err);
}

struct duty_read {
	int64_t group_id;
	int first_day, last_day;
	struct duty_data *out;
};

static enum app_err duty_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct duty_read *dr = arg;
	struct duty_data *d = dr->out;
	struct pg_params p = { 0 };
	pgp_int(&p, dr->group_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_DUTY_ROTA_GET, &p, "reading the rota", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		int64_t wd = pg_int(res, i, 0);
		if (wd >= 0 && wd < 7)
			d->weekday_user[wd] = pg_int(res, i, 1);
	}
	PQclear(res);
	pgp_int(&p, dr->first_day);
	pgp_int(&p, dr->last_day);
	if ((rc = pg_exec(c, PS_DUTY_OVERRIDES, &p, "reading duty overrides", &res, NULL, err)) !=
	    APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n && d->noverrides < 64; i++) {
		struct duty_override *o = &d->overrides[d->noverrides++];
		o->day = (int)pg_int(res, i, 0);
		o->user_id = pg_int(res, i, 1);
		pg_copy_text(o->reason, sizeof(o->reason), res, i, 2);
	}
	PQclear(res);
	if ((rc = pg_exec(c, PS_DUTY_LEAVES, &p, "reading leave", &res, NULL, err)) != APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n && d->nleaves < 64; i++) {
		struct duty_leave *l = &d->leaves[d->nleaves++];
		l->id = pg_int(res, i, 0);
		l->user_id = pg_int(res, i, 1);
		l->first_day = (int)pg_int(res, i, 2);
		l->last_day = (int)pg_int(res, i, 3);
		pg_copy_text(l->reason, sizeof(l->reason), res, i, 4);
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err duty_get(struct store *s, int64_t group_id, int first_day, int last_day,
			     struct duty_data *out, struct app_error *err)
{
	struct duty_read dr = { group_id, first_day, last_day, out };
	return pg_read(s, duty_read, &dr, err);
}

const struct store_group_ops pg_group_ops = {
	.sync = groups_sync,
	.create = group_create,
	.get = group_get,
	.head = group_head,
	.by_join_code = group_by_join_code,
	.update = group_update,
	.list = group_list,
	.member_put = member_put,
	.member_get = member_get,
	.members = group_members,
	.member_groups = member_groups,
	.roster_import = roster_import,
	.duty_rota_set = duty_rota_set,
	.duty_override_set = duty_override_set,
	.duty_leave_add = duty_leave_add,
	.duty_leave_remove = duty_leave_remove,
	.duty_get = duty_get,
};
