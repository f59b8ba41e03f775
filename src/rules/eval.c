/*
 * eval.c - runs compiled policies over persons held as columns, one block of
 * RULES_BLOCK persons at a time: every instruction is a loop of fixed trip
 * count over int32 vectors (which GCC vectorises at -O2), comparisons give a
 * byte per person that is packed into bitsets of 64 persons per word, and
 * and/or/not are word operations on those bitsets.
 *
 * Nulls follow three-valued logic: a comparison over an absent value is
 * unknown, `false and unknown` is false, `true or unknown` is true, and a
 * policy grants only where its condition is known to hold. One core, no
 * allocation per block.
 */
#include "rules/rules_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { BLK = RULES_BLOCK, WORDS = RULES_BLOCK / 64 };

/* One register: a number (v, present in a) or a condition (value a, known b). */
struct regv {
	int32_t v[BLK];
	uint64_t a[WORDS];
	uint64_t b[WORDS];
};

struct ectx {
	const struct rules_columns *c;
	int32_t day;
	const struct rules_column **col; /* inputs then stage columns; NULL: absent */
	int32_t *konst;                  /* nconst vectors of BLK */
	struct regv *reg;
	size_t base;                     /* first person of the block */
	uint8_t **within;                /* per instruction of the running program */
};

static const int32_t zeros[BLK];
static const uint64_t none[WORDS];
static const uint64_t all[WORDS] = {
	~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL,
	~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL,
};
_Static_assert(WORDS == 16, "all[] has one word per 64 persons of a block");

static const int32_t *vec(const struct ectx *x, struct rules_opnd o)
{
	switch (o.kind) {
	case RO_REG: return x->reg[o.idx].v;
	case RO_COL: return x->col[o.idx] ? x->col[o.idx]->data + x->base : zeros;
	default: return x->konst + (size_t)o.idx * BLK;
	}
}

static const uint64_t *present(const struct ectx *x, struct rules_opnd o)
{
	switch (o.kind) {
	case RO_REG: return x->reg[o.idx].a;
	case RO_COL: return x->col[o.idx] ? x->col[o.idx]->present + x->base / 64 : none;
	default: return all;
	}
}

/* Pack one byte (0 or 1) per person into bits. */
static void pack(const uint8_t *restrict m, uint64_t *restrict w)
{
	for (int k = 0; k < WORDS; k++) {
		uint64_t bits = 0;
		for (int j = 0; j < 8; j++) {
			uint64_t x;
			memcpy(&x, m + k * 64 + j * 8, 8);
			/* byte i of x (0 or 1) lands on bit 56 + i, then down to bit 8j + i */
			bits |= ((x * 0x0102040810204080ULL) >> 56) << (j * 8);
		}
		w[k] = bits;
	}
}

static void cmp_kernel(int op, const int32_t *restrict a, const int32_t *restrict b,
		       uint8_t *restrict m)
{
	switch (op) {
	case RC_EQ: for (int i = 0; i < BLK; i++) m[i] = a[i] == b[i]; break;
	case RC_NE: for (int i = 0; i < BLK; i++) m[i] = a[i] != b[i]; break;
	case RC_LT: for (int i = 0; i < BLK; i++) m[i] = a[i] < b[i]; break;
	case RC_LE: for (int i = 0; i < BLK; i++) m[i] = a[i] <= b[i]; break;
	case RC_GT: for (int i = 0; i < BLK; i++) m[i] = a[i] > b[i]; break;
	default: for (int i = 0; i < BLK; i++) m[i] = a[i] >= b[i]; break;
	}
}

/* dst = bits & pa & pb, known = pa & pb */
static void finish_cmp(struct regv *d, const uint8_t *m, const uint64_t *pa, const uint64_t *pb)
{
	pack(m, d->a);
	for (int k = 0; k < WORDS; k++) {
		d->b[k] = pa[k] & pb[k];
		d->a[k] &= d->b[k];
	}
}

