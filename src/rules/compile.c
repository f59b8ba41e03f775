/*
 * compile.c - names resolved, types checked and the tree turned into a
 * straight-line program of vector instructions (rules_int.h). Every type
 * error is found here, before any person is evaluated, and names its line
 * and column.
 *
 * Types: int and decimal mix (the int is scaled ×100); dates compare with
 * dates and move by whole days (date ± int); strings compare for equality
 * only, or by prefix with within(); bool inputs are conditions of their own.
 * A comparison of age(x) with a constant becomes a comparison of x with a
 * threshold date fixed per evaluation, which vectorises.
 */
#include "rules/rules_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cc {
	struct rules_policy *pol;
	struct rules_prog *prog;
	bool in_stage;
	struct app_error *err;
};

static bool type_fail(struct cc *c, const struct rules_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool type_fail(struct cc *c, const struct rules_node *n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	app_fail(c->err, APP_EINVAL, "line %d, column %d: %s", n->line, n->col, msg);
	return false;
}

static int add_const(struct rules_policy *pol, int32_t v, int param, const char *str, bool x100)
{
	for (size_t i = 0; i < pol->nconst; i++) {
		struct rules_const *k = &pol->konst[i];
		if (k->v == v && k->param == param && k->x100 == x100 &&
		    ((!k->str && !str) || (k->str && str && strcmp(k->str, str) == 0)))
			return (int)i;
	}
	if (pol->nconst == pol->constcap) {
		pol->constcap = pol->constcap ? pol->constcap * 2 : 16;
		pol->konst = xrealloc(pol->konst, pol->constcap * sizeof(*pol->konst));
	}
	pol->konst[pol->nconst] = (struct rules_const){ .v = v, .param = param, .str = str, .x100 = x100 };
	return (int)pol->nconst++;
}

/* A list's constants must be contiguous: always new slots. */
static int new_const(struct rules_policy *pol, int32_t v, const char *str)
{
	if (pol->nconst == pol->constcap) {
		pol->constcap = pol->constcap ? pol->constcap * 2 : 16;
		pol->konst = xrealloc(pol->konst, pol->constcap * sizeof(*pol->konst));
	}
	pol->konst[pol->nconst] = (struct rules_const){ .v = v, .param = -1, .str = str };
	return (int)pol->nconst++;
}

static struct rules_insn *emit(struct cc *c, enum rules_op op)
{
	struct rules_prog *p = c->prog;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->insn = xrealloc(p->insn, p->cap * sizeof(*p->insn));
	}
	struct rules_insn *i = &p->insn[p->n++];
	memset(i, 0, sizeof(*i));
	i->op = op;
	i->dst = p->nreg++;
	return i;
}

static struct rules_opnd reg(int r) { return (struct rules_opnd){ RO_REG, r }; }

static bool numeric(enum rules_type t) { return t == RULES_INT || t == RULES_DEC; }

/* Compile n into *o (its value); n->type set. */
static bool value(struct cc *c, struct rules_node *n, struct rules_opnd *o);

/* Compile n as a condition into a bool register. */
static bool condition(struct cc *c, struct rules_node *n, int *out)
{
	struct rules_opnd o;
	if (!value(c, n, &o))
		return false;
	if (n->type != RULES_BOOL)
		return type_fail(c, n, "expected a condition but this is a %s value",
				 rules_type_name(n->type));
	if (o.kind == RO_REG) {
		*out = o.idx;
		return true;
	}
	/* a bool input: present and not 0 */
	struct rules_insn *i = emit(c, OP_CMP);
	i->sub = RC_NE;
	i->a = o;
	i->b = (struct rules_opnd){ RO_CONST, add_const(c->pol, 0, -1, NULL, false) };
	*out = i->dst;
	return true;
}

