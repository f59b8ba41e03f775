/*
 * sqlite_groups.c - service groups, their members, rosters and duty rotas
 * on SQLite.
 *
 * Each write is one group-committed job that also appends its audit entry;
 * each read runs on a pooled connection.
 */
#include "store/sqlite_int.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum app_err audit(struct conn *c, const struct audit_note *note, struct app_error *err)
{
	return note ? sq_audit_append(c, note, err) : APP_OK;
}

/* The note's object names a row that had no id until inserted. */
static enum app_err audit_new(struct conn *c, const struct audit_note *note, const char *kind,
			      int64_t id, struct app_error *err)
{
	if (!note)
		return APP_OK;
	char object[48];
	snprintf(object, sizeof(object), "%s:%lld", kind, (long long)id);
	struct audit_note n = *note;
	n.object = object;
	return sq_audit_append(c, &n, err);
}

/* Step a write: as sq_step_write, and a taken join code or a value a
 * CHECK refuses (duty hours, kind, role, state, leave days) are the caller's
 * to fix, said as pg_groups.c says them. */
static enum app_err step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			       struct app_error *err)
{
	enum app_err rc = sq_step_write(c, st, what, err);
	if (rc == APP_ECONFLICT && strstr(sqlite3_errmsg(c->db), "groups.join_code"))
		return app_fail_field(err, APP_ECONFLICT, "join_code", "this join code is taken");
	if (rc == APP_EDB && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_CHECK)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* ---- groups ---- */

static void read_group(sqlite3_stmt *st, struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	sq_copy_text(g->kind, sizeof(g->kind), st, 1);
	sq_copy_text(g->region, sizeof(g->region), st, 2);
	sq_copy_text(g->name, sizeof(g->name), st, 3);
	sq_copy_text(g->join_code, sizeof(g->join_code), st, 4);
	g->approval = sqlite3_column_int(st, 5) != 0;
	g->duty_start = sqlite3_column_int(st, 6);
	g->duty_end = sqlite3_column_int(st, 7);
	g->created_at = sqlite3_column_int64(st, 8);
	g->members = sqlite3_column_int(st, 9);
}

struct sync_job {
	const char *within;
	int64_t now;
	const struct audit_note *note;
	struct group_sync_counts *counts;
};

static enum app_err sync_job(struct conn *c, void *arg, struct app_error *err)
{
	struct sync_job *sj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_GROUPS_SYNC_COUNT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, sj->within, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return sq_db_fail(err, c->db, "counting regions");
	int64_t regions = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!(st = sq_stmt(c, STMT_GROUPS_SYNC, err)))
		return APP_EDB;
	sqlite3_bind_text(st, 1, sj->within, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sj->now);
	enum app_err rc = step_write(c, st, "making groups", err);
	if (rc != APP_OK)
		return rc;
	sj->counts->created = sqlite3_changes(c->db);
	sj->counts->existing = regions - sj->counts->created;
	return audit(c, sj->note, err);
}

static enum app_err groups_sync(struct store *s, const char *within, int64_t now,
				const struct audit_note *note, struct group_sync_counts *counts,
				struct app_error *err)
{
	struct sync_job sj = { within, now, note, counts };
	return sq_write(s, sync_job, &sj, err);
}

struct group_write {
	const struct group *g;
	const struct audit_note *note;
	int64_t id;
};

static enum app_err group_create_job(struct conn *c, void *arg, struct app_error *err)
{
	struct group_write *gw = arg;
	const struct group *g = gw->g;
	sqlite3_stmt *st = sq_stmt(c, STMT_GROUP_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, g->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, g->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, g->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, g->join_code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, g->approval);
	sqlite3_bind_int(st, 6, g->duty_start);
	sqlite3_bind_int(st, 7, g->duty_end);
	sqlite3_bind_int64(st, 8, g->created_at);
	enum app_err rc = step_write(c, st, "making a group", err);
	if (rc == APP_ECONFLICT && strcmp(err->field, "join_code") != 0)
		return app_fail(err, APP_ECONFLICT, "region %s has its %s group already", g->region,
				g->kind);
	if (rc != APP_OK)
		return rc;
	gw->id = sqlite3_last_insert_rowid(c->db);
	return audit_new(c, gw->note, "group", gw->id, err);
}

