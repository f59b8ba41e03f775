/*
 * classify.h - is a resident's message a demand, a question or chat, and
 * which category would a demand go to? (demand detection in free chat,
 * issue #7; docs/classify.md has the method, the labels and the figures.)
 *
 * Features are the code points of the text and their bigrams, after light
 * normalisation (ASCII and full-width letters to small ASCII, every digit to
 * 0, runs of white space to one space), plus begin/end markers and a length
 * band, hashed into 2^bits buckets. A model is two linear heads over the
 * same buckets: the intent (demand, question, chat) and the category (the
 * labels of the training data, e.g. 城乡建设). It is trained either as
 * multinomial naive Bayes or as logistic regression (SGD, class-balanced);
 * either way classifying is one pass over the text adding one row of
 * weights per feature, so it needs no allocation and is safe from any
 * thread on a shared model.
 *
 * Training data are CSV rows (classify_data_*): our own format with the
 * columns id, text, intent, category (body optional), or a message-board
 * export (留言编号, 留言主题, 留言详情, 一级分类) whose intent is derived
 * from the form of its subject (see classify_subject_is_question()). Rows
 * fall into CLASSIFY_FOLDS folds by a hash of their id, so that a held-out
 * part (fold 0) is the same on every run and every machine.
 *
 * Model files are ours: a versioned little-endian header, the category
 * labels, the weights and a CRC-32; a file that is truncated, corrupted, of
 * another version or out of range is refused with a message saying which.
 */
#ifndef PATROL_CLASSIFY_H
#define PATROL_CLASSIFY_H

#include "core/err.h"
#include "core/mem.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLASSIFY_BITS_MIN 10
#define CLASSIFY_BITS_MAX 22
#define CLASSIFY_BITS_DEFAULT 14
#define CLASSIFY_CATEGORIES_MAX 64
#define CLASSIFY_LABEL_MAX 64          /* bytes of a category label */
#define CLASSIFY_ID_MAX 64             /* bytes of a row id */
#define CLASSIFY_TEXT_MAX 2048         /* code points of a text that count; the rest is ignored */
#define CLASSIFY_ROWS_MAX 10000000
#define CLASSIFY_FILE_MAX (512u << 20) /* a training file */
#define CLASSIFY_FOLDS 5
#define CLASSIFY_MODEL_VERSION 1

enum classify_intent { CLASSIFY_DEMAND, CLASSIFY_QUESTION, CLASSIFY_CHAT, CLASSIFY_INTENT__MAX };

/* "demand", "question", "chat" */
extern const char *const classify_intent_names[CLASSIFY_INTENT__MAX];
bool classify_intent_parse(const char *s, enum classify_intent *out);

/* ---- labelled data ---- */

struct classify_row {
	const char *id;
	const char *text;     /* the message: what the intent is learnt from */
	const char *body;     /* what the category is learnt from (text, or subject and details) */
	int intent;           /* enum classify_intent, or -1 for none */
	const char *category; /* NULL for none */
	size_t line;          /* where it starts in its file (0: added by a program) */
	unsigned source;      /* which file (or batch of classify_data_add()) it came from */
};

struct classify_seen;

struct classify_data {
	struct classify_row *rows;
	size_t n, cap;
	size_t dropped;        /* rows dropped as repeats of an earlier text (see _add) */
	size_t unlabelled;     /* rows skipped for having no label at all */
	unsigned sources;      /* files parsed so far; rows added alone get this number */
	struct arena mem;      /* the strings */
	struct classify_seen *seen; /* texts and bodies seen, for dropping repeats */
};

void classify_data_init(struct classify_data *d);
void classify_data_release(struct classify_data *d);

/*
 * Add a row (the strings are copied). body may be NULL (then it is text);
 * intent is -1 or an enum classify_intent; category may be NULL or "".
 * A row with neither label is skipped (counted in d->unlabelled). A label
 * already learnt from the same text (the same body, for a category) is
 * dropped, and a row left with neither label is not added and counted in
 * d->dropped: repeats would weigh twice in training, and a repeat on the
 * other side of the split would be a test row seen in training. Errors: APP_EINVAL for an empty or ill-formed id, text, body or
 * category, or one over its limit; APP_ETOOBIG beyond CLASSIFY_ROWS_MAX.
 */
