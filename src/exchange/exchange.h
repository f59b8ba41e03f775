/*
 * exchange.h - the pure parts of the data-sharing exchange (数据共享交换,
 * docs/exchange.md): dataset schemas, the parsing and validation of a batch
 * against its schema, the canonical bytes a provider signs, Ed25519 keys and
 * signatures (libsodium), the fields a subscription grants, and the push
 * schedule with its retry backoff.
 *
 * Nothing here touches the store, the network or the clock: broker.h does
 * the exchange's operations, push.h its deliveries. Values of personal
 * fields never appear in an error message made here.
 */
#ifndef EXCHANGE_EXCHANGE_H
#define EXCHANGE_EXCHANGE_H

#include "core/err.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXCHANGE_FIELDS_MAX 64
#define EXCHANGE_FIELD_NAME_MAX 48
#define EXCHANGE_SECRET_TEXT 96 /* a secret key in base64 (88 characters), with room */

/* True when s is a code of a member, dataset or batch: 1 to 32 characters
 * of A-Z a-z 0-9 _ . - */
bool exchange_code_ok(const char *s);

/* ---- schemas ---- */

enum exchange_type { EXT_STRING, EXT_INT, EXT_DECIMAL, EXT_DATE, EXT_BOOL, EXT_ENUM, EXT__MAX };
extern const char *const exchange_type_names[EXT__MAX];

struct exchange_field {
	char name[EXCHANGE_FIELD_NAME_MAX + 1];
	enum exchange_type type;
	bool required;
	bool personal; /* personal data: never logged, every read audited */
	char **values; /* EXT_ENUM: the allowed values */
	size_t nvalues;
};

struct exchange_schema {
	size_t nfields;
	struct exchange_field fields[EXCHANGE_FIELDS_MAX];
};

/*
 * Parse a schema, {"fields": [{"name", "type", "required", "personal",
 * "description", "values"}...]} (docs/exchange.md). *out is the caller's to
 * free with exchange_schema_free(). APP_EINVAL naming what is wrong.
 */
enum app_err exchange_schema_parse(const char *json, size_t len, struct exchange_schema **out,
				   struct app_error *err);
void exchange_schema_free(struct exchange_schema *sc);
/* The index of field name in sc, or -1. */
int exchange_schema_field(const struct exchange_schema *sc, const char *name);

/* ---- batches ---- */

enum exchange_format { EXCHANGE_CSV, EXCHANGE_JSONL };

struct exchange_rows {
	size_t n;
	char **rows; /* each a JSON object: the fields given, typed, in schema order */
};

/*
 * Parse body[0..len) as CSV (a header of field names, then a row a line) or
 * JSON lines (an object a line) and check every row against sc: all or
 * nothing. On APP_EINVAL err says in plain words which lines are wrong and
 * why (the first few, then how many more), never quoting the value of a
 * personal field. out is left empty on failure and is the caller's to
 * release with exchange_rows_release() on success.
 */
enum app_err exchange_batch_parse(const struct exchange_schema *sc, enum exchange_format format,
				  const char *body, size_t len, struct exchange_rows *out,
				  struct app_error *err);
void exchange_rows_release(struct exchange_rows *r);

/* ---- signatures ---- */

/* SHA-256 of data as 64 lower-case hex digits (out: 65 bytes). */
void exchange_sha256_hex(const void *data, size_t len, char out[65]);

/*
 * The bytes a provider signs for a batch (docs/exchange.md "What is signed"):
 *   "bianmin-exchange-batch-v1\n" "member=" M "\n" "dataset=" D "\n"
 *   "batch=" B "\n" "sha256=" H "\n"
 * with H the hex SHA-256 of the body exactly as uploaded. Appended to out.
 */
void exchange_batch_signed_bytes(struct strbuf *out, const char *member, const char *dataset,
				 const char *batch_id, const char *sha256_hex);
/*
 * The bytes the exchange signs for a push to a consumer:
 *   "bianmin-exchange-push-v1\n" "subscription=" N "\n" "upto=" U "\n"
 *   "sha256=" H "\n"
 * (U: the batch the push reaches, also sent as X-Bianmin-Upto).
 */
void exchange_push_signed_bytes(struct strbuf *out, int64_t subscription, int64_t upto,
				const char *sha256_hex);

/* A new key pair, both in base64 (pk: 45 bytes, sk: EXCHANGE_SECRET_TEXT). */
void exchange_keypair(char *pk, size_t pk_cap, char *sk, size_t sk_cap);
/* The public key of secret key sk (base64), into pk. APP_EINVAL for a bad key. */
enum app_err exchange_public_of(const char *sk, char *pk, size_t pk_cap, struct app_error *err);
/* Sign msg with secret key sk (base64); the signature in base64 into sig
 * (at least 89 bytes). APP_EINVAL for a bad key. */
enum app_err exchange_sign(const char *sk, const void *msg, size_t len, char *sig, size_t cap,
			   struct app_error *err);
/* True when sig (base64) is pk's (base64) signature of msg. */
bool exchange_verify(const char *pk, const void *msg, size_t len, const char *sig);

/*
 * Write secret key sk to a new file at path, mode 0600, refusing to replace
 * one (APP_ECONFLICT). Read one back (APP_EINVAL when it holds no key).
 */
enum app_err exchange_secret_write(const char *path, const char *sk, struct app_error *err);
enum app_err exchange_secret_read(const char *path, char *sk, size_t cap, struct app_error *err);

/* ---- subscriptions ---- */

/*
 * Check fields ("a,b,c") against sc: each known, none twice, at least one.
 * APP_EINVAL naming the first wrong one.
 */
enum app_err exchange_fields_check(const struct exchange_schema *sc, const char *fields,
				   struct app_error *err);
/* True when name is one of fields ("a,b,c"). */
bool exchange_field_granted(const char *fields, const char *name);
/*
 * The JSON object row with only the granted fields, appended to out.
 * APP_EINVAL when row is not a JSON object.
 */
enum app_err exchange_project(const char *row, const char *fields, struct strbuf *out,
			      struct app_error *err);

/* ---- schedule ---- */

/* The first time after `after` that is day (1..28) of a month at minute
 * (0..1439) of the day, China time. */
int64_t exchange_next_push(int day, int minute, int64_t after);
/* Seconds to wait after the n-th failed attempt in a row (n >= 1):
 * 1 min, 5 min, 30 min, 2 h, 6 h, then 24 h. */
int64_t exchange_backoff(int n);

#endif