static enum app_err group_create(struct store *s, const struct group *g,
				 const struct audit_note *note, int64_t *id, struct app_error *err)
{
	struct group_write gw = { g, note, 0 };
	enum app_err rc = sq_write(s, group_create_job, &gw, err);
	if (rc == APP_OK)
		*id = gw.id;
	return rc;
}

struct group_read {
	enum stmt_id stmt;
	int64_t id;
	const char *code;
	struct group *out;
};

static enum app_err group_read(struct conn *c, void *arg, struct app_error *err)
{
	struct group_read *gr = arg;
	sqlite3_stmt *st = sq_stmt(c, gr->stmt, err);
	if (!st)
		return APP_EDB;
	if (gr->code)
		sqlite3_bind_text(st, 1, gr->code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, gr->id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_group(st, gr->out);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return APP_OK;
	if (r == SQLITE_DONE)
		return app_fail(err, APP_ENOTFOUND, "no such group");
	return sq_db_fail(err, c->db, "reading a group");
}

static enum app_err group_get(struct store *s, int64_t id, struct group *out,
			      struct app_error *err)
{
	struct group_read gr = { STMT_GROUP_GET, id, NULL, out };
	return sq_read(s, group_read, &gr, err);
}

static enum app_err group_head(struct store *s, int64_t id, struct group *out,
			       struct app_error *err)
{
	struct group_read gr = { STMT_GROUP_HEAD, id, NULL, out };
	return sq_read(s, group_read, &gr, err);
}

static enum app_err group_by_join_code(struct store *s, const char *code, struct group *out,
				       struct app_error *err)
{
	struct group_read gr = { STMT_GROUP_BY_CODE, 0, code, out };
	return sq_read(s, group_read, &gr, err);
}

static enum app_err group_update_job(struct conn *c, void *arg, struct app_error *err)
{
	struct group_write *gw = arg;
	const struct group *g = gw->g;
	sqlite3_stmt *st = sq_stmt(c, STMT_GROUP_UPDATE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, g->id);
	sqlite3_bind_text(st, 2, g->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, g->approval);
	sqlite3_bind_int(st, 4, g->duty_start);
	sqlite3_bind_int(st, 5, g->duty_end);
	sqlite3_bind_text(st, 6, g->join_code, -1, SQLITE_STATIC);
	enum app_err rc = step_write(c, st, "changing a group", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ENOTFOUND, "no such group");
	return audit(c, gw->note, err);
}

static enum app_err group_update(struct store *s, const struct group *g,
				 const struct audit_note *note, struct app_error *err)
{
	struct group_write gw = { g, note, 0 };
	return sq_write(s, group_update_job, &gw, err);
}

struct group_list {
	const char *within, *kind;
	int64_t after_id;
	int limit;
	store_group_fn fn;
	void *ctx;
};

static enum app_err group_list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct group_list *gl = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_GROUP_LIST, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, gl->within, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, gl->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, gl->after_id);
	sqlite3_bind_int(st, 4, gl->limit);
	int r;
	struct group g;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_group(st, &g);
		if (!gl->fn(gl->ctx, &g)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "listing groups");
}

static enum app_err group_list(struct store *s, const char *within, const char *kind,
			       int64_t after_id, int limit, store_group_fn fn, void *ctx,
			       struct app_error *err)
{
	struct group_list gl = { within, kind, after_id, limit, fn, ctx };
	return sq_read(s, group_list_read, &gl, err);
}

/* ---- members ---- */

static void read_member(sqlite3_stmt *st, struct group_member *m)
{
	memset(m, 0, sizeof(*m));
	m->group_id = sqlite3_column_int64(st, 0);
	m->user_id = sqlite3_column_int64(st, 1);
	sq_copy_text(m->role, sizeof(m->role), st, 2);
	sq_copy_text(m->function, sizeof(m->function), st, 3);
	sq_copy_text(m->state, sizeof(m->state), st, 4);
	m->joined_at = sqlite3_column_int64(st, 5);
	sq_copy_text(m->name, sizeof(m->name), st, 6);
	sq_copy_text(m->phone, sizeof(m->phone), st, 7);
}

