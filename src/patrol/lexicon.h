/*
 * lexicon.h - the patrol's keyword lexicon: words with a class and a
 * severity, read from a CSV file and found in messages by one matcher.
 *
 * File format (data/patrol/lexicon.csv is the default; docs/classify.md):
 *
 *     # a comment: a line whose first character is '#'
 *     word,class,severity
 *     着火,emergency,3
 *     不作为,cadre_complaint,2
 *
 * RFC 4180 CSV in UTF-8 (a byte-order mark is skipped); the first record is
 * that header; then one word per record: the word (1..LEXICON_WORD_MAX bytes
 * of well-formed UTF-8, no control characters, no space at either end), its
 * class (a lower-case name: a-z, 0-9 and '_', starting with a letter, up to
 * LEXICON_CLASS_MAX bytes; emergency and cadre_complaint are the ones the
 * patrol knows, others are reported as they are), and its severity: 1 note,
 * 2 warning, 3 urgent. A word may be listed once (ASCII letters compared
 * without case, as they are matched). A file is taken whole or not at all:
 * any bad line refuses it, and the error names the first bad line and how
 * many others there are.
 *
 * A lexicon is immutable once loaded; any number of threads may scan with
 * it at the same time.
 */
#ifndef PATROL_LEXICON_H
#define PATROL_LEXICON_H

#include "core/err.h"
#include "core/mem.h"

#include <stddef.h>

#define LEXICON_WORD_MAX 64        /* bytes of a word */
#define LEXICON_CLASS_MAX 32       /* bytes of a class name */
#define LEXICON_WORDS_MAX 100000   /* words in one lexicon */
#define LEXICON_FILE_MAX (16u << 20)

enum lexicon_severity { LEXICON_NOTE = 1, LEXICON_WARNING = 2, LEXICON_URGENT = 3 };

struct lexicon_entry {
	const char *word;  /* NUL-terminated */
	size_t len;        /* bytes of word */
	const char *cls;   /* NUL-terminated class name */
	enum lexicon_severity severity;
	size_t line;       /* line of the file it came from */
};

struct matcher;

struct lexicon {
	struct lexicon_entry *entries; /* in file order */
	size_t n;
	struct matcher *m;             /* pattern i is entries[i] */
	struct arena mem;              /* the strings */
};

struct lexicon_hit {
	const struct lexicon_entry *entry;
	size_t start, end; /* the text bytes [start, end) */
};

/*
 * Parse the lexicon in buf[0..len) (rewritten in place; buf[len] must be
 * writable, as csv_load() gives) and build its matcher. name (a path) starts
 * every error message. On success *out is a new lexicon the caller frees
 * with lexicon_free(); buf may be freed at once. Errors: APP_EINVAL naming
 * the first bad line (and how many more there are); APP_ETOOBIG past
 * LEXICON_WORDS_MAX words.
 */
enum app_err lexicon_parse(const char *name, char *buf, size_t len, struct lexicon **out,
			   struct app_error *err);

/* lexicon_parse() of the file at path. Errors also: APP_EIO, APP_ETOOBIG. */
enum app_err lexicon_load(const char *path, struct lexicon **out, struct app_error *err);

void lexicon_free(struct lexicon *lex);

/*
 * Called once per occurrence of a word. Returns 0 to go on; anything else
 * stops lexicon_scan(), which returns that value.
 */
typedef int (*lexicon_fn)(void *arg, const struct lexicon_hit *hit);

/*
 * Report every occurrence of every word in s[0..n), overlapping and nested
 * ones included (煤气泄漏 and 泄漏 both), ordered as matcher_scan() orders
 * them. Returns 0 or the first non-zero value of fn.
 */
int lexicon_scan(const struct lexicon *lex, const char *s, size_t n, lexicon_fn fn, void *arg);

/*
 * The first cap occurrences in s[0..n) into hits (cap may be 0); returns
 * how many there are in all (which may be more than cap).
 */
size_t lexicon_find(const struct lexicon *lex, const char *s, size_t n, struct lexicon_hit *hits,
		    size_t cap);

#endif