/* o (of type int) as a decimal: constants scaled now, the rest by OP_SCALE. */
static bool to_dec(struct cc *c, struct rules_node *n, struct rules_opnd *o)
{
	if (o->kind == RO_CONST) {
		struct rules_const k = c->pol->konst[o->idx];
		if (k.param >= 0) {
			o->idx = add_const(c->pol, 0, k.param, NULL, true);
			return true;
		}
		if (k.v > INT32_MAX / 100 || k.v < -(INT32_MAX / 100))
			return type_fail(c, n, "%d is too large to use as a decimal", k.v);
		o->idx = add_const(c->pol, k.v * 100, -1, NULL, false);
		return true;
	}
	struct rules_insn *i = emit(c, OP_SCALE);
	i->a = *o;
	*o = reg(i->dst);
	return true;
}

/* Make a and b the same number type (int with decimal → decimal). */
static bool unify(struct cc *c, struct rules_node *na, struct rules_opnd *a, struct rules_node *nb,
		  struct rules_opnd *b, enum rules_type *t)
{
	*t = na->type;
	if (na->type == nb->type)
		return true;
	if (na->type == RULES_INT && nb->type == RULES_DEC) {
		*t = RULES_DEC;
		return to_dec(c, na, a);
	}
	if (na->type == RULES_DEC && nb->type == RULES_INT) {
		*t = RULES_DEC;
		return to_dec(c, nb, b);
	}
	return type_fail(c, nb, "cannot compare a %s with a %s", rules_type_name(na->type),
			 rules_type_name(nb->type));
}

static bool is_const_int(const struct rules_node *n, const struct rules_opnd *o)
{
	return n->type == RULES_INT && o->kind == RO_CONST;
}

static bool compare(struct cc *c, struct rules_node *n, struct rules_opnd *o)
{
	struct rules_node *l = n->kid[0], *r = n->kid[1];
	int op = n->op;
	/* age(x) cmp constant, either way round */
	static const int mirror[RC__MAX] = { RC_EQ, RC_NE, RC_GT, RC_GE, RC_LT, RC_LE };
	if (r->kind == RN_CALL && r->op == RF_AGE && l->kind != RN_CALL) {
		struct rules_node *t = l;
		l = r;
		r = t;
		op = mirror[op];
	}
	if (l->kind == RN_CALL && l->op == RF_AGE && l->nkid == 1) {
		struct rules_opnd x, k;
		if (!value(c, l->kid[0], &x) || !value(c, r, &k))
			return false;
		if (l->kid[0]->type != RULES_DATE)
			return type_fail(c, l->kid[0], "age() needs a date, not a %s",
					 rules_type_name(l->kid[0]->type));
		l->type = RULES_INT;
		if (is_const_int(r, &k)) {
			struct rules_insn *i = emit(c, OP_AGE_CMP);
			i->sub = op;
			i->a = x;
			i->b = k;
			*o = reg(i->dst);
			n->type = RULES_BOOL;
			return true;
		}
		/* fall back: age() as a number */
		struct rules_insn *ai = emit(c, OP_AGE);
		ai->a = x;
		struct rules_opnd a = reg(ai->dst);
		enum rules_type t;
		if (!numeric(r->type))
			return type_fail(c, r, "cannot compare an age (int) with a %s",
					 rules_type_name(r->type));
		if (!unify(c, l, &a, r, &k, &t))
			return false;
		struct rules_insn *i = emit(c, OP_CMP);
		i->sub = op;
		i->a = a;
		i->b = k;
		*o = reg(i->dst);
		n->type = RULES_BOOL;
		return true;
	}
	struct rules_opnd a, b;
	if (!value(c, l, &a) || !value(c, r, &b))
		return false;
	if (l->type == RULES_BOOL || r->type == RULES_BOOL)
		return type_fail(c, l->type == RULES_BOOL ? l : r,
				 "conditions are not compared: use the condition itself or 'not'");
	enum rules_type t;
	if (!unify(c, l, &a, r, &b, &t))
		return false;
	if (t == RULES_STR && op != RC_EQ && op != RC_NE)
		return type_fail(c, n, "strings compare only with = and != (within() checks a prefix)");
	struct rules_insn *i = emit(c, OP_CMP);
	i->sub = op;
	i->a = a;
	i->b = b;
	*o = reg(i->dst);
	n->type = RULES_BOOL;
	return true;
}