static enum app_err put_member(struct conn *c, const struct group_member *m,
			       struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_MEMBER_PUT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, m->group_id);
	sqlite3_bind_int64(st, 2, m->user_id);
	sqlite3_bind_text(st, 3, m->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->function, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, m->joined_at);
	return step_write(c, st, "adding a group member", err);
}

struct member_write {
	const struct group_member *m;
	const struct audit_note *note;
};

static enum app_err member_put_job(struct conn *c, void *arg, struct app_error *err)
{
	struct member_write *mw = arg;
	enum app_err rc = put_member(c, mw->m, err);
	return rc == APP_OK ? audit(c, mw->note, err) : rc;
}

static enum app_err member_put(struct store *s, const struct group_member *m,
			       const struct audit_note *note, struct app_error *err)
{
	struct member_write mw = { m, note };
	return sq_write(s, member_put_job, &mw, err);
}

struct member_list {
	enum stmt_id stmt;
	int64_t a, b;
	const char *state;
	int limit;
	store_member_fn fn;
	void *ctx;
	bool found;
};

static enum app_err member_list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct member_list *ml = arg;
	sqlite3_stmt *st = sq_stmt(c, ml->stmt, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, ml->a);
	if (ml->stmt == STMT_MEMBER_GET) {
		sqlite3_bind_int64(st, 2, ml->b);
	} else if (ml->stmt == STMT_GROUP_MEMBERS) {
		sqlite3_bind_text(st, 2, ml->state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, ml->b);
		sqlite3_bind_int(st, 4, ml->limit);
	}
	int r;
	struct group_member m;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_member(st, &m);
		ml->found = true;
		if (!ml->fn(ml->ctx, &m)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading group members");
}

static bool copy_member(void *ctx, const struct group_member *m)
{
	*(struct group_member *)ctx = *m;
	return false;
}

static enum app_err member_get(struct store *s, int64_t group_id, int64_t user_id,
			       struct group_member *out, struct app_error *err)
{
	struct member_list ml = { .stmt = STMT_MEMBER_GET, .a = group_id, .b = user_id,
				  .fn = copy_member, .ctx = out };
	enum app_err rc = sq_read(s, member_list_read, &ml, err);
	if (rc == APP_OK && !ml.found)
		return app_fail(err, APP_ENOTFOUND, "that person is not a member of this group");
	return rc;
}

static enum app_err group_members(struct store *s, int64_t group_id, const char *state,
				  int64_t after_user, int limit, store_member_fn fn, void *ctx,
				  struct app_error *err)
{
	struct member_list ml = { .stmt = STMT_GROUP_MEMBERS, .a = group_id, .b = after_user,
				  .state = state, .limit = limit, .fn = fn, .ctx = ctx };
	return sq_read(s, member_list_read, &ml, err);
}

static enum app_err member_groups(struct store *s, int64_t user_id, store_member_fn fn,
				  void *ctx, struct app_error *err)
{
	struct member_list ml = { .stmt = STMT_MEMBER_GROUPS, .a = user_id, .fn = fn, .ctx = ctx };
	return sq_read(s, member_list_read, &ml, err);
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
	char constraint[128];
};

/* The id of the user with phone, 0 when none. */
static enum app_err user_by_phone(struct conn *c, const char *phone, int64_t *id,
				  struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_USER_ID_BY_PHONE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, phone, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	*id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? APP_OK
						   : sq_db_fail(err, c->db, "finding a user");
}

