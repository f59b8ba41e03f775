/*
 * explain.c - why a policy grants or refuses one person: the condition's
 * tree walked for that person alone, with the same three-valued logic as the
 * vector evaluator (eval.c), telling the first condition that failed with
 * the values compared (or that a value was missing), what held, and which
 * dated version of each parameter applied. Slow by design (one person, on
 * demand); the unit tests check it agrees with eval.c.
 */
#include "rules/rules_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value for one person: numbers as in columns (decimals ×100). */
struct sv {
	bool known;
	int32_t v;
	enum rules_type type;
};

struct xctx {
	const struct rules_policy *pol;
	const struct rules_columns *c;
	int32_t day;
	struct strbuf *sb;
};

static const struct rules_column *column(const struct xctx *x, int input)
{
	const struct rules_column *col = rules_columns_find(x->c, x->pol->input[input].name);
	return col && col->type == x->pol->input[input].type ? col : NULL;
}

static void format_value(const struct xctx *x, struct sv v, char *out, size_t cap)
{
	if (!v.known) {
		snprintf(out, cap, "missing");
		return;
	}
	switch (v.type) {
	case RULES_DEC:
		snprintf(out, cap, "%s%d.%02d", v.v < 0 ? "-" : "", abs(v.v / 100), abs(v.v % 100));
		break;
	case RULES_DATE: rules_date_format(v.v, out, cap); break;
	case RULES_STR:
		snprintf(out, cap, "\"%s\"", v.v >= 0 && (size_t)v.v < x->c->nstr ? x->c->str[v.v] : "?");
		break;
	case RULES_BOOL: snprintf(out, cap, "%s", v.v ? "true" : "false"); break;
	default: snprintf(out, cap, "%d", v.v);
	}
}

static struct sv ev(const struct xctx *x, const struct rules_node *n, size_t row);

static int64_t as_dec(struct sv v) { return v.type == RULES_INT ? (int64_t)v.v * 100 : v.v; }

static struct sv num(int64_t r, enum rules_type t)
{
	bool ok = r >= INT32_MIN && r <= INT32_MAX;
	return (struct sv){ ok, ok ? (int32_t)r : 0, t };
}

static bool cmp_holds(int op, int64_t a, int64_t b)
{
	switch (op) {
	case RC_EQ: return a == b;
	case RC_NE: return a != b;
	case RC_LT: return a < b;
	case RC_LE: return a <= b;
	case RC_GT: return a > b;
	default: return a >= b;
	}
}

static struct sv count(const struct xctx *x, const struct rules_node *n, size_t row)
{
	struct sv key = ev(x, n->kid[0], row);
	if (!key.known)
		return (struct sv){ false, 0, RULES_INT };
	const struct rules_column *col = column(x, n->kid[0]->input);
	int32_t k = 0;
	for (size_t j = 0; j < x->c->n; j++) {
		if (!rules_bit(col->present, j) || col->data[j] != key.v)
			continue;
		struct sv c = ev(x, n->kid[1], j);
		k += c.known && c.v;
	}
	return (struct sv){ true, k, RULES_INT };
}