static void arith_kernel(int op, const int32_t *restrict a, const int32_t *restrict b,
			 int32_t *restrict d, uint8_t *restrict ok)
{
	for (int i = 0; i < BLK; i++) {
		int64_t r = op == '+'   ? (int64_t)a[i] + b[i]
			    : op == '-' ? (int64_t)a[i] - b[i]
			    : op == '*' ? (int64_t)a[i] * b[i]
					: (int64_t)a[i] * b[i] / 100;
		ok[i] = r >= INT32_MIN && r <= INT32_MAX;
		d[i] = (int32_t)r;
	}
}

static void run_insn(struct ectx *x, const struct rules_insn *in, size_t idx)
{
	struct regv *d = &x->reg[in->dst];
	uint8_t m[BLK];
	switch (in->op) {
	case OP_CMP:
		cmp_kernel(in->sub, vec(x, in->a), vec(x, in->b), m);
		finish_cmp(d, m, present(x, in->a), present(x, in->b));
		break;
	case OP_AGE_CMP: {
		/* age >= N ⟺ birth <= T(N); age > N ⟺ birth <= T(N+1) */
		int32_t n = x->konst[(size_t)in->b.idx * BLK];
		int32_t t1 = rules_age_threshold(x->day, n);
		int32_t t2 = n == INT32_MAX ? INT32_MIN : rules_age_threshold(x->day, n + 1);
		const int32_t *restrict a = vec(x, in->a);
		switch (in->sub) {
		case RC_GE: for (int i = 0; i < BLK; i++) m[i] = a[i] <= t1; break;
		case RC_LT: for (int i = 0; i < BLK; i++) m[i] = a[i] > t1; break;
		case RC_GT: for (int i = 0; i < BLK; i++) m[i] = a[i] <= t2; break;
		case RC_LE: for (int i = 0; i < BLK; i++) m[i] = a[i] > t2; break;
		case RC_EQ: for (int i = 0; i < BLK; i++) m[i] = (a[i] <= t1) & (a[i] > t2); break;
		default: for (int i = 0; i < BLK; i++) m[i] = (a[i] > t1) | (a[i] <= t2); break;
		}
		finish_cmp(d, m, present(x, in->a), all);
		break;
	}
	case OP_IN: {
		const int32_t *restrict a = vec(x, in->a);
		memset(m, 0, sizeof(m));
		for (int k = 0; k < in->nlist; k++) {
			int32_t c = x->konst[(size_t)(in->list + k) * BLK];
			for (int i = 0; i < BLK; i++)
				m[i] |= a[i] == c;
		}
		if (in->neg)
			for (int i = 0; i < BLK; i++)
				m[i] ^= 1;
		finish_cmp(d, m, present(x, in->a), all);
		break;
	}
	case OP_WITHIN: {
		const int32_t *a = vec(x, in->a);
		const uint64_t *pa = present(x, in->a);
		const uint8_t *tab = x->within[idx];
		for (int i = 0; i < BLK; i++) /* absent values hold 0, a valid index */
			m[i] = tab[a[i]];
		finish_cmp(d, m, pa, all);
		break;
	}
	case OP_MISSING: {
		const uint64_t *pa = present(x, in->a);
		for (int k = 0; k < WORDS; k++) {
			d->a[k] = ~pa[k];
			d->b[k] = ~0ULL;
		}
		break;
	}
	case OP_TRUE:
		for (int k = 0; k < WORDS; k++) {
			d->a[k] = in->sub ? ~0ULL : 0;
			d->b[k] = ~0ULL;
		}
		break;
	case OP_AND: {
		const struct regv *a = &x->reg[in->a.idx], *b = &x->reg[in->b.idx];
		for (int k = 0; k < WORDS; k++) {
			uint64_t va = a->a[k], ka = a->b[k], vb = b->a[k], kb = b->b[k];
			d->a[k] = va & vb;
			d->b[k] = (ka & kb) | (ka & ~va) | (kb & ~vb);
		}
		break;
	}
	case OP_OR: {
		const struct regv *a = &x->reg[in->a.idx], *b = &x->reg[in->b.idx];
		for (int k = 0; k < WORDS; k++) {
			uint64_t va = a->a[k], ka = a->b[k], vb = b->a[k], kb = b->b[k];
			d->a[k] = va | vb;
			d->b[k] = (ka & kb) | va | vb;
		}
		break;
	}
	case OP_NOT: {
		const struct regv *a = &x->reg[in->a.idx];
		for (int k = 0; k < WORDS; k++) {
			d->b[k] = a->b[k];
			d->a[k] = ~a->a[k] & a->b[k];
		}
		break;
	}
	case OP_ARITH: {
		arith_kernel(in->sub, vec(x, in->a), vec(x, in->b), d->v, m);
		const uint64_t *pa = present(x, in->a), *pb = present(x, in->b);
		pack(m, d->a);
		for (int k = 0; k < WORDS; k++)
			d->a[k] &= pa[k] & pb[k];
		break;
	}
	case OP_NEG: {
		const int32_t *restrict a = vec(x, in->a);
		const uint64_t *pa = present(x, in->a);
		for (int i = 0; i < BLK; i++) { /* -INT32_MIN does not exist: absent */
			m[i] = a[i] != INT32_MIN;
			d->v[i] = m[i] ? -a[i] : 0;
		}
		pack(m, d->a);
		for (int k = 0; k < WORDS; k++)
			d->a[k] &= pa[k];
		break;
	}
	case OP_SCALE: {
		const int32_t *restrict a = vec(x, in->a);
		const uint64_t *pa = present(x, in->a);
		for (int i = 0; i < BLK; i++) {
			int64_t r = (int64_t)a[i] * 100;
			m[i] = r >= INT32_MIN && r <= INT32_MAX;
			d->v[i] = (int32_t)r;
		}
		pack(m, d->a);
		for (int k = 0; k < WORDS; k++)
			d->a[k] &= pa[k];
		break;
	}
	case OP_AGE: {
		const int32_t *a = vec(x, in->a);
		const uint64_t *pa = present(x, in->a);
		for (int i = 0; i < BLK; i++)
			d->v[i] = rules_bit(pa, (size_t)i) ? rules_age(a[i], x->day) : 0;
		memcpy(d->a, pa, sizeof(d->a));
		break;
	}
	case OP_BETWEEN: {
		const int32_t *restrict a = vec(x, in->a), *restrict b = vec(x, in->b);
		const uint64_t *pa = present(x, in->a), *pb = present(x, in->b);
		for (int k = 0; k < WORDS; k++)
			d->a[k] = pa[k] & pb[k];
		if (in->sub == RF_DAYS) { /* out of range (dates moved far by arithmetic): absent */
			for (int i = 0; i < BLK; i++) {
				int64_t r = (int64_t)b[i] - a[i];
				m[i] = r >= INT32_MIN && r <= INT32_MAX;
				d->v[i] = (int32_t)r;
			}
			uint64_t ok[WORDS];
			pack(m, ok);
			for (int k = 0; k < WORDS; k++)
				d->a[k] &= ok[k];
			break;
		}
		for (int i = 0; i < BLK; i++)
			d->v[i] = !rules_bit(d->a, (size_t)i) ? 0
				  : in->sub == RF_YEARS      ? rules_years_between(a[i], b[i])
							     : rules_months_between(a[i], b[i]);
		break;
	}
	default:
		abort(); /* compile emits nothing else */
	}
}