/* A household at region and its person; *user_id receives the person's id. */
static enum app_err add_household(struct conn *c, const struct roster_row *row,
				  const char *region, int64_t now, int64_t *user_id,
				  struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_HOUSEHOLD_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	enum app_err rc = step_write(c, st, "adding a household", err);
	if (rc != APP_OK)
		return rc;
	int64_t household = sqlite3_last_insert_rowid(c->db);
	if (!(st = sq_stmt(c, STMT_USER_INSERT, err)))
		return APP_EDB;
	sqlite3_bind_text(st, 1, row->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->id_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, household);
	sqlite3_bind_text(st, 6, "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, 0);
	sqlite3_bind_int64(st, 8, now);
	if ((rc = step_write(c, st, "adding a resident", err)) != APP_OK)
		return rc;
	*user_id = sqlite3_last_insert_rowid(c->db);
	return APP_OK;
}

/*
 * Mark in known[i] each row whose phone is registered: one query for the
 * roster. Then the rows that are neither known nor repeats are new persons.
 */
static enum app_err roster_known(struct conn *c, const struct roster_job *rj, bool *known,
				 struct app_error *err)
{
	struct strbuf phones = STRBUF_INIT;
	store_roster_phones_json(rj->rows, rj->n, &phones);
	enum app_err rc = APP_OK;
	sqlite3_stmt *st = sq_stmt(c, STMT_ROSTER_PHONES, err);
	if (!st)
		rc = APP_EDB;
	else {
		sqlite3_bind_text(st, 1, phones.buf, (int)phones.len, SQLITE_STATIC);
		int r;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t i = sqlite3_column_int64(st, 0);
			if (i >= 0 && (size_t)i < rj->n)
				known[i] = true;
		}
		sqlite3_reset(st);
		if (r != SQLITE_DONE)
			rc = sq_db_fail(err, c->db, "finding the roster's known persons");
	}
	strbuf_release(&phones);
	return rc;
}

/* Step a set-based insert that must write n rows. */
static enum app_err insert_rows(struct conn *c, sqlite3_stmt *st, size_t n, const char *what,
				struct app_error *err)
{
	enum app_err rc = step_write(c, st, what, err);
	if (rc == APP_OK && sqlite3_changes64(c->db) != (int64_t)n)
		rc = app_fail(err, APP_EDB, "%s: %lld rows written instead of %zu", what,
			      (long long)sqlite3_changes64(c->db), n);
	return rc;
}

/*
 * The roster's nnew new persons (not known, not repeats) as households,
 * users and active residents of g: one statement per table for all of
 * them. Their ids are the largest ids so far plus 1 + their index in the
 * JSON array, read in the writer's transaction: the user of each line
 * names the household of that line. The caller runs it in a savepoint:
 * on a conflict (an ID number taken) it rolls back and takes the
 * row-by-row path, whose error names the line.
 */
static enum app_err roster_new(struct conn *c, const struct roster_job *rj,
			       const struct group *g, const bool *known, size_t nnew,
			       struct app_error *err)
{
	struct strbuf people = STRBUF_INIT;
	int64_t household = 0, user = 0;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st;
	if (store_roster_new_json(rj->rows, rj->n, known, &people) != nnew) {
		rc = app_fail(err, APP_EINTERNAL, "adding households: the new persons miscounted");
		goto done;
	}
	if (!(st = sq_stmt(c, STMT_ROSTER_IDS, err)))
		goto done;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_db_fail(err, c->db, "reading the largest ids");
		sqlite3_reset(st);
		goto done;
	}
	household = sqlite3_column_int64(st, 0);
	user = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (!(st = sq_stmt(c, STMT_ROSTER_HOUSEHOLDS, err)))
		goto done;
	sqlite3_bind_int64(st, 1, household);
	sqlite3_bind_text(st, 2, g->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rj->now);
	sqlite3_bind_text(st, 4, people.buf, (int)people.len, SQLITE_STATIC);
	if ((rc = insert_rows(c, st, nnew, "adding households", err)) != APP_OK)
		goto done;
	rc = APP_EDB;
	if (!(st = sq_stmt(c, STMT_ROSTER_USERS, err)))
		goto done;
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_int64(st, 2, household);
	sqlite3_bind_text(st, 3, g->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rj->now);
	sqlite3_bind_text(st, 5, people.buf, (int)people.len, SQLITE_STATIC);
	if ((rc = insert_rows(c, st, nnew, "adding residents", err)) != APP_OK)
		goto done;
	rc = APP_EDB;
	if (!(st = sq_stmt(c, STMT_ROSTER_MEMBERS, err)))
		goto done;
	sqlite3_bind_int64(st, 1, g->id);
	sqlite3_bind_int64(st, 2, rj->now);
	sqlite3_bind_int64(st, 3, user);
	rc = insert_rows(c, st, nnew, "adding group members", err);
done:
	strbuf_release(&people);
	return rc;
}

/*
 * The new persons set-based in a savepoint of their own (*bulk: it
 * stood). A conflict or invalid input there is rolled back and left to
 * the line-by-line path, which names the line (rj->why); any other
 * failure is the import's.
 */