enum app_err classify_data_add(struct classify_data *d, const char *id, const char *text,
			       const char *body, int intent, const char *category,
			       struct app_error *err);

/*
 * Append the rows of the CSV in buf[0..len) (rewritten in place; buf[len]
 * writable), all or none. The header says the format:
 *   - ours: columns named id, text, and any of intent (demand, question,
 *     chat or empty), category (a label or empty), body; others ignored;
 *   - a message-board export: 留言编号, 留言主题, 留言详情, and maybe
 *     一级分类: id = 留言编号, text = 留言主题, body = 留言主题 and
 *     留言详情, intent = question when classify_subject_is_question() says
 *     so and demand otherwise (every message on such a board asks for
 *     something), category = 一级分类.
 * name starts error messages, which name the first bad line and how many
 * more there are. Errors: APP_EINVAL, APP_ETOOBIG.
 */
enum app_err classify_data_parse(struct classify_data *d, const char *name, char *buf, size_t len,
				 struct app_error *err);

/* classify_data_parse() of the file at path (plain or gzip). Also APP_EIO. */
enum app_err classify_data_load(struct classify_data *d, const char *path, struct app_error *err);

/*
 * The labelling rule for message-board subjects: a question when, trailing
 * white space aside, it ends in ？ ? 吗 or 呢, or starts with 请问. A rule of
 * form, not of meaning: "收费合理吗？" is a complaint asked as a question.
 */
bool classify_subject_is_question(const char *subject);

/* The fold (0..CLASSIFY_FOLDS-1) of a row id: FNV-1a 64 of its bytes, mod CLASSIFY_FOLDS. */
unsigned classify_fold(const char *id);

/* Which rows of the data: all, those of one fold, or all but one fold. */
enum classify_pick { CLASSIFY_ALL, CLASSIFY_ONLY_FOLD, CLASSIFY_EXCEPT_FOLD };
struct classify_sel {
	enum classify_pick pick;
	unsigned fold;
};
#define CLASSIFY_SEL_ALL ((struct classify_sel){ CLASSIFY_ALL, 0 })
#define CLASSIFY_SEL_TRAIN ((struct classify_sel){ CLASSIFY_EXCEPT_FOLD, 0 })
#define CLASSIFY_SEL_HELD_OUT ((struct classify_sel){ CLASSIFY_ONLY_FOLD, 0 })

bool classify_selected(const struct classify_row *r, struct classify_sel sel);

/* ---- training ---- */

enum classify_method { CLASSIFY_NB, CLASSIFY_LR, CLASSIFY_METHOD__MAX };
/* "nb", "lr" */
extern const char *const classify_method_names[CLASSIFY_METHOD__MAX];

struct classify_train_opts {
	unsigned bits;              /* CLASSIFY_BITS_MIN..MAX */
	enum classify_method method;
	struct classify_sel rows;   /* the rows to learn from */
	unsigned epochs;            /* LR: passes over the data */
};
#define CLASSIFY_TRAIN_OPTS_INIT { CLASSIFY_BITS_DEFAULT, CLASSIFY_LR, CLASSIFY_SEL_TRAIN, 12 }

struct classify_model;

/*
 * Learn a model from the selected rows of d. The intent head learns from
 * the rows with an intent, the category head from those with a category;
 * each needs at least one such row (an intent absent from the data is never
 * predicted). Logistic regression weighs rows so that every class weighs
 * the same in all, and within a class every source (file) weighs the same:
 * a small file of village-group lines is not drowned by a large export of
 * formal message-board texts, nor chat by demands. Deterministic: the same
 * data and options give the same bytes.
 * On success *out is a new model (classify_model_free()). Errors:
 * APP_EINVAL for bad options, no labelled row, or more than
 * CLASSIFY_CATEGORIES_MAX categories.
 */
