/*
 * rules.h - the rules engine of 免申即享: policies with dated parameters and a
 * condition in a small expression language, compiled once and evaluated over
 * persons held as columns (docs/rules.md).
 *
 * The shape the entitlement pipeline uses:
 *
 *   struct rules_set set;  rules_set_init(&set);
 *   rules_set_add_file(&set, "data/policies/x.json", &err);   (each policy compiled)
 *   struct rules_columns cols;  rules_columns_init(&cols, n);   (or rules_columns_load_csv)
 *   ... fill columns named as the policies' inputs ...
 *   struct rules_results res;
 *   rules_evaluate(&set, &cols, day, &res, &err);   decisions and amounts per policy
 *   rules_conflicts(&set, &res, ...);               two grants of one benefit
 *   rules_explain(&set, p, &cols, row, day, &sb, &err);  why, for one person, on demand
 *
 * Values: int (32-bit), decimal (fixed point, 2 places, stored ×100), string
 * (interned to an id per column set), date (days since 1970-01-01) and bool.
 * A null (missing) value makes every comparison over it unknown; a policy
 * grants only when its condition is known to hold. Nothing here touches the
 * database, the network or the clock: the evaluation date is an argument.
 */
#ifndef RULES_RULES_H
#define RULES_RULES_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on what a policy file may ask for (hostile input stays bounded). */
enum {
	RULES_EXPR_MAX = 8192,   /* bytes of one expression */
	RULES_DEPTH_MAX = 48,    /* nesting of the parser */
	RULES_NODES_MAX = 2048,  /* nodes of one expression */
	RULES_INPUTS_MAX = 64,   /* inputs of a policy */
	RULES_PARAMS_MAX = 32,   /* parameters of a policy */
	RULES_VERSIONS_MAX = 64, /* dated values of a parameter */
	RULES_LIST_MAX = 256,    /* items of an `in [...]` list */
	RULES_FILE_MAX = 1 << 20, /* bytes of a policy or test file */
	RULES_COLUMNS_MAX = 256  /* columns of a column set */
};

enum rules_type { RULES_BOOL, RULES_INT, RULES_DEC, RULES_STR, RULES_DATE, RULES_TYPE__MAX };
enum rules_period { RULES_MONTHLY, RULES_YEARLY, RULES_PERIOD__MAX };

/* "bool", "int", "decimal", "string", "date"; parse the same names. */
const char *rules_type_name(enum rules_type t);
bool rules_type_parse(const char *s, enum rules_type *out);
const char *rules_period_name(enum rules_period p);

/* An amount in fen (hundredths of a yuan) as "-0.50", "410.00" into out
 * (at least 24 bytes). */
void rules_fen_format(int64_t fen, char *out, size_t cap);

/* ---- dates: days since 1970-01-01 ---- */
/* Parse "2026-01-01" (a real date, years 1900..2200) into a day number. */
bool rules_date_parse(const char *s, int32_t *day);
/* Format a day number as "2026-01-01" into out (at least 11 bytes). */
void rules_date_format(int32_t day, char *out, size_t cap);
int32_t rules_days_from_civil(int y, int m, int d);
void rules_civil_from_days(int32_t day, int *y, int *m, int *d);

/* ---- columns: the persons, struct-of-arrays ---- */

/*
 * One attribute of every person. data holds n int32 values (dates as day
 * numbers, decimals ×100, strings as ids of the column set's string table);
 * present is a bitset, bit i set when person i has a value. Both are
 * allocated with room for whole blocks of RULES_BLOCK persons, the padding
 * zero and absent.
 */
struct rules_column {
	char *name;
	enum rules_type type;
	int32_t *data;
	uint64_t *present;
};

enum { RULES_BLOCK = 1024 };

struct rules_columns {
	size_t n;              /* persons */
	size_t cap;            /* n rounded up to RULES_BLOCK */
	struct rules_column *col;
	size_t ncol;
	/* the string table: every string value is an id into it */
	char **str;
	size_t nstr, strcap;
	struct rules_strmap *strmap;
	char **ids;            /* each person's id (optional, owned), for messages */
};

void rules_columns_init(struct rules_columns *c, size_t n);
void rules_columns_release(struct rules_columns *c);
/*
 * Add a column named name of type t (all values absent) and return it (valid
 * until rules_columns_release), or NULL when a column of that name exists
 * already or the set has RULES_COLUMNS_MAX columns.
 */
struct rules_column *rules_columns_add(struct rules_columns *c, const char *name,
				       enum rules_type t);
const struct rules_column *rules_columns_find(const struct rules_columns *c, const char *name);
/* The id of s in the string table, added when new. */
int32_t rules_columns_intern(struct rules_columns *c, const char *s);
/* The id of s in the string table, or -1 when no person has it. */
int32_t rules_columns_lookup(const struct rules_columns *c, const char *s);
/* Set person i's value of col from text in col's type: "" is absent. */
enum app_err rules_columns_set_text(struct rules_columns *c, struct rules_column *col, size_t i,
				    const char *text, struct app_error *err);
/* Person i's value of col as text ("" when absent) into out. */
void rules_columns_value_text(const struct rules_columns *c, const struct rules_column *col,
			      size_t i, char *out, size_t cap);
