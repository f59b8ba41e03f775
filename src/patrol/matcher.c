/*
 * matcher.c - Aho-Corasick over byte classes, compiled to a complete DFA.
 *
 * Construction: (1) give every byte that occurs in a pattern a class of its
 * own (ASCII capitals share their small letter's class when folding) and all
 * other bytes class 0; (2) build the trie of the patterns as rows of a dense
 * table indexed by class; (3) walk it breadth first, setting each state's
 * failure link and filling every missing transition from the failure state's
 * row, which is complete by then because it is shallower; (4) link each state
 * to the nearest state on its failure chain where a pattern ends ("dict"
 * link); (5) renumber the states so that those that report something come
 * last, and store next states pre-multiplied by the row width. The scan is
 * then `s = delta[s + class[byte]]` and one comparison per byte.
 */
#include "patrol/matcher.h"
#include "core/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

struct matcher {
	uint32_t *delta;    /* [nstates * ncls]: next state, times ncls */
	uint32_t ncls, nstates;
	uint32_t out_from;  /* states (times ncls) from here on report something */
	uint32_t *own;      /* per state: first pattern ending exactly there, or NONE */
	uint32_t *dict;     /* per state: nearest proper suffix state with own, or NONE */
	uint32_t *pat_next; /* per pattern: next pattern with the same bytes, or NONE */
	uint32_t *pat_len;
	size_t npatterns;
	uint8_t cls[256];
};

static unsigned char fold(unsigned char b, unsigned flags)
{
	if ((flags & MATCHER_FOLD_ASCII) && b >= 'A' && b <= 'Z')
		return (unsigned char)(b - 'A' + 'a');
	return b;
}

static enum app_err check_patterns(const struct matcher_pattern *p, size_t n, size_t *total,
				   struct app_error *err)
{
	if (n == 0)
		return app_fail(err, APP_EINVAL, "a matcher needs at least one pattern");
	if (n > MATCHER_PATTERNS_MAX)
		return app_fail(err, APP_ETOOBIG, "%zu patterns are more than the %d a matcher takes",
				n, MATCHER_PATTERNS_MAX);
	size_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i].len == 0 || !p[i].bytes)
			return app_fail(err, APP_EINVAL, "pattern %zu is empty", i + 1);
		if (p[i].len > MATCHER_PATTERN_MAX)
			return app_fail(err, APP_EINVAL, "pattern %zu is longer than %d bytes", i + 1,
					MATCHER_PATTERN_MAX);
		sum += p[i].len;
		if (sum > MATCHER_BYTES_MAX)
			return app_fail(err, APP_ETOOBIG, "the patterns together are longer than %u bytes",
					MATCHER_BYTES_MAX);
	}
	*total = sum;
	return APP_OK;
}

/* Step (1): byte classes. Returns the number of classes. */
static uint32_t make_classes(const struct matcher_pattern *p, size_t n, unsigned flags,
			     uint8_t cls[256])
{
	bool used[256] = { false };
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < p[i].len; k++)
			used[fold((unsigned char)p[i].bytes[k], flags)] = true;
	uint32_t ncls = 1;
	memset(cls, 0, 256);
	for (int b = 0; b < 256; b++)
		if (used[b])
			cls[b] = (uint8_t)ncls++; /* wraps at 257, see classes_for() */
	if (flags & MATCHER_FOLD_ASCII)
		for (int b = 'A'; b <= 'Z'; b++)
			cls[b] = cls[b - 'A' + 'a'];
	return ncls;
}

/*
 * When every one of the 256 bytes occurs in some pattern, no byte is left
 * for the "other" class and the classes are simply the bytes (257 classes
 * would not fit a uint8_t).
 */
static uint32_t classes_for(const struct matcher_pattern *p, size_t n, unsigned flags,
			    uint8_t cls[256])
{
	uint32_t ncls = make_classes(p, n, flags, cls);
	if (ncls <= 256)
		return ncls;
	for (int b = 0; b < 256; b++)
		cls[b] = fold((unsigned char)b, flags);
	return 256;
}

enum app_err matcher_build(const struct matcher_pattern *p, size_t n, unsigned flags,
			   struct matcher **out, struct app_error *err)
{
	size_t total = 0;
	enum app_err rc = check_patterns(p, n, &total, err);
	if (rc != APP_OK)
		return rc;
	struct matcher *m = xcalloc(1, sizeof(*m));
	m->ncls = classes_for(p, n, flags, m->cls);
	uint32_t ncls = m->ncls;
	size_t cap = total + 1 < 1024 ? total + 1 : 1024; /* rows of g */
	uint32_t *g = xmalloc(cap * ncls * sizeof(*g));
	uint32_t *own = xmalloc(cap * sizeof(*own));
	uint32_t *tail = xmalloc(cap * sizeof(*tail));
	for (size_t i = 0; i < ncls; i++)
		g[i] = NONE;
	m->pat_next = xmalloc(n * sizeof(*m->pat_next));
	m->pat_len = xmalloc(n * sizeof(*m->pat_len));
	m->npatterns = n;
	own[0] = tail[0] = NONE;
	uint32_t nstates = 1;