static bool membership(struct cc *c, struct rules_node *n, struct rules_opnd *o)
{
	struct rules_opnd a;
	struct rules_node *x = n->kid[0];
	if (!value(c, x, &a))
		return false;
	if (x->type == RULES_BOOL)
		return type_fail(c, x, "a condition cannot be in a list");
	bool dec = x->type == RULES_DEC;
	for (size_t k = 1; k < n->nkid; k++) {
		struct rules_node *it = n->kid[k];
		if (it->type == RULES_DEC && x->type == RULES_INT) {
			dec = true;
		} else if (it->type != x->type && !(it->type == RULES_INT && x->type == RULES_DEC)) {
			return type_fail(c, it, "the list holds a %s but the value is a %s",
					 rules_type_name(it->type), rules_type_name(x->type));
		}
	}
	if (dec && x->type == RULES_INT && !to_dec(c, x, &a))
		return false;
	int first = -1;
	for (size_t k = 1; k < n->nkid; k++) {
		struct rules_node *it = n->kid[k];
		int32_t v = it->ival;
		if (dec && it->type == RULES_INT) {
			if (v > INT32_MAX / 100 || v < -(INT32_MAX / 100))
				return type_fail(c, it, "%d is too large to use as a decimal", v);
			v *= 100;
		}
		int slot = new_const(c->pol, v, it->type == RULES_STR ? it->sval : NULL);
		if (first < 0)
			first = slot;
	}
	struct rules_insn *i = emit(c, OP_IN);
	i->a = a;
	i->list = first;
	i->nlist = (int)n->nkid - 1;
	i->neg = n->neg;
	*o = reg(i->dst);
	n->type = RULES_BOOL;
	return true;
}

static bool arith(struct cc *c, struct rules_node *n, struct rules_opnd *o)
{
	struct rules_node *l = n->kid[0], *r = n->kid[1];
	struct rules_opnd a, b;
	if (!value(c, l, &a) || !value(c, r, &b))
		return false;
	int op = n->op;
	if (l->type == RULES_DATE && r->type == RULES_INT && op != '*') {
		n->type = RULES_DATE; /* a date moved by whole days */
	} else if (!numeric(l->type) || !numeric(r->type)) {
		struct rules_node *bad = numeric(l->type) ? r : l;
		if (l->type == RULES_DATE && r->type == RULES_DATE && op == '-')
			return type_fail(c, n, "dates do not subtract: use days_between(a, b)");
		return type_fail(c, bad, "'%c' needs numbers, not a %s", op,
				 rules_type_name(bad->type));
	} else if (op == '*') {
		n->type = l->type == RULES_DEC || r->type == RULES_DEC ? RULES_DEC : RULES_INT;
		if (l->type == RULES_DEC && r->type == RULES_DEC)
			op = 'm'; /* fixed point: the product is rescaled */
	} else {
		if (!unify(c, l, &a, r, &b, &n->type))
			return false;
	}
	struct rules_insn *i = emit(c, OP_ARITH);
	i->sub = op;
	i->a = a;
	i->b = b;
	*o = reg(i->dst);
	return true;
}