static void run_block(struct ectx *x, const struct rules_prog *p)
{
	for (size_t i = 0; i < p->n; i++)
		run_insn(x, &p->insn[i], i);
}

/* Byte tables of the within() instructions of p over c's strings (NULL
 * elsewhere). */
static uint8_t **within_tables(const struct rules_policy *pol, const struct rules_prog *p,
			       const struct rules_columns *c)
{
	uint8_t **t = xcalloc(p->n ? p->n : 1, sizeof(*t));
	for (size_t i = 0; i < p->n; i++) {
		if (p->insn[i].op != OP_WITHIN)
			continue;
		const char *prefix = pol->konst[p->insn[i].b.idx].str;
		size_t len = strlen(prefix);
		t[i] = xcalloc(c->nstr ? c->nstr : 1, 1);
		for (size_t s = 0; s < c->nstr; s++) /* first byte inline: most strings differ there */
			t[i][s] = len == 0 || (c->str[s][0] == prefix[0] &&
					       strncmp(c->str[s], prefix, len) == 0);
	}
	return t;
}

static void free_tables(uint8_t **t, const struct rules_prog *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(t[i]);
	free(t);
}

/* Constant vectors at day; fails when a parameter has no value then. */
static enum app_err fill_consts(const struct rules_policy *pol, const struct rules_columns *c,
				int32_t day, int32_t *konst, struct app_error *err)
{
	for (size_t i = 0; i < pol->nconst; i++) {
		const struct rules_const *k = &pol->konst[i];
		int32_t v = k->v;
		if (k->param >= 0) {
			const struct rules_param *p = &pol->param[k->param];
			int ver = rules_param_version(p, day);
			char d[16];
			rules_date_format(day, d, sizeof(d));
			if (ver < 0)
				return app_fail(err, APP_EINVAL,
						"policy '%s': parameter '%s' has no value in force on %s",
						pol->id, p->name, d);
			v = p->value[ver];
			if (k->x100)
				v *= 100; /* checked when the policy was loaded */
		} else if (k->str) {
			/* a string the persons never have matches nobody: id -1 */
			v = rules_columns_lookup(c, k->str);
		}
		for (size_t j = 0; j < BLK; j++)
			konst[i * BLK + j] = v;
	}
	return APP_OK;
}

