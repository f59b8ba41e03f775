/*
 * parse.c - the lexer and recursive-descent parser of the rules expression
 * language (grammar in docs/rules.md). Text in, syntax tree out; names stay
 * unresolved and only literals get a type (compile.c does the rest).
 *
 * Hostile input stays bounded: the text is at most RULES_EXPR_MAX bytes, the
 * nesting at most RULES_DEPTH_MAX (counted on every recursive entry, so the C
 * stack stays small) and the tree at most RULES_NODES_MAX nodes. Every error
 * says where ("line L, column C") and what was expected, in plain words.
 */
#include "rules/rules_int.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum tok_kind {
	T_END, T_INT, T_DEC, T_STR, T_DATE, T_NAME,
	T_LP, T_RP, T_LB, T_RB, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR,
	T_AND, T_OR, T_NOT, T_IN, T_TRUE, T_FALSE,
	T__MAX
};

const char *const rules_cmp_text[RC__MAX] = { "=", "!=", "<", "<=", ">", ">=" };
const char *const rules_fn_name[RF__MAX] = {
	[RF_AGE] = "age", [RF_YEARS] = "years_between", [RF_MONTHS] = "months_between",
	[RF_DAYS] = "days_between", [RF_COUNT] = "count", [RF_WITHIN] = "within",
	[RF_MISSING] = "missing",
};

struct tok {
	enum tok_kind kind;
	int line, col;
	int32_t ival;
	const char *start;
	size_t len;
};

struct parser {
	struct arena *a;
	const char *p, *end;
	int line;
	const char *line_start;
	struct tok t;      /* current token */
	int depth;
	size_t nodes;
	struct app_error *err;
	bool failed;
};