static bool call(struct cc *c, struct rules_node *n, struct rules_opnd *o)
{
	static const size_t arity[RF__MAX] = { [RF_AGE] = 1, [RF_YEARS] = 2, [RF_MONTHS] = 2,
					       [RF_DAYS] = 2, [RF_COUNT] = 2, [RF_WITHIN] = 2,
					       [RF_MISSING] = 1 };
	if (n->nkid != arity[n->op])
		return type_fail(c, n, "%s() takes %zu argument%s, not %zu", rules_fn_name[n->op],
				 arity[n->op], arity[n->op] == 1 ? "" : "s", n->nkid);
	struct rules_opnd a, b;
	switch ((enum rules_fn)n->op) {
	case RF_AGE: {
		if (!value(c, n->kid[0], &a))
			return false;
		if (n->kid[0]->type != RULES_DATE)
			return type_fail(c, n->kid[0], "age() needs a date, not a %s",
					 rules_type_name(n->kid[0]->type));
		struct rules_insn *i = emit(c, OP_AGE);
		i->a = a;
		*o = reg(i->dst);
		n->type = RULES_INT;
		return true;
	}
	case RF_YEARS: case RF_MONTHS: case RF_DAYS: {
		if (!value(c, n->kid[0], &a) || !value(c, n->kid[1], &b))
			return false;
		for (int k = 0; k < 2; k++)
			if (n->kid[k]->type != RULES_DATE)
				return type_fail(c, n->kid[k], "%s() needs two dates, not a %s",
						 rules_fn_name[n->op], rules_type_name(n->kid[k]->type));
		struct rules_insn *i = emit(c, OP_BETWEEN);
		i->sub = n->op;
		i->a = a;
		i->b = b;
		*o = reg(i->dst);
		n->type = RULES_INT;
		return true;
	}
	case RF_WITHIN: {
		if (!value(c, n->kid[0], &a))
			return false;
		if (n->kid[0]->type != RULES_STR)
			return type_fail(c, n->kid[0], "within() needs a string (a region code), not a %s",
					 rules_type_name(n->kid[0]->type));
		if (n->kid[1]->kind != RN_LIT || n->kid[1]->type != RULES_STR)
			return type_fail(c, n->kid[1], "within() needs a quoted prefix, e.g. \"2101\"");
		struct rules_insn *i = emit(c, OP_WITHIN);
		i->a = a;
		i->b = (struct rules_opnd){ RO_CONST, add_const(c->pol, 0, -1, n->kid[1]->sval, false) };
		*o = reg(i->dst);
		n->type = RULES_BOOL;
		return true;
	}
	case RF_MISSING: {
		struct rules_node *x = n->kid[0];
		if (x->kind != RN_NAME)
			return type_fail(c, x, "missing() takes the name of an input");
		if (!value(c, x, &a))
			return false;
		if (x->input < 0)
			return type_fail(c, x, "missing() takes an input, and '%s' is a parameter",
					 x->sval);
		struct rules_insn *i = emit(c, OP_MISSING);
		i->a = a;
		*o = reg(i->dst);
		n->type = RULES_BOOL;
		return true;
	}
	case RF_COUNT: {
		struct rules_node *key = n->kid[0];
		if (c->in_stage)
			return type_fail(c, n, "count() cannot be nested in another count()");
		if (key->kind == RN_NAME && !value(c, key, &a))
			return false;
		if (key->kind != RN_NAME || key->input < 0 || key->type != RULES_STR)
			return type_fail(c, key,
					 "count() needs the name of a string input that groups persons "
					 "(e.g. household) first");
		struct rules_policy *pol = c->pol;
		pol->stage = xrealloc(pol->stage, (pol->nstage + 1) * sizeof(*pol->stage));
		struct rules_stage *st = &pol->stage[pol->nstage];
		memset(st, 0, sizeof(*st));
		struct cc sub = { .pol = pol, .prog = &st->prog, .in_stage = true, .err = c->err };
		int r;
		pol->nstage++;
		if (!condition(&sub, n->kid[1], &r))
			return false;
		st->prog.res = reg(r);
		st->prog.res_bool = true;
		st->key = key->input;
		st->column = (int)(pol->ninput + pol->nstage - 1);
		*o = (struct rules_opnd){ RO_COL, st->column };
		n->type = RULES_INT;
		return true;
	}
	default:
		return type_fail(c, n, "unknown function");
	}
}

