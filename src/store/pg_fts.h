/*
 * pg_fts.h - Chinese full-text search on PostgreSQL: the tsvector of a
 * message and the tsquery of a user's search text, both made from
 * core/terms.h exactly as SQLite's FTS5 tokenizer "bianmin" makes its index
 * and sq_fts_match() its MATCH expression (sqlite_fts.h), so that both
 * backends find the same messages. Private to src/store/pg*.c.
 *
 * No text search configuration is involved: both are literals of the
 * tsvector and tsquery input syntax, bound as parameters and cast
 * ($N::tsvector, $N::tsquery), which keeps every term as it is (no
 * dictionary, no stemming, no lower-casing beyond what terms.c does).
 *
 * Like sqlite_fts.h, two kinds of index: the default one (TERMS_INDEX_ALL,
 * as a 'bianmin' table: every CJK character also a unigram, exact lookups)
 * and the compact one (TERMS_INDEX, as 'bianmin compact': only run-final
 * unigrams, one-character searches as prefixes). A vector must be searched
 * with the query of its own kind.
 *
 * One limit of PostgreSQL has no SQLite twin: a tsvector keeps at most 256
 * positions of one term, so in a message that repeats a term more than 256
 * times a phrase may be found only among its first 256 occurrences.
 */
#ifndef STORE_PG_FTS_H
#define STORE_PG_FTS_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Terms in one search, beyond: APP_ETOOBIG (SQ_FTS_QUERY_TERMS_MAX on SQLite). */
#define PG_FTS_QUERY_TERMS_MAX 64

/*
 * Append to out the tsvector literal of the text s[0..n): its terms
 * (terms_split) each quoted, with its position as FTS5 gives it: one
 * position a term, a colocated term at the position of the one before it.
 * compact false (TERMS_INDEX_ALL): "停水三天" -> '停水':1 '停':1 '水三':2
 * '水':2 '三天':3 '三':3 '天':3; compact true (TERMS_INDEX): '停水':1
 * '水三':2 '三天':3 '天':3. Text without terms gives "" (the empty
 * tsvector). Quotes and backslashes are escaped, though terms never hold
 * them.
 */
void pg_fts_vector(const char *s, size_t n, bool compact, struct strbuf *out);

/*
 * Append to out the tsquery literal that finds the search text q[0..n) in
 * a vector of pg_fts_vector() of the same compact: each group of query
 * terms (terms.h) a phrase joined with <->, the groups AND-ed, and on a
 * compact vector a lone CJK character ending a group a prefix:
 * "停水三天 水" -> ('停水' <-> '水三' <-> '三天') & ('水') (compact:
 * ... & ('水':*)). Errors as sq_fts_match's, with the same messages:
 * APP_EINVAL (field "q") when q has nothing to search for; APP_ETOOBIG when
 * it has more than PG_FTS_QUERY_TERMS_MAX terms. out is unchanged on error.
 */
enum app_err pg_fts_query(const char *q, size_t n, bool compact, struct strbuf *out,
			  struct app_error *err);

struct store;
/* store_search_rebuild: REINDEX CONCURRENTLY the GIN index of the
 * messages' tsvectors (messages_terms, on every monthly partition); the
 * vectors themselves, stored with each message, are not computed again. */
enum app_err pg_fts_rebuild(struct store *s, struct app_error *err);

#endif