static enum app_err roster_bulk(struct conn *c, struct roster_job *rj, const struct group *g,
				const bool *known, size_t nnew, bool *bulk, struct app_error *err)
{
	enum app_err rc = sq_run(c, STMT_ROSTER_SAVEPOINT, "opening a savepoint", err);
	if (rc != APP_OK)
		return rc;
	rc = roster_new(c, rj, g, known, nnew, &rj->why);
	if (rc != APP_OK && rc != APP_ECONFLICT && rc != APP_EINVAL) {
		*err = rj->why;
		return rc; /* the job's own savepoint takes it back */
	}
	*bulk = rc == APP_OK;
	if (!*bulk) {
		/* SQLite names the constraint, never the values */
		snprintf(rj->constraint, sizeof(rj->constraint), "%s", sqlite3_errmsg(c->db));
		rj->fell_back = true;
		if ((rc = sq_run(c, STMT_ROSTER_ROLLBACK_TO, "rolling back a write", err)) != APP_OK)
			return rc;
	}
	return sq_run(c, STMT_ROSTER_RELEASE, "releasing a savepoint", err);
}

/* One row the set-based step left: a known person, a repeat, or any row
 * when that step failed. */
static enum app_err roster_one(struct conn *c, struct roster_job *rj, const struct group *g,
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
	struct member_list ml = { .stmt = STMT_MEMBER_GET, .a = g->id, .b = uid,
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

static enum app_err roster_job(struct conn *c, void *arg, struct app_error *err)
{
	struct roster_job *rj = arg;
	struct group g;
	struct group_read gr = { STMT_GROUP_HEAD, rj->group_id, NULL, &g };
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
	enum app_err rc = sq_write(s, roster_job, &rj, err);
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

static enum app_err rota_job(struct conn *c, void *arg, struct app_error *err)
{
	struct rota_job *rj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_DUTY_ROTA_CLEAR, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, rj->group_id);
	enum app_err rc = step_write(c, st, "clearing the rota", err);
	for (int d = 0; rc == APP_OK && d < 7; d++) {
		if (!rj->users[d])
			continue;
		if (!(st = sq_stmt(c, STMT_DUTY_ROTA_INSERT, err)))
			return APP_EDB;
		sqlite3_bind_int64(st, 1, rj->group_id);
		sqlite3_bind_int(st, 2, d);
		sqlite3_bind_int64(st, 3, rj->users[d]);
		rc = step_write(c, st, "setting the rota", err);
	}
	return rc == APP_OK ? audit(c, rj->note, err) : rc;
}

static enum app_err duty_rota_set(struct store *s, int64_t group_id, const int64_t users[7],
				  const struct audit_note *note, struct app_error *err)
{
	struct rota_job rj = { group_id, users, note };
	return sq_write(s, rota_job, &rj, err);
}

struct override_job {
	int64_t group_id;
	const struct duty_override *o;
	const struct audit_note *note;
};

static enum app_err override_job(struct conn *c, void *arg, struct app_error *err)
{
	struct override_job *oj = arg;
	sqlite3_stmt *st = sq_stmt(c, oj->o->user_id ? STMT_DUTY_OVERRIDE_PUT
						     : STMT_DUTY_OVERRIDE_DELETE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, oj->group_id);
	sqlite3_bind_int(st, 2, oj->o->day);
	if (oj->o->user_id) {
		sqlite3_bind_int64(st, 3, oj->o->user_id);
		sqlite3_bind_text(st, 4, oj->o->reason, -1, SQLITE_STATIC);
	}
	enum app_err rc = step_write(c, st, "changing a day's duty", err);
	return rc == APP_OK ? audit(c, oj->note, err) : rc;
}

static enum app_err duty_override_set(struct store *s, int64_t group_id,
				      const struct duty_override *o, const struct audit_note *note,
				      struct app_error *err)
{
	struct override_job oj = { group_id, o, note };
	return sq_write(s, override_job, &oj, err);
}

struct leave_job {
	int64_t group_id;
	const struct duty_leave *l;
	int64_t leave_id;
	const struct audit_note *note;
};

static enum app_err leave_add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct leave_job *lj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_DUTY_LEAVE_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, lj->group_id);
	sqlite3_bind_int64(st, 2, lj->l->user_id);
	sqlite3_bind_int(st, 3, lj->l->first_day);
	sqlite3_bind_int(st, 4, lj->l->last_day);
	sqlite3_bind_text(st, 5, lj->l->reason, -1, SQLITE_STATIC);
	enum app_err rc = step_write(c, st, "recording leave", err);
	if (rc != APP_OK)
		return rc;
	lj->leave_id = sqlite3_last_insert_rowid(c->db);
	return audit(c, lj->note, err);
}

