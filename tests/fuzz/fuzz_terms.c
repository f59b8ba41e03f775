/*
 * fuzz_terms.c - terms_split() (core/terms.h) in its three modes, and the
 * FTS5 tokenizer and search expressions built on it (store/sqlite_fts.h),
 * on any bytes.
 *
 * Checks: every term is 1..TERMS_TERM_MAX bytes of well-formed UTF-8 without
 * NUL, ASCII capitals or ASCII punctuation; its offsets lie inside the input
 * and starts never go back; a unigram is the input bytes it points at and a
 * bigram begins and ends with them; colocated terms only in the index modes
 * and never first; query groups count up from 0 one at a time; prefix marks
 * only on unigrams; the terms that take a position are the same in all
 * three modes (so a query always lines up with the index); a callback's
 * non-zero answer stops the split and is returned. Then, for inputs up to
 * 2 KiB: the input stored as a message in a 'bianmin' and a 'bianmin
 * compact' FTS5 table is found by the search expression sq_fts_match()
 * makes of the same input for each, and that expression is never an FTS5
 * error.
 */
#include "fuzz.h"

#include "core/strbuf.h"
#include "core/terms.h"
#include "core/utf8.h"
#include "store/sqlite_fts.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

#define MAX_TERMS 8192 /* positional terms compared across modes */

struct pos_term {
	size_t start, end, len;
	char text[TERMS_TERM_MAX + 1];
};

struct check {
	const uint8_t *in;
	size_t size;
	enum terms_mode mode;
	size_t n, npos, last_start;
	unsigned group;
	struct pos_term *pos; /* terms that take a position, up to MAX_TERMS */
	size_t stop_at;       /* return 7 from this term on (0: never) */
};

static size_t code_points(const char *s, size_t n)
{
	return utf8_length(s, n);
}

