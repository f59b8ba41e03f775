/*
 * rules_int.h - what the files of src/rules share and nobody else sees: the
 * syntax tree of an expression, the compiled program (vector instructions
 * over blocks of RULES_BLOCK persons) and the policy.
 *
 * Pipeline: parse.c (text → tree, positions, bounded) → compile.c (names and
 * types resolved in place, tree → program) → eval.c (program × columns →
 * bitsets and amounts); explain.c walks the tree for one person.
 */
#ifndef RULES_RULES_INT_H
#define RULES_RULES_INT_H

#include "core/mem.h"
#include "rules/rules.h"

enum rules_node_kind {
	RN_LIT,   /* literal: type and ival (or sval for a string) */
	RN_NAME,  /* an input or a parameter; resolved by compile */
	RN_NOT, RN_AND, RN_OR,
	RN_CMP,   /* op: enum rules_cmp */
	RN_IN,    /* a in [list]; neg for `not in` */
	RN_ARITH, /* op: '+', '-', '*' */
	RN_NEG,
	RN_CALL,  /* fn: enum rules_fn */
	RN__MAX
};

enum rules_cmp { RC_EQ, RC_NE, RC_LT, RC_LE, RC_GT, RC_GE, RC__MAX };
enum rules_fn { RF_AGE, RF_YEARS, RF_MONTHS, RF_DAYS, RF_COUNT, RF_WITHIN, RF_MISSING, RF__MAX };

extern const char *const rules_cmp_text[RC__MAX];
extern const char *const rules_fn_name[RF__MAX];

struct rules_node {
	enum rules_node_kind kind;
	enum rules_type type;   /* set by compile (literals: by the parser) */
	int op;                 /* cmp, arith char, fn */
	bool neg;               /* RN_IN: not in */
	int line, col;          /* where it starts, 1-based */
	int32_t ival;           /* literal value (strings: unused) */
	const char *sval;       /* string literal / name (arena) */
	int input;              /* RN_NAME: index into the policy's inputs, or -1 */
	int param;              /* RN_NAME: index into its parameters, or -1 */
	struct rules_node **kid; /* operands, call arguments, list items */
	size_t nkid;
};

/* Parse text into a tree allocated in a (names unresolved). On error fills err
 * with "line L, column C: ..." and returns APP_EINVAL or APP_ETOOBIG. */
enum app_err rules_parse(struct arena *a, const char *text, size_t len, struct rules_node **out,
			 struct app_error *err);

/* A parameter: values by dated start, sorted by start. */
struct rules_param {
	char *name;
	enum rules_type type; /* RULES_INT or RULES_DEC */
	size_t n;
	int32_t from[RULES_VERSIONS_MAX];
	int32_t value[RULES_VERSIONS_MAX];
};

/* The version of p in force on day, or -1. */
int rules_param_version(const struct rules_param *p, int32_t day);

/* ---- the program ---- */

enum rules_opnd_kind { RO_REG, RO_COL, RO_CONST };
struct rules_opnd {
	enum rules_opnd_kind kind;
	int idx; /* register, input (column) or constant slot */
};

enum rules_op {
	OP_CMP,      /* bool dst = a cmp b (numbers) */
	OP_AGE_CMP,  /* bool dst = age(a) cmp const b, by a threshold date */
	OP_IN,       /* bool dst = a in list (constants list..list+nlist) */
	OP_WITHIN,   /* bool dst = string a starts with constant string b */
	OP_MISSING,  /* bool dst = a is absent (always known) */
	OP_AND, OP_OR, OP_NOT,
	OP_ARITH,    /* num dst = a op b; out of range → absent */
	OP_NEG,
	OP_AGE,      /* num dst = age(a) in full years at the date */
	OP_BETWEEN,  /* num dst = years/months/days from a to b (fn) */
	OP_SCALE,    /* num dst = a × 100 (int → decimal) */
	OP_TRUE,     /* bool dst = sub (a literal true or false) */
	OP__MAX
};

struct rules_insn {
	enum rules_op op;
	int sub;                 /* cmp, arith char or fn */
	int dst;
	struct rules_opnd a, b;
	int list, nlist;         /* OP_IN: constant slots */
	bool neg;
};

/* Constant slots: literals, and values fixed per evaluation (parameters). */
struct rules_const {
	int32_t v;
	int param;               /* >= 0: the parameter's value at the date */
	const char *str;         /* a string literal: interned per column set */
	bool x100;               /* an int parameter used as a decimal */
};

/* A straight-line program; its value is the operand res (a register when
 * res_bool, otherwise a number of type res_type). */
struct rules_prog {
	struct rules_insn *insn;
	size_t n, cap;
	int nreg;
	struct rules_opnd res;
	bool res_bool;
	enum rules_type res_type;
};

/*
 * count(key, cond): cond is evaluated over everybody first (prog), then
 * counted per value of the key input; the count is the temporary column
 * `column` (an index past the policy's inputs) that the main program reads.
 */
struct rules_stage {
	struct rules_prog prog;
	int key;       /* input index of the household key (a string) */
	int column;    /* ninputs + stage index */
};

struct rules_policy {
	struct arena arena;         /* names, trees */
	char *id, *name, *benefit;
	enum rules_period period;
	bool consent;
	int notice_days;
	struct rules_want input[RULES_INPUTS_MAX];
	size_t ninput;
	struct rules_param param[RULES_PARAMS_MAX];
	size_t nparam;
	struct rules_node *cond, *amount;
	char *amount_text;          /* for explanations */
	struct rules_const *konst;
	size_t nconst, constcap;
	struct rules_stage *stage;
	size_t nstage;
	struct rules_prog cond_prog, amount_prog;
};

/*
 * Resolve names, check types and compile the tree root of pol (cond or
 * amount) into prog. want: RULES_BOOL for a condition, RULES_DEC for an
 * amount (int accepted). Errors name the line and column.
 */
enum app_err rules_compile(struct rules_policy *pol, struct rules_node *root, enum rules_type want,
			   struct rules_prog *prog, struct app_error *err);
void rules_prog_release(struct rules_prog *p);
void rules_policy_free(struct rules_policy *pol);

/* The full-years age at day of a person born on birth (may be negative). */
int32_t rules_age(int32_t birth, int32_t day);
/* Whole years / months between two dates (negative when b is before a). */
int32_t rules_years_between(int32_t a, int32_t b);
int32_t rules_months_between(int32_t a, int32_t b);
/* The latest birth date with age(birth, day) >= years. */
int32_t rules_age_threshold(int32_t day, int32_t years);

/* Per person of c: how many persons share its value of the string column key
 * and have bit set in cond; written to out (absent where key is). */
void rules_count_by_key(const struct rules_columns *c, const struct rules_column *key,
			const uint64_t *cond, struct rules_column *out);

#endif