static enum app_err duty_leave_add(struct store *s, int64_t group_id, const struct duty_leave *l,
				   const struct audit_note *note, int64_t *id,
				   struct app_error *err)
{
	struct leave_job lj = { group_id, l, 0, note };
	enum app_err rc = sq_write(s, leave_add_job, &lj, err);
	if (rc == APP_OK)
		*id = lj.leave_id;
	return rc;
}

static enum app_err leave_remove_job(struct conn *c, void *arg, struct app_error *err)
{
	struct leave_job *lj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_DUTY_LEAVE_DELETE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, lj->group_id);
	sqlite3_bind_int64(st, 2, lj->leave_id);
	enum app_err rc = step_write(c, st, "removing leave", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ENOTFOUND, "this group has no such leave");
	return audit(c, lj->note, err);
}

static enum app_err duty_leave_remove(struct store *s, int64_t group_id, int64_t leave_id,
				      const struct audit_note *note, struct app_error *err)
{
	struct leave_job lj = { group_id, NULL, leave_id, note };
	return sq_write(s, leave_remove_job, &lj, err);
}

struct duty_read {
	int64_t group_id;
	int first_day, last_day;
	struct duty_data *out;
};

static enum app_err duty_read(struct conn *c, void *arg, struct app_error *err)
{
	struct duty_read *dr = arg;
	struct duty_data *d = dr->out;
	sqlite3_stmt *st = sq_stmt(c, STMT_DUTY_ROTA_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, dr->group_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int wd = sqlite3_column_int(st, 0);
		if (wd >= 0 && wd < 7)
			d->weekday_user[wd] = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE || !(st = sq_stmt(c, STMT_DUTY_OVERRIDES, err)))
		return r != SQLITE_DONE ? sq_db_fail(err, c->db, "reading the rota") : APP_EDB;
	sqlite3_bind_int64(st, 1, dr->group_id);
	sqlite3_bind_int(st, 2, dr->first_day);
	sqlite3_bind_int(st, 3, dr->last_day);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && d->noverrides < 64) {
		struct duty_override *o = &d->overrides[d->noverrides++];
		o->day = sqlite3_column_int(st, 0);
		o->user_id = sqlite3_column_int64(st, 1);
		sq_copy_text(o->reason, sizeof(o->reason), st, 2);
	}
	sqlite3_reset(st);
	if ((r != SQLITE_DONE && r != SQLITE_ROW) || !(st = sq_stmt(c, STMT_DUTY_LEAVES, err)))
		return st ? sq_db_fail(err, c->db, "reading duty overrides") : APP_EDB;
	sqlite3_bind_int64(st, 1, dr->group_id);
	sqlite3_bind_int(st, 2, dr->first_day);
	sqlite3_bind_int(st, 3, dr->last_day);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && d->nleaves < 64) {
		struct duty_leave *l = &d->leaves[d->nleaves++];
		l->id = sqlite3_column_int64(st, 0);
		l->user_id = sqlite3_column_int64(st, 1);
		l->first_day = sqlite3_column_int(st, 2);
		l->last_day = sqlite3_column_int(st, 3);
		sq_copy_text(l->reason, sizeof(l->reason), st, 4);
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE || r == SQLITE_ROW ? APP_OK
						   : sq_db_fail(err, c->db, "reading leave");
}

static enum app_err duty_get(struct store *s, int64_t group_id, int first_day, int last_day,
			     struct duty_data *out, struct app_error *err)
{
	struct duty_read dr = { group_id, first_day, last_day, out };
	return sq_read(s, duty_read, &dr, err);
}

const struct store_group_ops sq_group_ops = {
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
