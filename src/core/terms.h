/*
 * terms.h - search terms of UTF-8 text, the same for SQLite FTS5 and
 * PostgreSQL tsvector (docs/search.md says why this design and gives the
 * recall, precision, size and speed figures behind it).
 *
 * Chinese has no spaces, so words cannot be found by splitting; instead:
 *   - a run of CJK characters (Han ideographs, also kana and hangul) becomes
 *     its overlapping character bigrams: "停水三天" -> 停水 水三 三天. A
 *     query of two or more characters is then the phrase of its bigrams,
 *     which matches exactly where the query occurs inside a run;
 *   - a run of one CJK character becomes that character (a unigram);
 *   - a one-character query must find the character inside runs too, so
 *     documents get extra unigrams, each at the position of a bigram
 *     ("colocated": it adds an index entry, not a position, so phrases are
 *     unaffected). TERMS_INDEX_ALL (what the store uses) adds every
 *     character of a run as a unigram: one-character queries are exact
 *     lookups. TERMS_INDEX adds only the run's last character: a smaller
 *     index (about 0.65 of it) on which a one-character query must be a
 *     prefix query ("水*": every bigram that starts with 水, plus 水 where
 *     it ends a run), which is slow on millions of messages. docs/search.md
 *     has the figures;
 *   - a run of letters and digits becomes one lower-case word. Full-width
 *     forms (ＷｉＦｉ１２３) fold to ASCII, and Latin-1, Greek and Cyrillic
 *     capitals to small letters; no other normalisation (no ICU);
 *   - everything else separates terms: spaces, ASCII and CJK punctuation,
 *     symbols, emoji, control characters, and bytes that are not well-formed
 *     UTF-8 (skipped). So no bigram spans a punctuation mark: "停水，三天"
 *     gives 停水 三天, never 水三;
 *   - zero-width and format characters (ZWSP, ZWJ, BOM, soft hyphen,
 *     variation selectors, combining marks) are skipped without separating.
 *
 * A term is at most TERMS_TERM_MAX bytes: a longer word is cut into pieces
 * at character boundaries, each piece a term of its own (the query side cuts
 * the same way, so long words still match).
 *
 * Nothing here allocates: terms are handed one at a time to a callback, in
 * a small buffer on terms_split()'s stack.
 */
#ifndef CORE_TERMS_H
#define CORE_TERMS_H

#include <stdbool.h>
#include <stddef.h>

#define TERMS_TERM_MAX 64 /* bytes of a term, without the NUL */

enum terms_mode {
	TERMS_INDEX,     /* a document, compact: bigrams, lone characters, run-final unigrams */
	TERMS_INDEX_ALL, /* a document: bigrams and every character as a unigram */
	TERMS_QUERY,     /* a search: bigrams and lone characters; groups, prefix marks */
	TERMS_MODE__MAX
};

enum terms_kind {
	TERMS_WORD,    /* letters and digits, folded */
	TERMS_BIGRAM,  /* two CJK characters */
	TERMS_UNIGRAM, /* one CJK character */
	TERMS_KIND__MAX
};

struct terms_term {
	const char *text;     /* the term, NUL-terminated; valid during the callback only */
	size_t len;           /* its length in bytes, 1..TERMS_TERM_MAX */
	size_t start, end;    /* the input bytes it comes from: [start, end) */
	enum terms_kind kind;
	/*
	 * Index modes: this term is an extra entry at the position of the
	 * previous term (FTS5_TOKEN_COLOCATED; the same position number in a
	 * tsvector), not a new position. Never the first term; never in
	 * TERMS_QUERY.
	 */
	bool colocated;
	/*
	 * TERMS_QUERY: terms of the same group stand next to each other in the
	 * query, with no separator between them, and must be matched as a
	 * phrase (consecutive positions); groups are numbered from 0 and are
	 * AND-ed. Always 0 in the index modes.
	 */
	unsigned group;
	/*
	 * TERMS_QUERY: a lone CJK character that ends its group: match it as a
	 * prefix ("水*") on an index made with TERMS_INDEX, where inside a run it
	 * exists only as the start of bigrams. (Exactly on TERMS_INDEX_ALL.)
	 */
	bool prefix;
};

/*
 * Called once per term, in input order. Returns 0 to go on; anything else
 * stops terms_split(), which returns that value.
 */
typedef int (*terms_fn)(void *arg, const struct terms_term *t);

/*
 * Split s[0..n) (any bytes: ill-formed UTF-8 is skipped, NUL separates) into
 * terms for mode and hand each to fn with arg. Returns 0, or the first
 * non-zero value fn returned. s may be NULL when n is 0. Offsets are byte
 * offsets into s; start < end <= n.
 */
int terms_split(const char *s, size_t n, enum terms_mode mode, terms_fn fn, void *arg);

/*
 * The terms of a search string: terms_split(s, n, TERMS_QUERY, fn, arg).
 * A query is turned into a backend's syntax by the store: each group a
 * phrase of its terms, groups AND-ed (on a TERMS_INDEX index, the last term
 * of a group a prefix when marked).
 */
int terms_query(const char *s, size_t n, terms_fn fn, void *arg);

#endif
