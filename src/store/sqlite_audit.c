/*
 * sqlite_audit.c - the hash-chained audit log on SQLite.
 *
 * Entries are appended only by the writer thread, inside the transaction of
 * the change they record, so the chain is never forked: each entry takes the
 * hash of the last one as its prev_hash (all zeros for the first).
 */
#include "store/sqlite_int.h"
#include "core/chain.h"
#include "core/clock.h"
#include "core/utf8.h"

#include <string.h>

enum app_err sq_audit_append(struct conn *c, const struct audit_note *note, struct app_error *err)
{
	struct audit_record f; /* the sizes that will be read back */
	uint8_t prev[CHAIN_HASH_LEN] = { 0 }, hash[CHAIN_HASH_LEN];
	int64_t id = 1;
	sqlite3_stmt *st = sq_stmt(c, STMT_AUDIT_LAST, err);
	if (!st)
		return APP_EDB;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		if (sqlite3_column_bytes(st, 1) == CHAIN_HASH_LEN)
			memcpy(prev, sqlite3_column_blob(st, 1), CHAIN_HASH_LEN);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "reading the audit chain");
	struct chain_entry e = {
		.id = id,
		.at = clock_now(),
		.actor = utf8_copy_cut(f.actor, sizeof(f.actor), note->actor),
		.action = utf8_copy_cut(f.action, sizeof(f.action), note->action),
		.object = utf8_copy_cut(f.object, sizeof(f.object), note->object),
		.region = utf8_copy_cut(f.region, sizeof(f.region), note->region),
		.summary = utf8_copy_cut(f.summary, sizeof(f.summary), note->summary),
	};
	chain_hash(prev, &e, hash);
	st = sq_stmt(c, STMT_AUDIT_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, e.id);
	sqlite3_bind_int64(st, 2, e.at);
	sqlite3_bind_text(st, 3, e.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e.object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e.region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e.summary, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, prev, CHAIN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, hash, CHAIN_HASH_LEN, SQLITE_STATIC);
	return sq_step_done(c, st, "appending to the audit log", err);
}

static enum app_err append_job(struct conn *c, void *arg, struct app_error *err)
{
	return sq_audit_append(c, arg, err);
}

static enum app_err audit_append(struct store *s, const struct audit_note *note,
				 struct app_error *err)
{
	return sq_write(s, append_job, (void *)note, err);
}

static void read_record(sqlite3_stmt *st, struct audit_record *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	sq_copy_text(r->actor, sizeof(r->actor), st, 2);
	sq_copy_text(r->action, sizeof(r->action), st, 3);
	sq_copy_text(r->object, sizeof(r->object), st, 4);
	sq_copy_text(r->region, sizeof(r->region), st, 5);
	sq_copy_text(r->summary, sizeof(r->summary), st, 6);
	memset(r->prev_hash, 0, AUDIT_HASH_LEN);
	memset(r->hash, 0, AUDIT_HASH_LEN);
	/* A blob of the wrong size (tampering) stays zero and fails verification. */
	if (sqlite3_column_bytes(st, 7) == AUDIT_HASH_LEN)
		memcpy(r->prev_hash, sqlite3_column_blob(st, 7), AUDIT_HASH_LEN);
	if (sqlite3_column_bytes(st, 8) == AUDIT_HASH_LEN)
		memcpy(r->hash, sqlite3_column_blob(st, 8), AUDIT_HASH_LEN);
}

void sq_audit_read(sqlite3_stmt *st, struct audit_record *r) { read_record(st, r); }

struct audit_read {
	const char *object;
	int limit;
	store_audit_fn fn;
	void *ctx;
};

static enum app_err each_record(struct conn *c, sqlite3_stmt *st, struct audit_read *ar,
				struct app_error *err)
{
	int r;
	struct audit_record rec;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_record(st, &rec);
		if (!ar->fn(ar->ctx, &rec)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading the audit log");
}

static enum app_err list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct audit_read *ar = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_AUDIT_BY_OBJECT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, ar->object, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ar->limit);
	return each_record(c, st, ar, err);
}

static enum app_err audit_list(struct store *s, const char *object, int limit, store_audit_fn fn,
			       void *ctx, struct app_error *err)
{
	struct audit_read ar = { .object = object, .limit = limit, .fn = fn, .ctx = ctx };
	return sq_read(s, list_read, &ar, err);
}

static enum app_err scan_read(struct conn *c, void *arg, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_AUDIT_SCAN, err);
	if (!st)
		return APP_EDB;
	return each_record(c, st, arg, err);
}

static enum app_err audit_scan(struct store *s, store_audit_fn fn, void *ctx,
			       struct app_error *err)
{
	struct audit_read ar = { .fn = fn, .ctx = ctx };
	return sq_read(s, scan_read, &ar, err);
}

const struct store_audit_ops sq_audit_ops = {
	.append = audit_append,
	.list = audit_list,
	.scan = audit_scan,
};