/* The columns a policy reads, checked against its declared types. */
static enum app_err bind_columns(const struct rules_policy *pol, const struct rules_columns *c,
				 const struct rules_column **col, struct app_error *err)
{
	for (size_t i = 0; i < pol->ninput; i++) {
		col[i] = rules_columns_find(c, pol->input[i].name);
		if (col[i] && col[i]->type != pol->input[i].type)
			return app_fail(err, APP_EINVAL,
					"policy '%s' reads '%s' as %s but the column holds %s",
					pol->id, pol->input[i].name,
					rules_type_name(pol->input[i].type),
					rules_type_name(col[i]->type));
	}
	return APP_OK;
}

static size_t max_regs(const struct rules_policy *pol)
{
	size_t r = (size_t)pol->cond_prog.nreg;
	if ((size_t)pol->amount_prog.nreg > r)
		r = (size_t)pol->amount_prog.nreg;
	for (size_t s = 0; s < pol->nstage; s++)
		if ((size_t)pol->stage[s].prog.nreg > r)
			r = (size_t)pol->stage[s].prog.nreg;
	return r ? r : 1;
}

/*
 * The counts already made in this evaluation, by what they count: policies
 * that count the same thing (e.g. children under 16 per household) share one
 * pass over everybody.
 */
struct count_entry {
	char *sig;
	struct rules_column col;
};
struct count_cache {
	struct count_entry **e; /* entries stay put: policies point at their columns */
	size_t n;
};

static void opnd_sig(struct strbuf *sb, const struct rules_policy *pol, const int32_t *konst,
		     struct rules_opnd o)
{
	if (o.kind == RO_REG)
		strbuf_addf(sb, " r%d", o.idx);
	else if (o.kind == RO_COL)
		strbuf_addf(sb, " c:%s", pol->input[o.idx].name);
	else if (pol->konst[o.idx].str) /* the text: absent strings all resolve to -1 */
		strbuf_addf(sb, " s:%s", pol->konst[o.idx].str);
	else
		strbuf_addf(sb, " k%d", konst[(size_t)o.idx * BLK]);
}

