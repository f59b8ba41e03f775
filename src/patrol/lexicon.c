/*
 * lexicon.c - reading the keyword lexicon (CSV, all or nothing) and finding
 * its words with a matcher.
 */
#include "patrol/lexicon.h"
#include "core/csv.h"
#include "core/utf8.h"
#include "patrol/matcher.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is wrong with a word, or NULL when nothing is. */
static const char *word_problem(const char *w)
{
	size_t n = strlen(w);
	if (n == 0)
		return "the word is empty";
	if (n > LEXICON_WORD_MAX)
		return "the word is longer than 64 bytes";
	if (!utf8_valid(w, n))
		return "the word is not well-formed UTF-8";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)w[i] < 0x20 || w[i] == 0x7F)
			return "the word holds a control character";
	if (w[0] == ' ' || w[n - 1] == ' ')
		return "the word starts or ends with a space";
	return NULL;
}

static bool class_ok(const char *c)
{
	size_t n = strlen(c);
	if (n == 0 || n > LEXICON_CLASS_MAX || c[0] < 'a' || c[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '_'))
			return false;
	return true;
}

/* ASCII letters without case, other bytes exactly: how words are matched. */
static int fold_cmp(const struct lexicon_entry *a, const struct lexicon_entry *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a->word[i], y = (unsigned char)b->word[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_entry_ptr(const void *a, const void *b)
{
	const struct lexicon_entry *x = *(const struct lexicon_entry *const *)a;
	const struct lexicon_entry *y = *(const struct lexicon_entry *const *)b;
	int c = fold_cmp(x, y);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/*
 * Turn every comment line (one that starts with '#') into a blank line of
 * '\r' bytes, which the CSV reader skips without counting a line, so that
 * line numbers stay those of the file and a comment may hold any text,
 * quotes included.
 */
static void blank_comments(char *buf, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	bool line_start = true;
	for (; i < len; i++) {
		if (line_start && buf[i] == '#') {
			while (i < len && buf[i] != '\n')
				buf[i++] = '\r';
		}
		line_start = i < len && buf[i] == '\n';
	}
}

struct problems {
	struct app_error *err;
	const char *name;
	size_t count;
};

static void problem(struct problems *p, size_t line, const char *fmt, const char *arg)
{
	if (p->count++ == 0 && p->err) {
		char what[256];
		snprintf(what, sizeof(what), fmt, arg);
		app_fail(p->err, APP_EINVAL, "lexicon '%s' line %zu: %s", p->name, line, what);
	}
}

static void finish_problems(struct problems *p)
{
	if (p->count > 1 && p->err) {
		size_t n = strlen(p->err->msg);
		snprintf(p->err->msg + n, sizeof(p->err->msg) - n,
			 " (and %zu more problem%s; nothing was loaded)", p->count - 1,
			 p->count == 2 ? "" : "s");
	}
}

enum app_err lexicon_parse(const char *name, char *buf, size_t len, struct lexicon **out,
			   struct app_error *err)
{
	blank_comments(buf, len);
	struct csv_reader r;
	csv_init(&r, buf, len);
	struct lexicon *lex = xcalloc(1, sizeof(*lex));
	arena_init(&lex->mem);
	struct problems pb = { err, name, 0 };
	size_t cap = 0;
	struct app_error csv_err;
	int got = csv_next(&r, &csv_err);
	if (got == 1 && !(r.nfields == 3 && strcmp(r.fields[0], "word") == 0 &&
			  strcmp(r.fields[1], "class") == 0 && strcmp(r.fields[2], "severity") == 0))
		problem(&pb, r.record_line, "%s", "the first line must be the header 'word,class,severity'");
	while (got == 1 && (got = csv_next(&r, &csv_err)) == 1) {
		size_t line = r.record_line;
		if (r.nfields != 3) {
			problem(&pb, line, "%s", "a line has three fields: word,class,severity");
			continue;
		}
		const char *w = r.fields[0], *c = r.fields[1], *sev = r.fields[2];
		const char *why = word_problem(w);
		if (why) {
			problem(&pb, line, "%s", why);
			continue;
		}
		if (!class_ok(c)) {
			problem(&pb, line, "'%.40s' is not a class name (a-z, 0-9 and _, from a letter, "
				"up to 32 bytes)", c);
			continue;
		}
		if (!(sev[0] >= '1' && sev[0] <= '3' && sev[1] == '\0')) {
			problem(&pb, line, "severity must be 1, 2 or 3, not '%.20s'", sev);
			continue;
		}
		if (lex->n == LEXICON_WORDS_MAX) {
			csv_release(&r);
			lexicon_free(lex);
			return app_fail(err, APP_ETOOBIG, "lexicon '%s' has more than %d words", name,
					LEXICON_WORDS_MAX);
		}
		if (lex->n == cap) {
			cap = cap ? cap * 2 : 64;
			lex->entries = xrealloc(lex->entries, cap * sizeof(*lex->entries));
		}
		struct lexicon_entry *e = &lex->entries[lex->n++];
		e->len = strlen(w);
		e->word = arena_strndup(&lex->mem, w, e->len);
		e->cls = arena_strndup(&lex->mem, c, strlen(c));
		e->severity = (enum lexicon_severity)(sev[0] - '0');
		e->line = line;
	}
	csv_release(&r);
	if (got < 0) { /* a broken quote: the rest of the file cannot be read */
		size_t line = r.line;
		int skip = 0;
		if (sscanf(csv_err.msg, "line %zu: %n", &line, &skip) < 1 || skip == 0)
			skip = 0;
		problem(&pb, line, "%s", csv_err.msg + skip);
	}
	else if (pb.count == 0 && lex->n == 0)
		problem(&pb, r.line, "%s", "the lexicon has no words");

	/* each word once */
	if (lex->n > 1) {
		const struct lexicon_entry **by = xmalloc(lex->n * sizeof(*by));
		for (size_t i = 0; i < lex->n; i++)
			by[i] = &lex->entries[i];
		qsort(by, lex->n, sizeof(*by), cmp_entry_ptr);
		for (size_t i = 1; i < lex->n; i++)
			if (fold_cmp(by[i - 1], by[i]) == 0) {
				char what[160];
				snprintf(what, sizeof(what), "'%s' is already on line %zu", by[i]->word,
					 by[i - 1]->line);
				problem(&pb, by[i]->line, "%s", what);
			}
		free(by);
	}
	if (pb.count) {
		finish_problems(&pb);
		lexicon_free(lex);
		return APP_EINVAL;
	}

	struct matcher_pattern *pats = xmalloc(lex->n * sizeof(*pats));
	for (size_t i = 0; i < lex->n; i++)
		pats[i] = (struct matcher_pattern){ lex->entries[i].word, lex->entries[i].len };
	enum app_err rc = matcher_build(pats, lex->n, MATCHER_FOLD_ASCII, &lex->m, err);
	free(pats);
	if (rc != APP_OK) {
		lexicon_free(lex);
		return rc;
	}
	*out = lex;
	return APP_OK;
}

enum app_err lexicon_load(const char *path, struct lexicon **out, struct app_error *err)
{
	char *buf;
	size_t len;
	enum app_err rc = csv_load(path, LEXICON_FILE_MAX, &buf, &len, err);
	if (rc != APP_OK)
		return rc;
	rc = lexicon_parse(path, buf, len, out, err);
	free(buf);
	return rc;
}

void lexicon_free(struct lexicon *lex)
{
	if (!lex)
		return;
	matcher_free(lex->m);
	free(lex->entries);
	arena_release(&lex->mem);
	free(lex);
}

struct scan_ctx {
	const struct lexicon *lex;
	lexicon_fn fn;
	void *arg;
};

static int on_hit(void *arg, const struct matcher_hit *h)
{
	struct scan_ctx *c = arg;
	struct lexicon_hit lh = { &c->lex->entries[h->pattern], h->start, h->end };
	return c->fn(c->arg, &lh);
}

int lexicon_scan(const struct lexicon *lex, const char *s, size_t n, lexicon_fn fn, void *arg)
{
	struct scan_ctx c = { lex, fn, arg };
	return matcher_scan(lex->m, s, n, on_hit, &c);
}

struct find_ctx {
	struct lexicon_hit *hits;
	size_t cap, n;
};

static int collect(void *arg, const struct lexicon_hit *h)
{
	struct find_ctx *c = arg;
	if (c->n < c->cap)
		c->hits[c->n] = *h;
	c->n++;
	return 0;
}

size_t lexicon_find(const struct lexicon *lex, const char *s, size_t n, struct lexicon_hit *hits,
		    size_t cap)
{
	struct find_ctx c = { hits, cap, 0 };
	lexicon_scan(lex, s, n, collect, &c);
	return c.n;
}
