/*
 * sqlite_fts.h - Chinese full-text search on SQLite: the FTS5 tokenizer
 * "bianmin" (core/terms.h: CJK bigrams, folded words) and the rendering of
 * a user's search text as an FTS5 MATCH expression for it. Private to
 * src/store/sqlite*.c; docs/search.md explains the choice and its figures.
 *
 * A table uses it with
 *     CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'bianmin');
 * which indexes every CJK character twice: in its bigram and as a unigram
 * (TERMS_INDEX_ALL), so that every search, one character included, is a
 * lookup of whole terms. 'bianmin compact' (TERMS_INDEX) makes an index
 * about a third smaller whose one-character searches are prefix scans:
 * exact, but slow on millions of messages (docs/search.md measures both).
 * Phrases need positions: keep FTS5's default detail=full.
 */
#ifndef STORE_SQLITE_FTS_H
#define STORE_SQLITE_FTS_H

#include "core/err.h"
#include "core/strbuf.h"

#include <sqlite3.h>
#include <stddef.h>

#define SQ_FTS_QUERY_TERMS_MAX 64 /* terms in one search, beyond: APP_ETOOBIG */

/*
 * Register the tokenizer "bianmin" on db; call once per connection, before
 * any statement touches a table that uses it (FTS5 looks the tokenizer up
 * when it first opens such a table). APP_EDB when db has no FTS5.
 */
enum app_err sq_fts_register(sqlite3 *db, struct app_error *err);

/*
 * Append to out the FTS5 MATCH expression that finds the search text
 * q[0..n) in a 'bianmin' table: each group of query terms (terms.h) one
 * quoted phrase, the phrases AND-ed: "停水三天 WiFi" -> "停水 水三 三天"
 * "wifi". Bind the result as the MATCH parameter; it holds only letters,
 * digits, CJK, spaces, quotes (and stars), so it is never an FTS5 syntax
 * error. APP_EINVAL (field "q") when q has nothing to search for (only
 * punctuation, spaces or emoji); APP_ETOOBIG when it has more than
 * SQ_FTS_QUERY_TERMS_MAX terms. out is unchanged on error.
 */
enum app_err sq_fts_match(const char *q, size_t n, struct strbuf *out, struct app_error *err);

/*
 * As sq_fts_match(), for a 'bianmin compact' table: a lone CJK character
 * that ends a group is matched as a prefix ("水"*).
 */
enum app_err sq_fts_match_compact(const char *q, size_t n, struct strbuf *out,
				  struct app_error *err);

#endif