/* What stage st of pol counts, as text, with its constants at this evaluation. */
static void stage_sig(const struct rules_policy *pol, const struct rules_stage *st,
		      const int32_t *konst, struct strbuf *sb)
{
	strbuf_addf(sb, "key:%s res:%d\n", pol->input[st->key].name, st->prog.res.idx);
	for (size_t i = 0; i < st->prog.n; i++) {
		const struct rules_insn *in = &st->prog.insn[i];
		strbuf_addf(sb, "%d %d %d %d", (int)in->op, in->sub, in->dst, (int)in->neg);
		opnd_sig(sb, pol, konst, in->a);
		opnd_sig(sb, pol, konst, in->b);
		for (int k = 0; k < in->nlist; k++)
			opnd_sig(sb, pol, konst, (struct rules_opnd){ RO_CONST, in->list + k });
		strbuf_addch(sb, '\n');
	}
}

/* Run stage st over everybody into col (allocated here). */
static void count_stage(struct ectx *x, const struct rules_policy *pol, const struct rules_stage *st,
			struct rules_column *col)
{
	const struct rules_columns *c = x->c;
	uint64_t *bits = xcalloc(c->cap / 64, sizeof(uint64_t));
	x->within = within_tables(pol, &st->prog, c);
	for (x->base = 0; x->base < c->cap; x->base += BLK) {
		run_block(x, &st->prog);
		memcpy(bits + x->base / 64, x->reg[st->prog.res.idx].a, WORDS * 8);
	}
	free_tables(x->within, &st->prog);
	col->type = RULES_INT;
	col->data = xcalloc(c->cap, sizeof(int32_t));
	col->present = xcalloc(c->cap / 64, sizeof(uint64_t));
	if (x->col[st->key])
		rules_count_by_key(c, x->col[st->key], bits, col);
	free(bits);
}

static enum app_err eval_policy(const struct rules_policy *pol, const struct rules_columns *c,
				int32_t day, struct rules_outcome *o, struct count_cache *cache,
				struct app_error *err)
{
	size_t ncol = pol->ninput + pol->nstage;
	struct ectx x = { .c = c, .day = day };
	x.col = xcalloc(ncol ? ncol : 1, sizeof(*x.col));
	x.konst = xmalloc((pol->nconst ? pol->nconst : 1) * BLK * sizeof(int32_t));
	x.reg = aligned_alloc(64, max_regs(pol) * sizeof(struct regv));
	if (!x.reg)
		abort();
	enum app_err rc = bind_columns(pol, c, x.col, err);
	if (rc == APP_OK)
		rc = fill_consts(pol, c, day, x.konst, err);
	if (rc != APP_OK)
		goto out;

	/* stages: count(key, cond) over everybody, into temporary columns */
	for (size_t s = 0; s < pol->nstage; s++) {
		const struct rules_stage *st = &pol->stage[s];
		struct strbuf sig = STRBUF_INIT;
		stage_sig(pol, st, x.konst, &sig);
		size_t k = 0;
		while (k < cache->n && strcmp(cache->e[k]->sig, sig.buf) != 0)
			k++;
		if (k == cache->n) {
			cache->e = xrealloc(cache->e, (cache->n + 1) * sizeof(*cache->e));
			cache->e[k] = xcalloc(1, sizeof(**cache->e));
			cache->e[k]->sig = strbuf_detach(&sig, NULL);
			count_stage(&x, pol, st, &cache->e[k]->col);
			cache->n++;
		}
		strbuf_release(&sig);
		x.col[st->column] = &cache->e[k]->col;
	}