static int check_term(void *arg, const struct terms_term *t)
{
	struct check *c = arg;
	FUZZ_CHECK(t->text != NULL && t->len >= 1 && t->len <= TERMS_TERM_MAX);
	FUZZ_CHECK(strlen(t->text) == t->len);
	FUZZ_CHECK(utf8_valid(t->text, t->len));
	FUZZ_CHECK(t->start < t->end && t->end <= c->size);
	FUZZ_CHECK(t->start >= c->last_start);
	c->last_start = t->start;
	FUZZ_CHECK(t->kind >= 0 && t->kind < TERMS_KIND__MAX);
	const char *src = (const char *)c->in + t->start;
	switch (t->kind) {
	case TERMS_WORD:
		for (size_t i = 0; i < t->len; i++) {
			unsigned char b = (unsigned char)t->text[i];
			FUZZ_CHECK(b >= 0x80 || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z'));
		}
		break;
	case TERMS_UNIGRAM:
		FUZZ_CHECK(code_points(t->text, t->len) == 1);
		FUZZ_CHECK(t->end - t->start == t->len && memcmp(src, t->text, t->len) == 0);
		break;
	case TERMS_BIGRAM: {
		FUZZ_CHECK(code_points(t->text, t->len) == 2);
		size_t a = 1;
		while (a < t->len && ((unsigned char)t->text[a] & 0xC0) == 0x80)
			a++;
		size_t b = t->len - a;
		FUZZ_CHECK(t->end - t->start >= t->len);
		FUZZ_CHECK(memcmp(src, t->text, a) == 0);
		FUZZ_CHECK(memcmp((const char *)c->in + t->end - b, t->text + a, b) == 0);
		break;
	}
	default:
		FUZZ_CHECK(0);
	}
	if (c->mode == TERMS_QUERY) {
		FUZZ_CHECK(!t->colocated);
		FUZZ_CHECK(t->group == c->group || t->group == c->group + 1);
		FUZZ_CHECK(c->n > 0 || t->group == 0);
		c->group = t->group;
		FUZZ_CHECK(!t->prefix || t->kind == TERMS_UNIGRAM);
	} else {
		FUZZ_CHECK(t->group == 0 && !t->prefix);
		FUZZ_CHECK(!t->colocated || c->n > 0);
		FUZZ_CHECK(!t->colocated || t->kind == TERMS_UNIGRAM);
	}
	c->n++;
	if (!t->colocated) {
		if (c->npos < MAX_TERMS) {
			struct pos_term *p = &c->pos[c->npos];
			p->start = t->start;
			p->end = t->end;
			p->len = t->len;
			memcpy(p->text, t->text, t->len + 1);
		}
		c->npos++;
	}
	if (c->stop_at && c->n >= c->stop_at)
		return 7;
	return 0;
}

static struct pos_term pos[TERMS_MODE__MAX][MAX_TERMS];

static sqlite3 *db; /* kept across inputs: opening one per input is slow */

static sqlite3 *search_db(void)
{
	if (db)
		return db;
	FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	FUZZ_CHECK(sq_fts_register(db, NULL) == APP_OK);
	FUZZ_CHECK(sqlite3_exec(db, "CREATE VIRTUAL TABLE a USING fts5(body, tokenize = 'bianmin');"
				    "CREATE VIRTUAL TABLE b USING fts5(body, tokenize = 'bianmin compact');",
				NULL, NULL, NULL) == SQLITE_OK);
	return db;
}

static void exec_text(sqlite3 *d, const char *sql, const char *text, size_t len, bool want_row)
{
	sqlite3_stmt *st;
	FUZZ_CHECK(sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_bind_text(st, 1, text, (int)len, SQLITE_STATIC) == SQLITE_OK);
	int r = sqlite3_step(st);
	if (r == SQLITE_ERROR)
		fprintf(stderr, "%s: %s [%.*s]\n", sql, sqlite3_errmsg(d), (int)len, text);
	FUZZ_CHECK(r == (want_row ? SQLITE_ROW : SQLITE_DONE));
	sqlite3_finalize(st);
}

/* The input as a message is found by the search for the input. */
static void self_match(const uint8_t *data, size_t size)
{
	struct strbuf expr = STRBUF_INIT, compact = STRBUF_INIT;
	if (sq_fts_match((const char *)data, size, &expr, NULL) != APP_OK) {
		/* nothing to search for, or too many terms: the same for both */
		FUZZ_CHECK(sq_fts_match_compact((const char *)data, size, &compact, NULL) != APP_OK);
		return;
	}
	FUZZ_CHECK(sq_fts_match_compact((const char *)data, size, &compact, NULL) == APP_OK);
	sqlite3 *d = search_db();
	FUZZ_CHECK(sqlite3_exec(d, "DELETE FROM a; DELETE FROM b", NULL, NULL, NULL) == SQLITE_OK);
	exec_text(d, "INSERT INTO a(rowid, body) VALUES (1, ?1)", (const char *)data, size, false);
	exec_text(d, "INSERT INTO b(rowid, body) VALUES (1, ?1)", (const char *)data, size, false);
	exec_text(d, "SELECT rowid FROM a WHERE a MATCH ?1", expr.buf, expr.len, true);
	exec_text(d, "SELECT rowid FROM b WHERE b MATCH ?1", compact.buf, compact.len, true);
	strbuf_release(&expr);
	strbuf_release(&compact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t npos[TERMS_MODE__MAX], n[TERMS_MODE__MAX];
	for (int m = 0; m < TERMS_MODE__MAX; m++) {
		struct check c = { .in = data, .size = size, .mode = (enum terms_mode)m,
				   .pos = pos[m] };
		FUZZ_CHECK(terms_split((const char *)data, size, c.mode, check_term, &c) == 0);
		npos[m] = c.npos;
		n[m] = c.n;
		if (m == TERMS_QUERY)
			FUZZ_CHECK(c.n == c.npos);
	}
	/* the positional terms are the same in every mode */
	FUZZ_CHECK(npos[TERMS_INDEX] == npos[TERMS_QUERY] && npos[TERMS_INDEX_ALL] == npos[TERMS_QUERY]);
	size_t cmp = npos[TERMS_QUERY] < MAX_TERMS ? npos[TERMS_QUERY] : MAX_TERMS;
	for (size_t i = 0; i < cmp; i++)
		for (int m = 0; m < TERMS_QUERY; m++) {
			FUZZ_CHECK(pos[m][i].start == pos[TERMS_QUERY][i].start);
			FUZZ_CHECK(pos[m][i].end == pos[TERMS_QUERY][i].end);
			FUZZ_CHECK(strcmp(pos[m][i].text, pos[TERMS_QUERY][i].text) == 0);
		}
	FUZZ_CHECK(n[TERMS_INDEX_ALL] >= n[TERMS_INDEX] && n[TERMS_INDEX] >= n[TERMS_QUERY]);

	/* a stopping callback stops: exactly that many terms, its value back */
	if (n[TERMS_INDEX] > 0) {
		size_t stop = 1 + size % n[TERMS_INDEX];
		struct check c = { .in = data, .size = size, .mode = TERMS_INDEX, .pos = pos[0],
				   .stop_at = stop };
		FUZZ_CHECK(terms_split((const char *)data, size, TERMS_INDEX, check_term, &c) == 7);
		FUZZ_CHECK(c.n == stop);
	}

	if (size <= 2048)
		self_match(data, size);
	return 0;
}