/*
 * Read persons from a CSV buffer (header row of column names; a column "id"
 * names each person); the columns and types wanted come from want (name and
 * type per entry; columns of the file not wanted are ignored, wanted ones
 * missing from the file are absent for everybody). All or nothing: a value
 * that does not parse fails with its line and column. buf is modified.
 */
struct rules_want {
	const char *name;
	enum rules_type type;
};
enum app_err rules_columns_load_csv(struct rules_columns *c, char *buf, size_t len,
				    const struct rules_want *want, size_t nwant,
				    struct app_error *err);

static inline bool rules_bit(const uint64_t *bits, size_t i)
{
	return (bits[i >> 6] >> (i & 63)) & 1;
}
static inline void rules_bit_set(uint64_t *bits, size_t i, bool v)
{
	if (v)
		bits[i >> 6] |= (uint64_t)1 << (i & 63);
	else
		bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* ---- policies ---- */

struct rules_policy; /* parsed and compiled; see rules_int.h */

struct rules_set {
	struct rules_policy **pol;
	size_t n, cap;
};

void rules_set_init(struct rules_set *s);
void rules_set_release(struct rules_set *s);
/*
 * Parse and compile the policy JSON text (name used in messages, e.g. the
 * file name) and add it to s. Errors name the policy, the field and, for an
 * expression, its line and column. A policy id already in s is refused.
 */
enum app_err rules_set_add_json(struct rules_set *s, const char *text, size_t len,
				const char *name, struct app_error *err);
/* As rules_set_add_json with the content of the file at path. */
enum app_err rules_set_add_file(struct rules_set *s, const char *path, struct app_error *err);
/* Index of the policy with that id, or -1. */
int rules_set_find(const struct rules_set *s, const char *id);

/* Read-only facts of policy i of s. */
const char *rules_policy_id(const struct rules_set *s, size_t i);
const char *rules_policy_name(const struct rules_set *s, size_t i);
const char *rules_policy_benefit(const struct rules_set *s, size_t i);
enum rules_period rules_policy_period(const struct rules_set *s, size_t i);
bool rules_policy_consent(const struct rules_set *s, size_t i);
/* Days of the public notice's objection window; 0 when there is no notice. */
int rules_policy_notice_days(const struct rules_set *s, size_t i);
/* The inputs (attributes) policy i reads, for building columns. */
size_t rules_policy_inputs(const struct rules_set *s, size_t i, const struct rules_want **out);

/* Compile one expression against inputs (no parameters): the checker the
 * fuzz harness and `policy check` share. want_bool: the result must be a
 * condition. */
enum app_err rules_check_expr(const char *text, size_t len, const struct rules_want *inputs,
			      size_t ninputs, bool want_bool, struct app_error *err);

/* ---- evaluation ---- */

struct rules_outcome {
	uint64_t *granted;  /* bit per person: the condition held and the amount is known */
	uint64_t *known;    /* bit per person: the condition could be decided (no null in the way) */
	int64_t *amount;    /* in fen (×100), one per granted person in the order of
			     * the persons: the k-th set bit of granted has amount[k] */
	size_t ngranted, amountcap;
	int32_t period;     /* the period the date falls in: yyyymm (monthly) or yyyy (yearly) */
};

/* The amount (fen) person row is granted by o, 0 when not granted. O(n/64):
 * walk the bits with a running index to read many. */
int64_t rules_outcome_amount(const struct rules_outcome *o, size_t row);

struct rules_results {
	size_t n;                 /* persons */
	size_t npol;
	struct rules_outcome *out; /* one per policy of the set, in its order */
};

void rules_results_release(struct rules_results *r);

/*
 * Evaluate every policy of s at day (a day number) over the persons of c.
 * On success fills *out (the caller releases it with rules_results_release).
 * Fails (APP_EINVAL) when a column a policy needs has another type than it
 * declares, or a parameter has no value in force on day. A column missing
 * from c is absent for everybody.
 */
enum app_err rules_evaluate(const struct rules_set *s, const struct rules_columns *c,
			    int32_t day, struct rules_results *out, struct app_error *err);

/*
 * Explain policy p's decision for person row at day, in plain words appended
 * to sb: granted or refused, the first failing condition with the values
 * compared (or that a value was missing), the conditions that held, and the
 * dated version of each parameter used.
 */
enum app_err rules_explain(const struct rules_set *s, size_t p, const struct rules_columns *c,
			   size_t row, int32_t day, struct strbuf *sb, struct app_error *err);

/*
 * A conflict: person row is granted the same benefit, for the same period,
 * by policies a and b (a < b). fn is called for each; returns how many.
 */
typedef void (*rules_conflict_fn)(void *arg, size_t row, size_t a, size_t b);
size_t rules_conflicts(const struct rules_set *s, const struct rules_results *r,
		       rules_conflict_fn fn, void *arg);

/* ---- policy test files ---- */

/*
 * Run the cases of the test file text (docs/rules.md "Test files") against
 * the policies of s. Each failing case appends a readable report (expected
 * and got) to report. *passed and *failed count cases. Fails only when the
 * file itself is malformed or names an unknown policy.
 */
enum app_err rules_run_tests(const struct rules_set *s, const char *text, size_t len,
			     const char *name, struct strbuf *report, size_t *passed,
			     size_t *failed, struct app_error *err);

#endif
