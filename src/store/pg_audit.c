/*
 * pg_audit.c - the hash-chained audit log on PostgreSQL.
 *
 * Entries are appended inside the transaction of the change they record.
 * Concurrent transactions would fork the chain if two read the same tail, so
 * an append first takes a transaction-scoped advisory lock (PG_LOCK_AUDIT),
 * held until COMMIT or ROLLBACK, and only then reads the last entry: each
 * entry takes the hash of the last one as its prev_hash (all zeros for the
 * first) and its id + 1 as its id.
 */
#include "store/pg_int.h"
#include "core/chain.h"
#include "core/clock.h"
#include "core/utf8.h"

#include <string.h>

enum app_err pg_audit_append(struct pg_conn *c, const struct audit_note *note,
			     struct app_error *err)
{
	struct audit_record f; /* the sizes that will be read back */
	uint8_t prev[CHAIN_HASH_LEN] = { 0 }, hash[CHAIN_HASH_LEN];
	int64_t id = 1;
	/* the events' lock always before the audit chain's, in every
	 * transaction: one carrying several changes (pg_write_each) may write an
	 * event after an audit entry, and must not take the locks the other way
	 * round from a concurrent post (pg_messages.c) */
	enum app_err rc = pg_events_lock(c, err);
	if (rc == APP_OK && !c->tx.audit_locked)
		rc = pg_exec(c, PS_AUDIT_LOCK, NULL, "locking the audit chain", NULL, NULL, err);
	if (rc != APP_OK)
		return rc;
	c->tx.audit_locked = true;
	if (c->tx.audit_known) { /* this transaction wrote the last entry */
		id = c->tx.audit_last_id + 1;
		memcpy(prev, c->tx.audit_last_hash, CHAIN_HASH_LEN);
	} else {
		PGresult *res;
		/* read committed: this statement sees every entry committed before
		 * the lock was granted */
		rc = pg_exec(c, PS_AUDIT_LAST, NULL, "reading the audit chain", &res, NULL, err);
		if (rc != APP_OK)
			return rc;
		if (PQntuples(res) == 1) {
			id = pg_int(res, 0, 0) + 1;
			if (!pg_bytea(res, 0, 1, prev, CHAIN_HASH_LEN))
				memset(prev, 0, sizeof(prev));
		}
		PQclear(res);
	}
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
	struct pg_params p = { 0 };
	pgp_int(&p, e.id);
	pgp_int(&p, e.at);
	pgp_text(&p, e.actor);
	pgp_text(&p, e.action);
	pgp_text(&p, e.object);
	pgp_text(&p, e.region);
	pgp_text(&p, e.summary);
	pgp_blob(&p, prev, CHAIN_HASH_LEN);
	pgp_blob(&p, hash, CHAIN_HASH_LEN);
	rc = pg_exec(c, PS_AUDIT_INSERT, &p, "appending to the audit log", NULL, NULL, err);
	if (rc == APP_OK) {
		c->tx.audit_known = true;
		c->tx.audit_last_id = e.id;
		memcpy(c->tx.audit_last_hash, hash, CHAIN_HASH_LEN);
	}
	return rc;
}

static enum app_err append_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	return pg_audit_append(c, arg, err);
}

static enum app_err audit_append(struct store *s, const struct audit_note *note,
				 struct app_error *err)
{
	return pg_write(s, append_job, (void *)note, err);
}

static void read_record(const PGresult *res, int row, struct audit_record *r)
{
	r->id = pg_int(res, row, 0);
	r->at = pg_int(res, row, 1);
	pg_copy_text(r->actor, sizeof(r->actor), res, row, 2);
	pg_copy_text(r->action, sizeof(r->action), res, row, 3);
	pg_copy_text(r->object, sizeof(r->object), res, row, 4);
	pg_copy_text(r->region, sizeof(r->region), res, row, 5);
	pg_copy_text(r->summary, sizeof(r->summary), res, row, 6);
	/* A hash of the wrong size (tampering) stays zero and fails verification. */
	if (!pg_bytea(res, row, 7, r->prev_hash, AUDIT_HASH_LEN))
		memset(r->prev_hash, 0, AUDIT_HASH_LEN);
	if (!pg_bytea(res, row, 8, r->hash, AUDIT_HASH_LEN))
		memset(r->hash, 0, AUDIT_HASH_LEN);
}

void pg_audit_read(const PGresult *res, int row, struct audit_record *r)
{
	read_record(res, row, r);
}

struct audit_read {
	const char *object;
	int limit;
	store_audit_fn fn;
	void *ctx;
};

static enum app_err each_record(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
				struct audit_read *ar, struct app_error *err)
{
	PGresult *res;
	enum app_err rc = pg_exec(c, id, p, "reading the audit log", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct audit_record rec;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_record(res, i, &rec);
		if (!ar->fn(ar->ctx, &rec))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err list_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct audit_read *ar = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, ar->object);
	pgp_int(&p, ar->limit);
	return each_record(c, PS_AUDIT_BY_OBJECT, &p, ar, err);
}

static enum app_err audit_list(struct store *s, const char *object, int limit, store_audit_fn fn,
			       void *ctx, struct app_error *err)
{
	struct audit_read ar = { .object = object, .limit = limit, .fn = fn, .ctx = ctx };
	return pg_read(s, list_read, &ar, err);
}

/* Entries in pages by id, so a long log is never held in memory whole. */
static enum app_err scan_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	enum { PAGE = 5000 };
	struct audit_read *ar = arg;
	int64_t after = 0;
	for (;;) {
		struct pg_params p = { 0 };
		pgp_int(&p, after);
		pgp_int(&p, PAGE);
		PGresult *res;
		enum app_err rc = pg_exec(c, PS_AUDIT_SCAN, &p, "reading the audit log", &res, NULL,
					  err);
		if (rc != APP_OK)
			return rc;
		int n = PQntuples(res);
		struct audit_record rec;
		for (int i = 0; i < n; i++) {
			read_record(res, i, &rec);
			if (!ar->fn(ar->ctx, &rec)) {
				PQclear(res);
				return APP_OK;
			}
			after = rec.id;
		}
		PQclear(res);
		if (n < PAGE)
			return APP_OK;
	}
}

static enum app_err audit_scan(struct store *s, store_audit_fn fn, void *ctx,
			       struct app_error *err)
{
	struct audit_read ar = { .fn = fn, .ctx = ctx };
	return pg_read(s, scan_read, &ar, err);
}

const struct store_audit_ops pg_audit_ops = {
	.append = audit_append,
	.list = audit_list,
	.scan = audit_scan,
};