static struct sv ev(const struct xctx *x, const struct rules_node *n, size_t row)
{
	const struct rules_policy *pol = x->pol;
	struct sv a, b;
	switch (n->kind) {
	case RN_LIT:
		return (struct sv){ true, n->type == RULES_STR ? rules_columns_lookup(x->c, n->sval) : n->ival, n->type };
	case RN_NAME:
		if (n->param >= 0) {
			const struct rules_param *p = &pol->param[n->param];
			int ver = rules_param_version(p, x->day);
			return (struct sv){ ver >= 0, ver >= 0 ? p->value[ver] : 0, p->type };
		} else {
			const struct rules_column *col = column(x, n->input);
			bool has = col && rules_bit(col->present, row);
			return (struct sv){ has, has ? col->data[row] : 0, n->type };
		}
	case RN_NOT:
		a = ev(x, n->kid[0], row);
		return (struct sv){ a.known, a.known && !a.v, RULES_BOOL };
	case RN_AND: case RN_OR: {
		bool and = n->kind == RN_AND, unknown = false;
		for (size_t k = 0; k < n->nkid; k++) {
			a = ev(x, n->kid[k], row);
			if (a.known && (bool)a.v != and)
				return (struct sv){ true, !and, RULES_BOOL };
			unknown |= !a.known;
		}
		return (struct sv){ !unknown, and, RULES_BOOL };
	}
	case RN_CMP:
		a = ev(x, n->kid[0], row);
		b = ev(x, n->kid[1], row);
		if (!a.known || !b.known)
			return (struct sv){ false, 0, RULES_BOOL };
		if (a.type != b.type)
			return (struct sv){ true, cmp_holds(n->op, as_dec(a), as_dec(b)), RULES_BOOL };
		return (struct sv){ true, cmp_holds(n->op, a.v, b.v), RULES_BOOL };
	case RN_IN: {
		a = ev(x, n->kid[0], row);
		if (!a.known)
			return (struct sv){ false, 0, RULES_BOOL };
		bool found = false;
		for (size_t k = 1; k < n->nkid; k++) {
			b = ev(x, n->kid[k], row);
			found |= a.type != b.type ? as_dec(a) == as_dec(b) : a.v == b.v;
		}
		return (struct sv){ true, found != n->neg, RULES_BOOL };
	}
	case RN_ARITH:
		a = ev(x, n->kid[0], row);
		b = ev(x, n->kid[1], row);
		if (!a.known || !b.known)
			return (struct sv){ false, 0, n->type };
		if (n->type == RULES_DATE)
			return num(n->op == '+' ? (int64_t)a.v + b.v : (int64_t)a.v - b.v, RULES_DATE);
		if (n->op == '*')
			return num(a.type == RULES_DEC && b.type == RULES_DEC
					   ? (int64_t)a.v * b.v / 100
					   : (int64_t)a.v * b.v,
				   n->type);
		if (n->type == RULES_DEC)
			return num(n->op == '+' ? as_dec(a) + as_dec(b) : as_dec(a) - as_dec(b), n->type);
		return num(n->op == '+' ? (int64_t)a.v + b.v : (int64_t)a.v - b.v, n->type);
	case RN_NEG:
		a = ev(x, n->kid[0], row);
		return a.known ? num(-(int64_t)a.v, n->type) : a;
	case RN_CALL:
		switch ((enum rules_fn)n->op) {
		case RF_AGE:
			a = ev(x, n->kid[0], row);
			return (struct sv){ a.known, a.known ? rules_age(a.v, x->day) : 0, RULES_INT };
		case RF_YEARS: case RF_MONTHS: case RF_DAYS:
			a = ev(x, n->kid[0], row);
			b = ev(x, n->kid[1], row);
			if (!a.known || !b.known)
				return (struct sv){ false, 0, RULES_INT };
			if (n->op == RF_DAYS)
				return num((int64_t)b.v - a.v, RULES_INT);
			return (struct sv){ true,
					    n->op == RF_YEARS ? rules_years_between(a.v, b.v)
							      : rules_months_between(a.v, b.v),
					    RULES_INT };
		case RF_WITHIN:
			a = ev(x, n->kid[0], row);
			if (!a.known)
				return (struct sv){ false, 0, RULES_BOOL };
			return (struct sv){ true,
					    strncmp(x->c->str[a.v], n->kid[1]->sval,
						    strlen(n->kid[1]->sval)) == 0,
					    RULES_BOOL };
		case RF_MISSING:
			a = ev(x, n->kid[0], row);
			return (struct sv){ true, !a.known, RULES_BOOL };
		case RF_COUNT: return count(x, n, row);
		default: break;
		}
		break;
	default: break;
	}
	return (struct sv){ false, 0, n->type };
}

