/*
 * pg_fts.c - tsvector and tsquery literals from core/terms.c.
 *
 * The twin of sqlite_fts.c: where FTS5 calls the tokenizer for a document
 * and for the phrases of a MATCH expression, here the store renders the
 * same terms as literals. Positions follow FTS5's: each term a position of
 * its own, a colocated term (an extra unigram) the position of the term
 * before it; a phrase then matches the same positions on both backends.
 * tsvector positions start at 1 (0 is refused).
 *
 * What this file must not do: hold domain rules (what is searched, who may
 * see it) or paste anything into SQL text: the literals are bound as
 * parameters.
 *
 * Also here: the rebuild of the index (pg_fts_rebuild).
 */
#include "store/pg_fts.h"
#include "store/pg_int.h"
#include "core/terms.h"
#include "core/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* Append term t quoted for the tsvector/tsquery input syntax. */
static void add_quoted(struct strbuf *out, const struct terms_term *t)
{
	strbuf_addch(out, '\'');
	for (size_t i = 0; i < t->len; i++) {
		char c = t->text[i];
		if (c == '\'' || c == '\\')
			strbuf_addch(out, c); /* doubled: '' and \\ */
		strbuf_addch(out, c);
	}
	strbuf_addch(out, '\'');
}

struct vector {
	struct strbuf *out;
	unsigned pos; /* of the last term, 0 before the first */
};

static int vector_term(void *arg, const struct terms_term *t)
{
	struct vector *v = arg;
	if (!t->colocated || v->pos == 0)
		v->pos++;
	if (v->out->len)
		strbuf_addch(v->out, ' ');
	add_quoted(v->out, t);
	/* beyond 16383 PostgreSQL keeps 16383; a body of MESSAGE_BODY_MAX
	 * bytes has fewer terms than that */
	strbuf_addf(v->out, ":%u", v->pos);
	return 0;
}

void pg_fts_vector(const char *s, size_t n, bool compact, struct strbuf *out)
{
	struct strbuf vec = STRBUF_INIT;
	struct vector v = { &vec, 0 };
	if (n)
		terms_split(s, n, compact ? TERMS_INDEX : TERMS_INDEX_ALL, vector_term, &v);
	strbuf_add(out, vec.buf, vec.len);
	strbuf_release(&vec);
}

struct query {
	struct strbuf *out;
	bool compact;
	size_t terms;
	unsigned group;
};

static int query_term(void *arg, const struct terms_term *t)
{
	struct query *q = arg;
	if (++q->terms > PG_FTS_QUERY_TERMS_MAX)
		return 1;
	if (q->terms == 1)
		strbuf_addch(q->out, '(');
	else if (t->group != q->group)
		strbuf_addstr(q->out, ") & (");
	else
		strbuf_addstr(q->out, " <-> ");
	add_quoted(q->out, t);
	if (q->compact && t->prefix)
		strbuf_addstr(q->out, ":*");
	q->group = t->group;
	return 0;
}

enum app_err pg_fts_query(const char *q, size_t n, bool compact, struct strbuf *out,
			  struct app_error *err)
{
	struct strbuf expr = STRBUF_INIT;
	struct query m = { .out = &expr, .compact = compact };
	if (terms_query(q, n, query_term, &m) != 0) {
		strbuf_release(&expr);
		return app_fail_field(err, APP_ETOOBIG, "q",
				      "search text has more than %d terms", PG_FTS_QUERY_TERMS_MAX);
	}
	if (m.terms == 0) {
		strbuf_release(&expr);
		return app_fail_field(err, APP_EINVAL, "q",
				      "search text has no letters, digits or Chinese characters");
	}
	strbuf_addch(&expr, ')');
	strbuf_add(out, expr.buf, expr.len);
	strbuf_release(&expr);
	return APP_OK;
}

/* CONCURRENTLY: a server on the database keeps posting and searching
 * meanwhile (outside a transaction, which CONCURRENTLY requires). */
static enum app_err reindex(struct pg_conn *c, void *arg, struct app_error *err)
{
	(void)arg;
	return pg_conn_exec(c, "REINDEX INDEX CONCURRENTLY messages_terms",
			    "rebuilding the search index", err);
}

enum app_err pg_fts_rebuild(struct store *s, struct app_error *err)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("store.search_index_rebuilding", "index=messages_terms");
	enum app_err rc = pg_read(s, reindex, NULL, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == APP_OK)
		log_info("store.search_index_rebuilt", "seconds=%.1f", secs);
	else
		log_error("store.search_index_rebuild_failed", "seconds=%.1f reason=\"%s\"", secs,
			  err->msg);
	return rc;
}