	/* (2) the trie */
	for (size_t i = 0; i < n; i++) {
		uint32_t s = 0;
		for (size_t k = 0; k < p[i].len; k++) {
			uint32_t c = m->cls[(unsigned char)p[i].bytes[k]];
			if (g[(size_t)s * ncls + c] == NONE) {
				if ((size_t)(nstates + 1) * ncls > MATCHER_TABLE_MAX) {
					free(g);
					free(own);
					free(tail);
					matcher_free(m);
					return app_fail(err, APP_ETOOBIG,
							"the patterns need a table of more than %u entries",
							MATCHER_TABLE_MAX);
				}
				if (nstates == cap) { /* total + 1 rows always suffice */
					cap = cap * 2 < total + 1 ? cap * 2 : total + 1;
					g = xrealloc(g, cap * ncls * sizeof(*g));
					own = xrealloc(own, cap * sizeof(*own));
					tail = xrealloc(tail, cap * sizeof(*tail));
				}
				uint32_t t = nstates++;
				for (size_t j = 0; j < ncls; j++)
					g[(size_t)t * ncls + j] = NONE;
				own[t] = tail[t] = NONE;
				g[(size_t)s * ncls + c] = t;
			}
			s = g[(size_t)s * ncls + c];
		}
		m->pat_len[i] = (uint32_t)p[i].len;
		m->pat_next[i] = NONE;
		if (own[s] == NONE)
			own[s] = (uint32_t)i;
		else
			m->pat_next[tail[s]] = (uint32_t)i;
		tail[s] = (uint32_t)i;
	}
	free(tail);

	/* (3) and (4): failure links, complete rows, dict links, breadth first */
	uint32_t *fail = xmalloc(nstates * sizeof(*fail));
	uint32_t *dict = xmalloc(nstates * sizeof(*dict));
	uint32_t *queue = xmalloc(nstates * sizeof(*queue));
	size_t head = 0, qn = 0;
	fail[0] = 0;
	dict[0] = NONE;
	queue[qn++] = 0;
	while (head < qn) {
		uint32_t u = queue[head++];
		uint32_t *row = g + (size_t)u * ncls;
		const uint32_t *frow = g + (size_t)fail[u] * ncls;
		for (uint32_t c = 0; c < ncls; c++) {
			uint32_t v = row[c];
			if (v == NONE) {
				row[c] = u == 0 ? 0 : frow[c];
				continue;
			}
			uint32_t f = u == 0 ? 0 : frow[c];
			fail[v] = f;
			dict[v] = own[f] != NONE ? f : dict[f];
			queue[qn++] = v;
		}
	}

	/* (5) renumber: silent states first (the root among them), then the
	 * reporting ones, each group in breadth-first order */
	uint32_t *newid = xmalloc(nstates * sizeof(*newid));
	uint32_t next = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < qn; i++) {
			uint32_t s = queue[i];
			bool reports = own[s] != NONE || dict[s] != NONE;
			if (reports == (pass == 1))
				newid[s] = next++;
		}
	uint32_t silent = 0;
	for (size_t i = 0; i < qn; i++)
		silent += own[queue[i]] == NONE && dict[queue[i]] == NONE;
	m->nstates = nstates;
	m->out_from = silent * ncls;
	m->delta = xmalloc((size_t)nstates * ncls * sizeof(*m->delta));
	m->own = xmalloc(nstates * sizeof(*m->own));
	m->dict = xmalloc(nstates * sizeof(*m->dict));
	for (uint32_t s = 0; s < nstates; s++) {
		uint32_t t = newid[s];
		for (uint32_t c = 0; c < ncls; c++)
			m->delta[(size_t)t * ncls + c] = newid[g[(size_t)s * ncls + c]] * ncls;
		m->own[t] = own[s];
		m->dict[t] = dict[s] == NONE ? NONE : newid[dict[s]];
	}
	free(newid);
	free(queue);
	free(dict);
	free(fail);
	free(own);
	free(g);
	*out = m;
	return APP_OK;
}

void matcher_free(struct matcher *m)
{
	if (!m)
		return;
	free(m->delta);
	free(m->own);
	free(m->dict);
	free(m->pat_next);
	free(m->pat_len);
	free(m);
}

/* Every pattern that ends at state (an index, not pre-multiplied) at end. */
static int report(const struct matcher *m, uint32_t state, size_t end, matcher_fn fn, void *arg)
{
	uint32_t t = m->own[state] != NONE ? state : m->dict[state];
	while (t != NONE) {
		for (uint32_t i = m->own[t]; i != NONE; i = m->pat_next[i]) {
			struct matcher_hit h = { end - m->pat_len[i], end, i };
			int rc = fn(arg, &h);
			if (rc)
				return rc;
		}
		t = m->dict[t];
	}
	return 0;
}

int matcher_scan(const struct matcher *m, const char *s, size_t n, matcher_fn fn, void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint32_t *delta = m->delta;
	const uint8_t *cls = m->cls;
	const uint32_t from = m->out_from;
	uint32_t st = 0;
	for (size_t i = 0; i < n; i++) {
		st = delta[st + cls[p[i]]];
		if (st >= from) {
			int rc = report(m, st / m->ncls, i + 1, fn, arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

size_t matcher_count(const struct matcher *m, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint32_t *delta = m->delta;
	const uint8_t *cls = m->cls;
	const uint32_t from = m->out_from;
	uint32_t st = 0;
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		st = delta[st + cls[p[i]]];
		if (st >= from) {
			uint32_t idx = st / m->ncls;
			for (uint32_t t = m->own[idx] != NONE ? idx : m->dict[idx]; t != NONE;
			     t = m->dict[t])
				for (uint32_t k = m->own[t]; k != NONE; k = m->pat_next[k])
					count++;
		}
	}
	return count;
}

size_t matcher_patterns(const struct matcher *m)
{
	return m->npatterns;
}

size_t matcher_pattern_len(const struct matcher *m, uint32_t i)
{
	return i < m->npatterns ? m->pat_len[i] : 0;
}

size_t matcher_states(const struct matcher *m)
{
	return m->nstates;
}

size_t matcher_memory(const struct matcher *m)
{
	return sizeof(*m) + (size_t)m->nstates * m->ncls * sizeof(uint32_t) +
	       (size_t)m->nstates * 2 * sizeof(uint32_t) + m->npatterns * 2 * sizeof(uint32_t);
}