static bool value(struct cc *c, struct rules_node *n, struct rules_opnd *o)
{
	struct rules_policy *pol = c->pol;
	switch (n->kind) {
	case RN_LIT:
		if (n->type == RULES_BOOL) {
			struct rules_insn *i = emit(c, OP_TRUE);
			i->sub = n->ival;
			*o = reg(i->dst);
			return true;
		}
		*o = (struct rules_opnd){ RO_CONST,
					  add_const(pol, n->ival, -1,
						    n->type == RULES_STR ? n->sval : NULL, false) };
		return true;
	case RN_NAME:
		for (size_t i = 0; i < pol->ninput; i++)
			if (strcmp(pol->input[i].name, n->sval) == 0) {
				n->input = (int)i;
				n->type = pol->input[i].type;
				*o = (struct rules_opnd){ RO_COL, (int)i };
				return true;
			}
		for (size_t i = 0; i < pol->nparam; i++)
			if (strcmp(pol->param[i].name, n->sval) == 0) {
				n->param = (int)i;
				n->type = pol->param[i].type;
				*o = (struct rules_opnd){ RO_CONST, add_const(pol, 0, (int)i, NULL, false) };
				return true;
			}
		return type_fail(c, n, "unknown name '%s' (not an input or a parameter of the policy)",
				 n->sval);
	case RN_NOT: {
		int r;
		if (!condition(c, n->kid[0], &r))
			return false;
		struct rules_insn *i = emit(c, OP_NOT);
		i->a = reg(r);
		*o = reg(i->dst);
		n->type = RULES_BOOL;
		return true;
	}
	case RN_AND: case RN_OR: {
		int acc;
		if (!condition(c, n->kid[0], &acc))
			return false;
		for (size_t k = 1; k < n->nkid; k++) {
			int r;
			if (!condition(c, n->kid[k], &r))
				return false;
			struct rules_insn *i = emit(c, n->kind == RN_AND ? OP_AND : OP_OR);
			i->a = reg(acc);
			i->b = reg(r);
			acc = i->dst;
		}
		*o = reg(acc);
		n->type = RULES_BOOL;
		return true;
	}
	case RN_CMP: return compare(c, n, o);
	case RN_IN: return membership(c, n, o);
	case RN_ARITH: return arith(c, n, o);
	case RN_NEG: {
		struct rules_opnd a;
		if (!value(c, n->kid[0], &a))
			return false;
		if (!numeric(n->kid[0]->type))
			return type_fail(c, n, "only numbers can be negative, not a %s",
					 rules_type_name(n->kid[0]->type));
		struct rules_insn *i = emit(c, OP_NEG);
		i->a = a;
		*o = reg(i->dst);
		n->type = n->kid[0]->type;
		return true;
	}
	case RN_CALL: return call(c, n, o);
	default: return type_fail(c, n, "unexpected part of an expression");
	}
}

enum app_err rules_compile(struct rules_policy *pol, struct rules_node *root, enum rules_type want,
			   struct rules_prog *prog, struct app_error *err)
{
	struct cc c = { .pol = pol, .prog = prog, .err = err };
	memset(prog, 0, sizeof(*prog));
	if (want == RULES_BOOL) {
		int r;
		if (!condition(&c, root, &r))
			return APP_EINVAL;
		prog->res = reg(r);
		prog->res_bool = true;
		return APP_OK;
	}
	struct rules_opnd o;
	if (!value(&c, root, &o))
		return APP_EINVAL;
	if (!numeric(root->type)) {
		type_fail(&c, root, "an amount must be a number, not a %s",
			  rules_type_name(root->type));
		return APP_EINVAL;
	}
	prog->res = o;
	prog->res_type = root->type;
	return APP_OK;
}

void rules_prog_release(struct rules_prog *p)
{
	free(p->insn);
	memset(p, 0, sizeof(*p));
}
