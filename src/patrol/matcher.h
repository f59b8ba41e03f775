/*
 * matcher.h - find every occurrence of many byte patterns in a text at once
 * (Aho-Corasick), for the patrol's keyword alerts (issue #7).
 *
 * The automaton works on bytes, not code points. UTF-8 is self-synchronising:
 * a lead byte never occurs as a continuation byte, so a well-formed pattern
 * can only match well-formed text where a character starts and end where one
 * ends; a byte sequence spanning two characters (the tail of one and the head
 * of the next) never spells a pattern. Bytes need no decoding, so the scan is
 * one table load per byte: the transition table is a complete DFA over byte
 * classes (the bytes that occur in some pattern, each a class of its own, and
 * one class for all others), with state numbers pre-multiplied by the row
 * width, and states that report something numbered last so that the hot loop
 * tests a single comparison. Decoding to code points first would cost more
 * than the whole byte scan and gain nothing.
 *
 * A matcher is immutable once built: any number of threads may scan with it
 * at the same time. It never sees the classes or severities of a lexicon
 * (lexicon.h); patterns are numbered by their index in the build array.
 */
#ifndef PATROL_MATCHER_H
#define PATROL_MATCHER_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define MATCHER_PATTERNS_MAX 1000000 /* patterns in one matcher */
#define MATCHER_PATTERN_MAX 1024     /* bytes of one pattern */
#define MATCHER_BYTES_MAX (4u << 20) /* bytes of all patterns together */
#define MATCHER_TABLE_MAX (1u << 26) /* states x byte classes of the DFA (256 MiB) */

/* Build flags. */
enum {
	/* ASCII letters match regardless of case (patterns and text). Other
	 * characters match exactly. */
	MATCHER_FOLD_ASCII = 1u << 0,
};

struct matcher_pattern {
	const char *bytes; /* not NUL-terminated; any bytes */
	size_t len;        /* 1..MATCHER_PATTERN_MAX */
};

struct matcher_hit {
	size_t start, end; /* the text bytes [start, end) that spell the pattern */
	uint32_t pattern;  /* its index in the array given to matcher_build() */
};

struct matcher;

/*
 * Build a matcher of p[0..n) with flags. The patterns are copied (only their
 * lengths are kept, in fact): p may be freed afterwards. The same bytes may
 * be given more than once; each copy is reported. On success *out is a new
 * matcher that the caller frees with matcher_free(). Errors: APP_EINVAL for
 * no patterns, an empty pattern or one longer than MATCHER_PATTERN_MAX;
 * APP_ETOOBIG beyond MATCHER_PATTERNS_MAX, MATCHER_BYTES_MAX or a table of
 * more than MATCHER_TABLE_MAX entries.
 */
enum app_err matcher_build(const struct matcher_pattern *p, size_t n, unsigned flags,
			   struct matcher **out, struct app_error *err);

void matcher_free(struct matcher *m);

/*
 * Called once per occurrence. Returns 0 to go on; anything else stops
 * matcher_scan(), which returns that value.
 */
typedef int (*matcher_fn)(void *arg, const struct matcher_hit *hit);

/*
 * Report every occurrence of every pattern in s[0..n) (any bytes; s may be
 * NULL when n is 0), overlapping and nested ones included: in order of their
 * end, and at one end the longest pattern first (equal patterns by index).
 * Returns 0, or the first non-zero value fn returned.
 */
int matcher_scan(const struct matcher *m, const char *s, size_t n, matcher_fn fn, void *arg);

/* The number of occurrences matcher_scan() would report. */
size_t matcher_count(const struct matcher *m, const char *s, size_t n);

/* How many patterns m was built with, and the length of pattern i. */
size_t matcher_patterns(const struct matcher *m);
size_t matcher_pattern_len(const struct matcher *m, uint32_t i);

/* States of the automaton and bytes of its tables (for sizing and benchmarks). */
size_t matcher_states(const struct matcher *m);
size_t matcher_memory(const struct matcher *m);

#endif
