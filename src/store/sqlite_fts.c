/*
 * sqlite_fts.c - the FTS5 tokenizer "bianmin" and search expressions.
 *
 * The tokenizer is a thin adapter: FTS5 hands it text, core/terms.c splits
 * it, and each term goes back through FTS5's callback with its byte offsets
 * (for highlight() and snippet()). Documents are split with TERMS_INDEX_ALL,
 * or TERMS_INDEX when the table says 'bianmin compact'; query strings with
 * TERMS_QUERY, so that a query never carries the colocated extra unigrams.
 *
 * What this file must not do: hold domain rules (what is searched, who may
 * see it: the callers decide) or paste user text into SQL (sq_fts_match()
 * builds an expression that is bound as a parameter).
 */
#include "store/sqlite_fts.h"
#include "core/terms.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct tok {
	enum terms_mode index_mode;
};

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)ctx;
	enum terms_mode mode = TERMS_INDEX_ALL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "compact") == 0)
			mode = TERMS_INDEX;
		else
			return SQLITE_ERROR; /* FTS5 reports "error in tokenizer constructor" */
	}
	struct tok *t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	t->index_mode = mode;
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
	sqlite3_free(t);
}

struct tok_call {
	void *ctx;
	int (*token)(void *ctx, int tflags, const char *tok, int ntok, int start, int end);
};

static int tok_term(void *arg, const struct terms_term *t)
{
	struct tok_call *c = arg;
	return c->token(c->ctx, t->colocated ? FTS5_TOKEN_COLOCATED : 0, t->text, (int)t->len,
			(int)t->start, (int)t->end);
}

static int tok_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int ntext,
			int (*token)(void *, int, const char *, int, int, int))
{
	const struct tok *t = (const struct tok *)tk;
	struct tok_call c = { ctx, token };
	enum terms_mode mode = (flags & FTS5_TOKENIZE_QUERY) ? TERMS_QUERY : t->index_mode;
	if (ntext <= 0)
		return SQLITE_OK;
	return terms_split(text, (size_t)ntext, mode, tok_term, &c);
}

/* The fts5_api of db, as the FTS5 documentation shows: NULL without FTS5. */
static fts5_api *fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return api;
}

enum app_err sq_fts_register(sqlite3 *db, struct app_error *err)
{
	fts5_api *api = fts5_api_of(db);
	if (!api || api->iVersion < 2)
		return app_fail(err, APP_EDB, "cannot register the search tokenizer: "
				"this SQLite has no FTS5");
	fts5_tokenizer tk = { tok_create, tok_delete, tok_tokenize };
	int rc = api->xCreateTokenizer(api, "bianmin", NULL, &tk, NULL);
	if (rc != SQLITE_OK)
		return app_fail(err, APP_EDB, "cannot register the search tokenizer: %s",
				sqlite3_errstr(rc));
	return APP_OK;
}

struct match {
	struct strbuf *out;
	bool compact;
	size_t terms;
	unsigned group;
	bool prefix; /* the last term of the open phrase is a prefix */
};

static int match_term(void *arg, const struct terms_term *t)
{
	struct match *m = arg;
	if (++m->terms > SQ_FTS_QUERY_TERMS_MAX)
		return 1;
	if (m->terms == 1) {
		strbuf_addch(m->out, '"');
	} else if (t->group != m->group) {
		strbuf_addstr(m->out, m->prefix ? "\"* \"" : "\" \"");
	} else {
		strbuf_addch(m->out, ' ');
	}
	/* a term is letters, digits or CJK: never a quote, nothing to escape */
	strbuf_add(m->out, t->text, t->len);
	m->group = t->group;
	m->prefix = m->compact && t->prefix;
	return 0;
}

static enum app_err render(const char *q, size_t n, bool compact, struct strbuf *out,
			   struct app_error *err)
{
	struct strbuf expr = STRBUF_INIT;
	struct match m = { .out = &expr, .compact = compact };
	if (terms_query(q, n, match_term, &m) != 0) {
		strbuf_release(&expr);
		return app_fail_field(err, APP_ETOOBIG, "q",
				      "search text has more than %d terms", SQ_FTS_QUERY_TERMS_MAX);
	}
	if (m.terms == 0) {
		strbuf_release(&expr);
		return app_fail_field(err, APP_EINVAL, "q",
				      "search text has no letters, digits or Chinese characters");
	}
	strbuf_addstr(&expr, m.prefix ? "\"*" : "\"");
	strbuf_add(out, expr.buf, expr.len);
	strbuf_release(&expr);
	return APP_OK;
}

enum app_err sq_fts_match(const char *q, size_t n, struct strbuf *out, struct app_error *err)
{
	return render(q, n, false, out, err);
}

enum app_err sq_fts_match_compact(const char *q, size_t n, struct strbuf *out,
				  struct app_error *err)
{
	return render(q, n, true, out, err);
}