enum app_err classify_train(const struct classify_data *d, const struct classify_train_opts *o,
			    struct classify_model **out, struct app_error *err);

void classify_model_free(struct classify_model *m);

/* The number of categories and the label of category i (NULL out of range). */
size_t classify_categories(const struct classify_model *m);
const char *classify_category_name(const struct classify_model *m, int i);
/* How the model was made: bits, method, rows learnt per head. */
struct classify_model_info {
	unsigned bits;
	enum classify_method method;
	uint32_t intent_rows[CLASSIFY_INTENT__MAX];
	uint32_t category_rows;
	size_t bytes; /* memory of the weights */
};
void classify_model_info(const struct classify_model *m, struct classify_model_info *out);

/* ---- model files ---- */

/* Append the model file's bytes to out. */
void classify_model_write(const struct classify_model *m, struct strbuf *out);

/*
 * Read a model from buf[0..len). name (a path) starts error messages.
 * Errors: APP_EINVAL naming what is wrong: not a model file, another
 * version, truncated, extra bytes, checksum mismatch (corrupted), a field
 * out of range.
 */
enum app_err classify_model_read(const char *name, const void *buf, size_t len,
				 struct classify_model **out, struct app_error *err);

/* Write the model to path (through a temporary file renamed into place). APP_EIO. */
enum app_err classify_model_save(const struct classify_model *m, const char *path,
				 struct app_error *err);
/* Read the model at path. Errors: APP_ENOTFOUND (no such file), APP_EIO, APP_EINVAL. */
enum app_err classify_model_load(const char *path, struct classify_model **out,
				 struct app_error *err);

/* ---- classifying ---- */

struct lexicon;
struct lexicon_entry;

struct classify_result {
	enum classify_intent intent;
	float intent_p[CLASSIFY_INTENT__MAX]; /* the model's probabilities (before any override) */
	int category;                         /* index of the likeliest category; -1 when none */
	float category_p;
	const struct lexicon_entry *override; /* an urgent word that made it a demand, or NULL */
};

/*
 * Classify s[0..n) (any bytes; ill-formed UTF-8 counts as U+FFFD). With a
 * lexicon (lex may be NULL), a word of severity LEXICON_URGENT in the text
 * makes it a demand whatever the model says (an emergency is never chat).
 * The category is filled whatever the intent; callers show it for demands
 * and questions.
 */
void classify_text(const struct classify_model *m, const struct lexicon *lex, const char *s,
		   size_t n, struct classify_result *out);

/* ---- evaluation ---- */

struct classify_class_score {
	char label[CLASSIFY_LABEL_MAX + 1];
	size_t support;   /* rows of this class */
	size_t predicted; /* rows said to be of this class */
	size_t correct;
	double precision, recall, f1;
};

struct classify_head_score {
	size_t rows, correct;
	size_t unknown;   /* rows whose label the model does not have (always wrong) */
	double accuracy;
	double macro_f1;  /* mean F1 of the classes with support or predictions */
	size_t nclasses;
	struct classify_class_score cls[CLASSIFY_CATEGORIES_MAX];
};

struct classify_eval {
	struct classify_head_score intent, category;
};

/* Zero counts, before classify_eval_add(). */
void classify_eval_init(struct classify_eval *e);
/*
 * Classify the selected rows of d with m (and lex, NULL for the model alone)
 * and add the outcomes to e: the intent of rows with an intent (from their
 * text), the category of rows with a category (from their body). Every model
 * added to one e must have the same categories (as the models of one data
 * set's folds do, when every category has rows in every fold; a label
 * missing from a model counts as unknown).
 */
void classify_eval_add(struct classify_eval *e, const struct classify_model *m,
		       const struct lexicon *lex, const struct classify_data *d,
		       struct classify_sel rows);
/* Compute the rates from the counts. */
void classify_eval_finish(struct classify_eval *e);

#endif