	uint8_t **wc = within_tables(pol, &pol->cond_prog, c);
	uint8_t **wa = within_tables(pol, &pol->amount_prog, c);
	for (x.base = 0; x.base < c->cap; x.base += BLK) {
		uint64_t *g = o->granted + x.base / 64, *kn = o->known + x.base / 64;
		x.within = wc;
		run_block(&x, &pol->cond_prog);
		const struct regv *r = &x.reg[pol->cond_prog.res.idx];
		uint64_t any = 0;
		for (int k = 0; k < WORDS; k++) {
			g[k] = r->a[k];
			kn[k] = r->b[k];
		}
		/* persons past n (block padding) are never granted nor known */
		for (size_t i = c->n; i < x.base + BLK && i >= x.base; i++) {
			rules_bit_set(g, i - x.base, false);
			rules_bit_set(kn, i - x.base, false);
		}
		for (int k = 0; k < WORDS; k++)
			any |= g[k];
		if (!any)
			continue;
		x.within = wa;
		run_block(&x, &pol->amount_prog);
		const int32_t *v = vec(&x, pol->amount_prog.res);
		const uint64_t *pv = present(&x, pol->amount_prog.res);
		int64_t scale = pol->amount_prog.res_type == RULES_INT ? 100 : 1;
		for (int k = 0; k < WORDS; k++)
			g[k] &= pv[k];
		for (int k = 0; k < WORDS; k++) {
			uint64_t w = g[k];
			if (o->ngranted + 64 > o->amountcap) {
				o->amountcap = o->amountcap ? o->amountcap * 2 : 1024;
				o->amount = xrealloc(o->amount, o->amountcap * sizeof(*o->amount));
			}
			while (w) {
				int i = k * 64 + __builtin_ctzll(w);
				w &= w - 1;
				o->amount[o->ngranted++] = v[i] * scale;
			}
		}
	}
	free_tables(wc, &pol->cond_prog);
	free_tables(wa, &pol->amount_prog);
out:
	free(x.reg);
	free(x.konst);
	free(x.col);
	return rc;
}

enum app_err rules_evaluate(const struct rules_set *s, const struct rules_columns *c,
			    int32_t day, struct rules_results *out, struct app_error *err)
{
	struct rules_results r = { .n = c->n, .npol = s->n };
	r.out = xcalloc(s->n ? s->n : 1, sizeof(*r.out));
	struct count_cache cache = { 0 };
	enum app_err rc = APP_OK;
	for (size_t p = 0; p < s->n; p++) {
		struct rules_outcome *o = &r.out[p];
		o->granted = xcalloc(c->cap / 64, sizeof(uint64_t));
		o->known = xcalloc(c->cap / 64, sizeof(uint64_t));
		int y, m, d;
		rules_civil_from_days(day, &y, &m, &d);
		o->period = s->pol[p]->period == RULES_MONTHLY ? y * 100 + m : y;
		if ((rc = eval_policy(s->pol[p], c, day, o, &cache, err)) != APP_OK) {
			r.npol = p + 1;
			rules_results_release(&r);
			break;
		}
	}
	for (size_t k = 0; k < cache.n; k++) {
		free(cache.e[k]->sig);
		free(cache.e[k]->col.data);
		free(cache.e[k]->col.present);
		free(cache.e[k]);
	}
	free(cache.e);
	if (rc == APP_OK)
		*out = r;
	return rc;
}

void rules_results_release(struct rules_results *r)
{
	for (size_t p = 0; p < r->npol; p++) {
		free(r->out[p].granted);
		free(r->out[p].known);
		free(r->out[p].amount);
	}
	free(r->out);
	memset(r, 0, sizeof(*r));
}

int64_t rules_outcome_amount(const struct rules_outcome *o, size_t row)
{
	if (!rules_bit(o->granted, row))
		return 0;
	size_t k = 0;
	for (size_t w = 0; w < row / 64; w++)
		k += (size_t)__builtin_popcountll(o->granted[w]);
	k += (size_t)__builtin_popcountll(o->granted[row / 64] & (((uint64_t)1 << (row % 64)) - 1));
	return o->amount[k];
}

size_t rules_conflicts(const struct rules_set *s, const struct rules_results *r,
		       rules_conflict_fn fn, void *arg)
{
	size_t found = 0;
	size_t words = (r->n + 63) / 64;
	for (size_t a = 0; a < r->npol; a++)
		for (size_t b = a + 1; b < r->npol; b++) {
			if (strcmp(s->pol[a]->benefit, s->pol[b]->benefit) != 0)
				continue;
			/* one date: the periods of both policies hold it, so they overlap */
			for (size_t w = 0; w < words; w++) {
				uint64_t both = r->out[a].granted[w] & r->out[b].granted[w];
				while (both) {
					size_t row = w * 64 + (size_t)__builtin_ctzll(both);
					both &= both - 1;
					found++;
					if (fn)
						fn(arg, row, a, b);
				}
			}
		}
	return found;
}