/* The expression n written back as text. */
static void render(const struct rules_node *n, struct strbuf *sb, int parent_prec)
{
	char buf[32];
	switch (n->kind) {
	case RN_LIT:
		if (n->type == RULES_STR)
			strbuf_addf(sb, "\"%s\"", n->sval);
		else if (n->type == RULES_DATE)
			rules_date_format(n->ival, buf, sizeof(buf)), strbuf_addstr(sb, buf);
		else if (n->type == RULES_DEC)
			strbuf_addf(sb, "%s%d.%02d", n->ival < 0 ? "-" : "", abs(n->ival / 100),
				    abs(n->ival % 100));
		else if (n->type == RULES_BOOL)
			strbuf_addstr(sb, n->ival ? "true" : "false");
		else
			strbuf_addf(sb, "%d", n->ival);
		break;
	case RN_NAME: strbuf_addstr(sb, n->sval); break;
	case RN_NOT: strbuf_addstr(sb, "not "); render(n->kid[0], sb, 3); break;
	case RN_AND: case RN_OR: {
		int prec = n->kind == RN_OR ? 1 : 2;
		if (prec < parent_prec)
			strbuf_addch(sb, '(');
		for (size_t k = 0; k < n->nkid; k++) {
			if (k)
				strbuf_addstr(sb, n->kind == RN_OR ? " or " : " and ");
			render(n->kid[k], sb, prec);
		}
		if (prec < parent_prec)
			strbuf_addch(sb, ')');
		break;
	}
	case RN_CMP:
		render(n->kid[0], sb, 5);
		strbuf_addf(sb, " %s ", rules_cmp_text[n->op]);
		render(n->kid[1], sb, 5);
		break;
	case RN_IN:
		render(n->kid[0], sb, 5);
		strbuf_addstr(sb, n->neg ? " not in [" : " in [");
		for (size_t k = 1; k < n->nkid; k++) {
			if (k > 1)
				strbuf_addstr(sb, ", ");
			render(n->kid[k], sb, 0);
		}
		strbuf_addch(sb, ']');
		break;
	case RN_ARITH:
		if (parent_prec > 5)
			strbuf_addch(sb, '(');
		render(n->kid[0], sb, 6);
		strbuf_addf(sb, " %c ", n->op);
		render(n->kid[1], sb, 7);
		if (parent_prec > 5)
			strbuf_addch(sb, ')');
		break;
	case RN_NEG: strbuf_addch(sb, '-'); render(n->kid[0], sb, 8); break;
	case RN_CALL:
		strbuf_addf(sb, "%s(", rules_fn_name[n->op]);
		for (size_t k = 0; k < n->nkid; k++) {
			if (k)
				strbuf_addstr(sb, ", ");
			render(n->kid[k], sb, 0);
		}
		strbuf_addch(sb, ')');
		break;
	default: break;
	}
}

/* "name is value" for each input, parameter and call under n, for person row. */
static void operands(const struct xctx *x, const struct rules_node *n, size_t row, int *count)
{
	if (n->kind == RN_NAME || (n->kind == RN_CALL && n->type != RULES_BOOL)) {
		char v[96];
		format_value(x, ev(x, n, row), v, sizeof(v));
		strbuf_addstr(x->sb, *count ? ", " : " (");
		render(n, x->sb, 0);
		strbuf_addf(x->sb, " is %s", v);
		++*count;
		if (n->kind == RN_CALL && n->op == RF_COUNT)
			return; /* its inside speaks of other persons */
	}
	if (n->kind == RN_CALL && n->op == RF_MISSING)
		return;
	for (size_t k = 0; k < n->nkid; k++)
		if (n->kind != RN_IN || k == 0)
			operands(x, n->kid[k], row, count);
}

static void leaf(const struct xctx *x, const struct rules_node *n, size_t row, const char *what)
{
	strbuf_addf(x->sb, "  %s: ", what);
	render(n, x->sb, 0);
	int count = 0;
	operands(x, n, row, &count);
	if (count)
		strbuf_addch(x->sb, ')');
	strbuf_addf(x->sb, " [line %d, column %d]\n", n->line, n->col);
}

/*
 * Tell why n came out as it did for row: for a refusal the first part of an
 * `and` that failed (or was unknown), every part of a failed `or`; for a
 * grant what held.
 */