static bool fail_at(struct parser *ps, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool fail_at(struct parser *ps, int line, int col, const char *fmt, ...)
{
	if (ps->failed)
		return false;
	ps->failed = true;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	app_fail(ps->err, APP_EINVAL, "line %d, column %d: %s", line, col, msg);
	return false;
}

/* The current token quoted for a message: 'abc' or "the end". */
static void tok_quote(const struct tok *t, char *out, size_t cap)
{
	if (t->kind == T_END)
		snprintf(out, cap, "the end");
	else
		snprintf(out, cap, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->start);
}

static bool expected(struct parser *ps, const char *what)
{
	char got[64];
	tok_quote(&ps->t, got, sizeof(got));
	return fail_at(ps, ps->t.line, ps->t.col, "expected %s but found %s", what, got);
}

static int column_of(const struct parser *ps, const char *at)
{
	/* columns count characters, not bytes: skip UTF-8 continuation bytes */
	int col = 1;
	for (const char *q = ps->line_start; q < at; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			col++;
	return col;
}

static bool is_name_char(int c) { return isalnum(c) || c == '_' || c == '.'; }

/* Read a decimal literal digits[.digits] at most 2 places into ×100 or plain. */
static bool lex_number(struct parser *ps, struct tok *t)
{
	const char *q = ps->p;
	int64_t v = 0;
	while (q < ps->end && isdigit((unsigned char)*q)) {
		v = v * 10 + (*q - '0');
		if (v > INT32_MAX)
			return fail_at(ps, t->line, t->col, "the number is too large (at most %d)",
				       INT32_MAX);
		q++;
	}
	/* a date: dddd-dd-dd */
	if (q - ps->p == 4 && ps->end - q >= 6 && q[0] == '-' && isdigit((unsigned char)q[1]) &&
	    isdigit((unsigned char)q[2]) && q[3] == '-' && isdigit((unsigned char)q[4]) &&
	    isdigit((unsigned char)q[5])) {
		char buf[11];
		memcpy(buf, ps->p, 10);
		buf[10] = 0;
		if (!rules_date_parse(buf, &t->ival))
			return fail_at(ps, t->line, t->col, "'%s' is not a real date", buf);
		t->kind = T_DATE;
		ps->p = q + 6;
		return true;
	}
	if (q < ps->end && *q == '.' && q + 1 < ps->end && isdigit((unsigned char)q[1])) {
		q++;
		int places = 0;
		while (q < ps->end && isdigit((unsigned char)*q)) {
			if (++places > 2)
				return fail_at(ps, t->line, t->col,
					       "a decimal has at most 2 places after the point");
			v = v * 10 + (*q - '0');
			q++;
		}
		if (places == 1)
			v *= 10;
		if (v > INT32_MAX)
			return fail_at(ps, t->line, t->col,
				       "the number is too large (decimals up to 21474836.47)");
		t->kind = T_DEC;
	} else {
		t->kind = T_INT;
	}
	if (q < ps->end && is_name_char((unsigned char)*q))
		return fail_at(ps, t->line, t->col, "a number cannot run into a name");
	t->ival = (int32_t)v;
	ps->p = q;
	return true;
}

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = { { "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "in", T_IN },
		 { "true", T_TRUE }, { "false", T_FALSE } };

/* Advance to the next token into ps->t. */
static bool next(struct parser *ps)
{
	for (;;) {
		while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
			ps->p++;
		if (ps->p < ps->end && *ps->p == '\n') {
			ps->p++;
			ps->line++;
			ps->line_start = ps->p;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '#') { /* comment to the end of the line */
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
			continue;
		}
		break;
	}
	struct tok *t = &ps->t;
	memset(t, 0, sizeof(*t));
	t->line = ps->line;
	t->col = column_of(ps, ps->p);
	t->start = ps->p;
	if (ps->p >= ps->end) {
		t->kind = T_END;
		return true;
	}
	unsigned char c = (unsigned char)*ps->p;
	if (isdigit(c)) {
		if (!lex_number(ps, t))
			return false;
	} else if (isalpha(c) || c == '_') {
		const char *q = ps->p;
		while (q < ps->end && is_name_char((unsigned char)*q))
			q++;
		if (q[-1] == '.')
			return fail_at(ps, t->line, t->col, "a name cannot end with '.'");
		t->kind = T_NAME;
		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if ((size_t)(q - ps->p) == strlen(keywords[i].word) &&
			    memcmp(ps->p, keywords[i].word, (size_t)(q - ps->p)) == 0)
				t->kind = keywords[i].kind;
		ps->p = q;
	} else if (c == '"') {
		const char *q = ps->p + 1;
		while (q < ps->end && *q != '"' && *q != '\n') {
			if (*q == '\\')
				return fail_at(ps, t->line, t->col,
					       "strings have no escapes (no '\\' inside quotes)");
			q++;
		}
		if (q >= ps->end || *q != '"')
			return fail_at(ps, t->line, t->col, "the string is not closed by '\"' on its line");
		t->kind = T_STR;
		ps->p = q + 1;
	} else {
		const char *s = ps->p;
		char d = ps->p + 1 < ps->end ? s[1] : 0;
		ps->p++;
		switch (c) {
		case '(': t->kind = T_LP; break;
		case ')': t->kind = T_RP; break;
		case '[': t->kind = T_LB; break;
		case ']': t->kind = T_RB; break;
		case ',': t->kind = T_COMMA; break;
		case '+': t->kind = T_PLUS; break;
		case '-': t->kind = T_MINUS; break;
		case '*': t->kind = T_STAR; break;
		case '=': t->kind = T_EQ; if (d == '=') ps->p++; break;
		case '!':
			if (d != '=')
				return fail_at(ps, t->line, t->col, "'!' must be followed by '=' (use 'not')");
			t->kind = T_NE;
			ps->p++;
			break;
		case '<':
			t->kind = d == '=' ? T_LE : T_LT;
			if (d == '=')
				ps->p++;
			break;
		case '>':
			t->kind = d == '=' ? T_GE : T_GT;
			if (d == '=')
				ps->p++;
			break;
		default:
			if (c >= 0x80)
				return fail_at(ps, t->line, t->col,
					       "unexpected character (names are ASCII letters, digits, '_' and '.')");
			return fail_at(ps, t->line, t->col, "unexpected character '%c'",
				       isprint(c) ? c : '?');
		}
	}
	t->len = (size_t)(ps->p - t->start);
	return true;
}

static struct rules_node *new_node(struct parser *ps, enum rules_node_kind k, int line, int col)
{
	if (++ps->nodes > RULES_NODES_MAX) {
		fail_at(ps, line, col, "the expression is too long (more than %d parts)",
			RULES_NODES_MAX);
		return NULL;
	}
	struct rules_node *n = arena_alloc(ps->a, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->line = line;
	n->col = col;
	n->input = n->param = -1;
	return n;
}

/* n with kids (copied into the arena). */
static struct rules_node *with_kids(struct parser *ps, struct rules_node *n,
				    struct rules_node **kids, size_t nk)
{
	n->kid = arena_alloc(ps->a, (nk ? nk : 1) * sizeof(*kids));
	memcpy(n->kid, kids, nk * sizeof(*kids));
	n->nkid = nk;
	return n;
}

static struct rules_node *parse_or(struct parser *ps);

static bool enter(struct parser *ps)
{
	if (++ps->depth > RULES_DEPTH_MAX)
		return fail_at(ps, ps->t.line, ps->t.col,
			       "the expression is nested too deeply (more than %d levels)",
			       RULES_DEPTH_MAX);
	return true;
}

static struct rules_node *literal(struct parser *ps)
{
	struct tok t = ps->t;
	struct rules_node *n = new_node(ps, RN_LIT, t.line, t.col);
	if (!n)
		return NULL;
	switch (t.kind) {
	case T_INT: n->type = RULES_INT; n->ival = t.ival; break;
	case T_DEC: n->type = RULES_DEC; n->ival = t.ival; break;
	case T_DATE: n->type = RULES_DATE; n->ival = t.ival; break;
	case T_TRUE: case T_FALSE: n->type = RULES_BOOL; n->ival = t.kind == T_TRUE; break;
	case T_STR:
		n->type = RULES_STR;
		n->sval = arena_strndup(ps->a, t.start + 1, t.len - 2);
		break;
	default:
		expected(ps, "a value");
		return NULL;
	}
	return next(ps) ? n : NULL;
}

static struct rules_node *primary(struct parser *ps)
{
	struct tok t = ps->t;
	if (t.kind == T_LP) {
		if (!next(ps))
			return NULL;
		struct rules_node *n = parse_or(ps);
		if (!n)
			return NULL;
		if (ps->t.kind != T_RP) {
			expected(ps, "')'");
			return NULL;
		}
		return next(ps) ? n : NULL;
	}
	if (t.kind != T_NAME)
		return literal(ps);
	char *name = arena_strndup(ps->a, t.start, t.len);
	if (!next(ps))
		return NULL;
	if (ps->t.kind != T_LP) {
		struct rules_node *n = new_node(ps, RN_NAME, t.line, t.col);
		if (n)
			n->sval = name;
		return n;
	}
	int fn = -1;
	for (int i = 0; i < RF__MAX; i++)
		if (strcmp(rules_fn_name[i], name) == 0)
			fn = i;
	if (fn < 0) {
		fail_at(ps, t.line, t.col,
			"unknown function '%s' (known: age, years_between, months_between, "
			"days_between, count, within, missing)", name);
		return NULL;
	}
	struct rules_node *args[3];
	size_t na = 0;
	if (!next(ps))
		return NULL;
	if (ps->t.kind != T_RP) {
		for (;;) {
			if (na == 3) {
				fail_at(ps, ps->t.line, ps->t.col, "too many arguments to %s()", name);
				return NULL;
			}
			if (!(args[na++] = parse_or(ps)))
				return NULL;
			if (ps->t.kind == T_RP)
				break;
			if (ps->t.kind != T_COMMA) {
				expected(ps, "',' or ')'");
				return NULL;
			}
			if (!next(ps))
				return NULL;
		}
	}
	if (!next(ps))
		return NULL;
	struct rules_node *n = new_node(ps, RN_CALL, t.line, t.col);
	if (!n)
		return NULL;
	n->op = fn;
	n->sval = name;
	return with_kids(ps, n, args, na);
}

static struct rules_node *unary(struct parser *ps)
{
	if (!enter(ps))
		return NULL;
	struct rules_node *n;
	if (ps->t.kind == T_MINUS) {
		struct tok t = ps->t;
		if (!next(ps))
			return NULL;
		struct rules_node *x = unary(ps);
		if (!x || !(n = new_node(ps, RN_NEG, t.line, t.col)))
			return NULL;
		n = with_kids(ps, n, &x, 1);
	} else {
		n = primary(ps);
	}
	ps->depth--;
	return n;
}

static struct rules_node *binary(struct parser *ps, enum rules_node_kind k, int op,
				 struct rules_node *l, struct rules_node *r)
{
	struct rules_node *n = new_node(ps, k, l->line, l->col);
	if (!n)
		return NULL;
	n->op = op;
	struct rules_node *kids[2] = { l, r };
	return with_kids(ps, n, kids, 2);
}

static struct rules_node *product(struct parser *ps)
{
	struct rules_node *l = unary(ps);
	while (l && ps->t.kind == T_STAR) {
		if (!next(ps))
			return NULL;
		struct rules_node *r = unary(ps);
		l = r ? binary(ps, RN_ARITH, '*', l, r) : NULL;
	}
	return l;
}

static struct rules_node *sum(struct parser *ps)
{
	struct rules_node *l = product(ps);
	while (l && (ps->t.kind == T_PLUS || ps->t.kind == T_MINUS)) {
		int op = ps->t.kind == T_PLUS ? '+' : '-';
		if (!next(ps))
			return NULL;
		struct rules_node *r = product(ps);
		l = r ? binary(ps, RN_ARITH, op, l, r) : NULL;
	}
	return l;
}

/* [lit, lit, ...] after `in`; the items must be literals. */
static struct rules_node *in_list(struct parser *ps, struct rules_node *l, bool neg)
{
	struct rules_node *n = new_node(ps, RN_IN, l->line, l->col);
	if (!n || !next(ps))
		return NULL;
	if (ps->t.kind != T_LB) {
		expected(ps, "'[' to start the list after 'in'");
		return NULL;
	}
	if (!next(ps))
		return NULL;
	struct rules_node *items[RULES_LIST_MAX + 1];
	size_t ni = 0;
	items[ni++] = l;
	if (ps->t.kind == T_RB) {
		fail_at(ps, ps->t.line, ps->t.col, "the list after 'in' is empty");
		return NULL;
	}
	for (;;) {
		if (ni > RULES_LIST_MAX) {
			fail_at(ps, ps->t.line, ps->t.col, "the list has more than %d items",
				RULES_LIST_MAX);
			return NULL;
		}
		bool minus = ps->t.kind == T_MINUS;
		if (minus && !next(ps))
			return NULL;
		if (ps->t.kind != T_INT && ps->t.kind != T_DEC && ps->t.kind != T_STR &&
		    ps->t.kind != T_DATE) {
			expected(ps, "a value (lists hold numbers, strings or dates)");
			return NULL;
		}
		struct rules_node *it = literal(ps);
		if (!it)
			return NULL;
		if (minus) {
			if (it->type != RULES_INT && it->type != RULES_DEC) {
				fail_at(ps, it->line, it->col, "only numbers can be negative");
				return NULL;
			}
			it->ival = -it->ival;
		}
		items[ni++] = it;
		if (ps->t.kind == T_RB)
			break;
		if (ps->t.kind != T_COMMA) {
			expected(ps, "',' or ']'");
			return NULL;
		}
		if (!next(ps))
			return NULL;
	}
	if (!next(ps))
		return NULL;
	n->neg = neg;
	return with_kids(ps, n, items, ni);
}

static struct rules_node *comparison(struct parser *ps)
{
	struct rules_node *l = sum(ps);
	if (!l)
		return NULL;
	enum tok_kind k = ps->t.kind;
	if (k >= T_EQ && k <= T_GE) {
		if (!next(ps))
			return NULL;
		struct rules_node *r = sum(ps);
		if (!r)
			return NULL;
		if (ps->t.kind >= T_EQ && ps->t.kind <= T_GE) {
			fail_at(ps, ps->t.line, ps->t.col,
				"comparisons do not chain: write 'a < b and b < c'");
			return NULL;
		}
		return binary(ps, RN_CMP, (int)(k - T_EQ), l, r);
	}
	if (k == T_IN)
		return in_list(ps, l, false);
	if (k == T_NOT) { /* a not in [...] */
		if (!next(ps))
			return NULL;
		if (ps->t.kind != T_IN) {
			expected(ps, "'in' after 'not'");
			return NULL;
		}
		return in_list(ps, l, true);
	}
	return l;
}

static struct rules_node *negation(struct parser *ps)
{
	if (!enter(ps))
		return NULL;
	struct rules_node *n;
	if (ps->t.kind == T_NOT) {
		struct tok t = ps->t;
		if (!next(ps))
			return NULL;
		struct rules_node *x = negation(ps);
		if (!x || !(n = new_node(ps, RN_NOT, t.line, t.col)))
			return NULL;
		n = with_kids(ps, n, &x, 1);
	} else {
		n = comparison(ps);
	}
	ps->depth--;
	return n;
}

/* a and b and c: one node with every operand (explanations list them in order) */
static struct rules_node *chain(struct parser *ps, enum tok_kind tk, enum rules_node_kind nk,
				struct rules_node *(*sub)(struct parser *))
{
	struct rules_node *first = sub(ps);
	if (!first || ps->t.kind != tk)
		return first;
	struct rules_node *items[64];
	size_t ni = 0;
	items[ni++] = first;
	struct rules_node *n = NULL;
	while (ps->t.kind == tk) {
		if (!next(ps))
			return NULL;
		struct rules_node *x = sub(ps);
		if (!x)
			return NULL;
		if (ni == 64) { /* fold what we have into one node and go on */
			struct rules_node *f = new_node(ps, nk, first->line, first->col);
			if (!f)
				return NULL;
			items[0] = with_kids(ps, f, items, ni);
			ni = 1;
		}
		items[ni++] = x;
	}
	if (!(n = new_node(ps, nk, first->line, first->col)))
		return NULL;
	return with_kids(ps, n, items, ni);
}

static struct rules_node *conjunction(struct parser *ps)
{
	return chain(ps, T_AND, RN_AND, negation);
}

static struct rules_node *parse_or(struct parser *ps)
{
	if (!enter(ps))
		return NULL;
	struct rules_node *n = chain(ps, T_OR, RN_OR, conjunction);
	ps->depth--;
	return n;
}

enum app_err rules_parse(struct arena *a, const char *text, size_t len, struct rules_node **out,
			 struct app_error *err)
{
	if (len > RULES_EXPR_MAX)
		return app_fail(err, APP_ETOOBIG, "line 1, column 1: the expression is longer than %d bytes",
				RULES_EXPR_MAX);
	if (memchr(text, 0, len))
		return app_fail(err, APP_EINVAL, "line 1, column 1: the expression holds a NUL byte");
	struct parser ps = { .a = a, .p = text, .end = text + len, .line = 1, .line_start = text,
			     .err = err };
	if (!next(&ps))
		return APP_EINVAL;
	if (ps.t.kind == T_END)
		return app_fail(err, APP_EINVAL, "line 1, column 1: the expression is empty");
	struct rules_node *n = parse_or(&ps);
	if (!n)
		return APP_EINVAL;
	if (ps.t.kind != T_END) {
		char got[64];
		tok_quote(&ps.t, got, sizeof(got));
		fail_at(&ps, ps.t.line, ps.t.col,
			"unexpected %s after a complete expression (missing 'and' or 'or'?)", got);
		return APP_EINVAL;
	}
	*out = n;
	return APP_OK;
}