static void why(const struct xctx *x, const struct rules_node *n, size_t row, bool negated)
{
	struct sv r = ev(x, n, row);
	if (n->kind == RN_NOT) {
		why(x, n->kid[0], row, !negated);
		return;
	}
	bool is_and = (n->kind == RN_AND) != negated;
	if (n->kind == RN_AND || n->kind == RN_OR) {
		bool held = r.known && ((bool)r.v != negated);
		for (size_t k = 0; k < n->nkid; k++) {
			struct sv s = ev(x, n->kid[k], row);
			bool kid_held = s.known && ((bool)s.v != negated);
			if (held && is_and) {
				why(x, n->kid[k], row, negated); /* every part held */
			} else if (held && kid_held) {
				why(x, n->kid[k], row, negated); /* the part that made the or hold */
				return;
			} else if (!held && is_and && !kid_held) {
				why(x, n->kid[k], row, negated); /* the first part that failed */
				return;
			} else if (!held && !is_and) {
				why(x, n->kid[k], row, negated); /* every part failed */
			}
		}
		return;
	}
	const char *what = !r.known ? "unknown (a value is missing)"
			   : ((bool)r.v != negated) ? (negated ? "held (is false)" : "held")
						    : (negated ? "failed (is true)" : "failed");
	leaf(x, n, row, what);
}

enum app_err rules_explain(const struct rules_set *s, size_t p, const struct rules_columns *c,
			   size_t row, int32_t day, struct strbuf *sb, struct app_error *err)
{
	if (p >= s->n)
		return app_fail(err, APP_ENOTFOUND, "no policy number %zu", p);
	if (row >= c->n)
		return app_fail(err, APP_ENOTFOUND, "no person number %zu", row + 1);
	const struct rules_policy *pol = s->pol[p];
	struct xctx x = { .pol = pol, .c = c, .day = day, .sb = sb };
	for (size_t i = 0; i < pol->ninput; i++) {
		const struct rules_column *col = rules_columns_find(c, pol->input[i].name);
		if (col && col->type != pol->input[i].type)
			return app_fail(err, APP_EINVAL, "policy '%s' reads '%s' as %s but the column holds %s",
					pol->id, pol->input[i].name, rules_type_name(pol->input[i].type),
					rules_type_name(col->type));
	}
	char d[16];
	rules_date_format(day, d, sizeof(d));
	struct sv cond = ev(&x, pol->cond, row);
	struct sv amount = ev(&x, pol->amount, row);
	bool granted = cond.known && cond.v && amount.known;
	strbuf_addf(sb, "policy %s (%s), person %s, on %s: %s", pol->id, pol->name,
		    c->ids && c->ids[row] ? c->ids[row] : "?", d, granted ? "granted" : "refused");
	if (granted) {
		int64_t fen = amount.type == RULES_INT ? (int64_t)amount.v * 100 : amount.v;
		char yuan[24];
		rules_fen_format(fen, yuan, sizeof(yuan));
		strbuf_addf(sb, " %s %s (%s, %s)\n", pol->benefit, yuan,
			    rules_period_name(pol->period), pol->amount_text);
	} else if (!cond.known) {
		strbuf_addstr(sb, ": the condition could not be decided because a value is missing\n");
	} else if (cond.v) {
		strbuf_addstr(sb, ": the condition held but the amount could not be computed (a value "
				  "is missing or out of range)\n");
	} else {
		strbuf_addstr(sb, ": the condition does not hold\n");
	}
	why(&x, pol->cond, row, false);
	for (size_t i = 0; i < pol->nparam; i++) {
		const struct rules_param *pr = &pol->param[i];
		int ver = rules_param_version(pr, day);
		if (ver < 0) {
			strbuf_addf(sb, "  parameter %s: no value in force on %s\n", pr->name, d);
			continue;
		}
		char from[16], v[32];
		rules_date_format(pr->from[ver], from, sizeof(from));
		format_value(&x, (struct sv){ true, pr->value[ver], pr->type }, v, sizeof(v));
		strbuf_addf(sb, "  parameter %s = %s (the value in force from %s)\n", pr->name, v, from);
	}
	return APP_OK;
}
