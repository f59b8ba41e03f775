/*
 * exchange.c - schemas, batch validation, signatures, granted fields and the
 * push schedule of the data-sharing exchange; see exchange.h. Pure: no
 * store, no network, no clock.
 */
#include "exchange/exchange.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VALUE_MAX 2000   /* bytes of one string value */
#define ROWS_MAX 2000000 /* rows of one batch */
#define ERRORS_SHOWN 4   /* line errors spelt out before "and N more" */

const char *const exchange_type_names[EXT__MAX] = {
	[EXT_STRING] = "string", [EXT_INT] = "int",   [EXT_DECIMAL] = "decimal",
	[EXT_DATE] = "date",     [EXT_BOOL] = "bool", [EXT_ENUM] = "enum",
};

static void ensure_sodium(void)
{
	if (sodium_init() < 0)
		abort();
}

bool exchange_code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ---- schemas ---- */

void exchange_schema_free(struct exchange_schema *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nfields; i++) {
		for (size_t k = 0; k < sc->fields[i].nvalues; k++)
			free(sc->fields[i].values[k]);
		free(sc->fields[i].values);
	}
	free(sc);
}

int exchange_schema_field(const struct exchange_schema *sc, const char *name)
{
	for (size_t i = 0; i < sc->nfields; i++)
		if (strcmp(sc->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool field_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > EXCHANGE_FIELD_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Field i of the schema from its JSON object f. */
static enum app_err schema_field(json_t *f, size_t i, struct exchange_schema *sc,
				 struct app_error *err)
{
	const char *name = json_string_value(json_object_get(f, "name"));
	const char *type = json_string_value(json_object_get(f, "type"));
	json_t *req = json_object_get(f, "required"), *per = json_object_get(f, "personal");
	json_t *desc = json_object_get(f, "description"), *values = json_object_get(f, "values");
	if (!json_is_object(f) || !name || !field_name_ok(name))
		return app_fail(err, APP_EINVAL,
				"field %zu needs a name of lower-case letters, digits and _ "
				"(at most %d characters)",
				i + 1, EXCHANGE_FIELD_NAME_MAX);
	if (exchange_schema_field(sc, name) >= 0)
		return app_fail(err, APP_EINVAL, "field '%s' is named twice", name);
	struct exchange_field *fd = &sc->fields[i];
	memset(fd, 0, sizeof(*fd));
	snprintf(fd->name, sizeof(fd->name), "%s", name);
	int t = -1;
	for (int k = 0; type && k < EXT__MAX; k++)
		if (strcmp(type, exchange_type_names[k]) == 0)
			t = k;
	if (t < 0)
		return app_fail(err, APP_EINVAL,
				"field '%s' needs a type: string, int, decimal, date, bool or enum",
				name);
	fd->type = (enum exchange_type)t;
	if ((req && !json_is_boolean(req)) || (per && !json_is_boolean(per)))
		return app_fail(err, APP_EINVAL, "field '%s': required and personal are true or false",
				name);
	if (!per)
		return app_fail(err, APP_EINVAL,
				"field '%s' must say whether it is personal data (\"personal\": "
				"true or false)",
				name);
	fd->required = json_is_true(req);
	fd->personal = json_is_true(per);
	if (desc && !json_is_string(desc))
		return app_fail(err, APP_EINVAL, "field '%s': the description is text", name);
	if ((fd->type == EXT_ENUM) != (values != NULL))
		return app_fail(err, APP_EINVAL,
				fd->type == EXT_ENUM ? "enum field '%s' needs its values"
						     : "field '%s' has values but is no enum",
				name);
	if (!values)
		return APP_OK;
	size_t n = json_array_size(values);
	if (!json_is_array(values) || n == 0 || n > 200)
		return app_fail(err, APP_EINVAL, "enum field '%s' needs 1 to 200 values", name);
	fd->values = calloc(n, sizeof(char *));
	if (!fd->values)
		abort();
	for (size_t k = 0; k < n; k++) {
		const char *v = json_string_value(json_array_get(values, k));
		if (!v || !*v || strlen(v) > 100)
			return app_fail(err, APP_EINVAL,
					"enum field '%s': value %zu is no text of 1 to 100 bytes", name,
					k + 1);
		if (!(fd->values[k] = strdup(v)))
			abort();
		fd->nvalues = k + 1;
	}
	return APP_OK;
}

enum app_err exchange_schema_parse(const char *json, size_t len, struct exchange_schema **out,
				   struct app_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return app_fail(err, APP_EINVAL, "the schema is not JSON: %s (line %d)", jerr.text,
				jerr.line);
	json_t *fields = json_object_get(root, "fields");
	size_t n = json_array_size(fields);
	if (!json_is_array(fields) || n == 0 || n > EXCHANGE_FIELDS_MAX) {
		json_decref(root);
		return app_fail(err, APP_EINVAL, "a schema is {\"fields\": [...]} with 1 to %d fields",
				EXCHANGE_FIELDS_MAX);
	}
	struct exchange_schema *sc = calloc(1, sizeof(*sc));
	if (!sc)
		abort();
	enum app_err rc = APP_OK;
	for (size_t i = 0; i < n && rc == APP_OK; i++) {
		rc = schema_field(json_array_get(fields, i), i, sc, err);
		sc->nfields = i + 1; /* so that free releases a half-made field too */
	}
	json_decref(root);
	if (rc != APP_OK) {
		exchange_schema_free(sc);
		return rc;
	}
	*out = sc;
	return APP_OK;
}

/* ---- batches ---- */

struct parse {
	const struct exchange_schema *sc;
	struct strbuf errors;
	size_t nerrors;
	struct exchange_rows rows;
	size_t cap;
};

static void line_error(struct parse *p, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line_error(struct parse *p, size_t line, const char *fmt, ...)
{
	if (p->nerrors++ >= ERRORS_SHOWN)
		return;
	if (p->errors.len)
		strbuf_addstr(&p->errors, "; ");
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strbuf_addf(&p->errors, "line %zu: %s", line, msg);
}

/* The value shown in an error: quoted for an ordinary field, withheld for a
 * personal one. */
static const char *shown(const struct exchange_field *f, const char *v, char *buf, size_t cap)
{
	if (f->personal)
		return "(a personal value, not shown)";
	if (!utf8_valid(v, strlen(v)))
		return "(a value that is not UTF-8)";
	char cut[64];
	utf8_copy_cut(cut, sizeof(cut), v);
	snprintf(buf, cap, "'%s'", cut);
	return buf;
}

static bool digits(const char *s, size_t min, size_t max, const char **end)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	*end = s + n;
	return n >= min && n <= max;
}

/*
 * Value text v of field f (from CSV, or a JSON string) as a typed JSON
 * value; NULL with a line error when it does not fit the type.
 */
static json_t *typed(struct parse *p, size_t line, const struct exchange_field *f, const char *v)
{
	char buf[80];
	const char *end, *s = v[0] == '-' ? v + 1 : v;
	switch (f->type) {
	case EXT_STRING:
		if (strlen(v) > VALUE_MAX || !utf8_valid(v, strlen(v)))
			break;
		return json_string(v);
	case EXT_INT:
		if (!digits(s, 1, 18, &end) || *end)
			break;
		return json_integer(strtoll(v, NULL, 10));
	case EXT_DECIMAL:
		if (!digits(s, 1, 18, &end) || (*end == '.' && (!digits(end + 1, 1, 9, &end))) || *end)
			break;
		return json_string(v);
	case EXT_DATE: {
		int day;
		if (!clock_day_parse(v, &day))
			break;
		return json_string(v);
	}
	case EXT_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			return json_true();
		if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			return json_false();
		break;
	case EXT_ENUM:
		for (size_t k = 0; k < f->nvalues; k++)
			if (strcmp(v, f->values[k]) == 0)
				return json_string(v);
		line_error(p, line, "field '%s': %s is not one of its values", f->name,
			   shown(f, v, buf, sizeof(buf)));
		return NULL;
	case EXT__MAX:
		break;
	}
	static const char *const want[EXT__MAX] = {
		[EXT_STRING] = "text of at most 2000 bytes of UTF-8",
		[EXT_INT] = "a whole number",
		[EXT_DECIMAL] = "a decimal number such as 12.50",
		[EXT_DATE] = "a date such as 2026-11-29",
		[EXT_BOOL] = "true or false",
	};
	line_error(p, line, "field '%s': %s is not %s", f->name, shown(f, v, buf, sizeof(buf)),
		   want[f->type]);
	return NULL;
}

/* The typed value of JSON value v of field f, NULL with a line error. */
static json_t *typed_json(struct parse *p, size_t line, const struct exchange_field *f, json_t *v)
{
	if (json_is_string(v) && f->type != EXT_INT && f->type != EXT_BOOL)
		return typed(p, line, f, json_string_value(v));
	if (json_is_integer(v) && f->type != EXT_STRING && f->type != EXT_DATE &&
	    f->type != EXT_BOOL) {
		char num[32];
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return typed(p, line, f, num);
	}
	if (json_is_boolean(v) && f->type == EXT_BOOL)
		return json_incref(v);
	static const char *const want[EXT__MAX] = {
		[EXT_STRING] = "a JSON string",   [EXT_INT] = "a JSON integer",
		[EXT_DECIMAL] = "a JSON string or integer", [EXT_DATE] = "a JSON string",
		[EXT_BOOL] = "true or false",    [EXT_ENUM] = "a JSON string or integer",
	};
	line_error(p, line, "field '%s' must be %s", f->name, want[f->type]);
	return NULL;
}

/* Keep row (a complete object, fields in schema order) as the next row. */
static void keep_row(struct parse *p, json_t *row)
{
	if (p->rows.n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->rows.rows = realloc(p->rows.rows, p->cap * sizeof(char *));
		if (!p->rows.rows)
			abort();
	}
	char *text = json_dumps(row, JSON_COMPACT);
	if (!text)
		abort();
	p->rows.rows[p->rows.n++] = text;
}

/* Check the values given (vals[i] for schema field i, NULL when absent) of
 * one row and keep it when all fit. */
static void check_row(struct parse *p, size_t line, json_t *const *vals, bool ok)
{
	json_t *row = json_object();
	for (size_t i = 0; i < p->sc->nfields; i++) {
		const struct exchange_field *f = &p->sc->fields[i];
		if (vals[i])
			json_object_set(row, f->name, vals[i]);
		else if (f->required && ok) {
			line_error(p, line, "field '%s' is required", f->name);
			ok = false;
		}
	}
	if (ok && p->nerrors == 0)
		keep_row(p, row);
	json_decref(row);
}

static void parse_csv(struct parse *p, const char *body, size_t len)
{
	char *buf = malloc(len + 1);
	if (!buf)
		abort();
	memcpy(buf, body, len);
	buf[len] = '\0';
	struct csv_reader r;
	csv_init(&r, buf, len);
	struct app_error cerr;
	int col[EXCHANGE_FIELDS_MAX];
	size_t ncols = 0;
	int got = csv_next(&r, &cerr);
	if (got <= 0) {
		line_error(p, 1, "%s", got < 0 ? cerr.msg : "the batch is empty: a CSV batch starts "
							    "with a header of field names");
		goto done;
	}
	ncols = r.nfields;
	if (ncols > EXCHANGE_FIELDS_MAX) {
		line_error(p, 1, "the header has %zu columns, the schema %zu fields", ncols,
			   p->sc->nfields);
		goto done;
	}
	bool seen[EXCHANGE_FIELDS_MAX] = { false };
	for (size_t c = 0; c < ncols; c++) {
		col[c] = exchange_schema_field(p->sc, r.fields[c]);
		if (col[c] < 0) {
			char cut[64] = "(not UTF-8)";
			if (utf8_valid(r.fields[c], strlen(r.fields[c])))
				utf8_copy_cut(cut, sizeof(cut), r.fields[c]);
			line_error(p, 1, "the header names '%s', which is no field of the dataset", cut);
		} else if (seen[col[c]]) {
			line_error(p, 1, "the header names '%s' twice", r.fields[c]);
		} else {
			seen[col[c]] = true;
		}
	}
	for (size_t i = 0; i < p->sc->nfields; i++)
		if (p->sc->fields[i].required && !seen[i])
			line_error(p, 1, "the header lacks the required field '%s'",
				   p->sc->fields[i].name);
	if (p->nerrors)
		goto done;
	while ((got = csv_next(&r, &cerr)) > 0) {
		size_t line = r.record_line;
		if (p->rows.n + p->nerrors >= ROWS_MAX) {
			line_error(p, line, "a batch holds at most %d rows", ROWS_MAX);
			break;
		}
		if (r.nfields != ncols) {
			line_error(p, line, "%zu values, the header has %zu columns", r.nfields, ncols);
			continue;
		}
		json_t *vals[EXCHANGE_FIELDS_MAX] = { NULL };
		bool ok = true;
		for (size_t c = 0; c < ncols; c++) {
			if (!r.fields[c][0])
				continue;
			const struct exchange_field *f = &p->sc->fields[col[c]];
			if (!(vals[col[c]] = typed(p, line, f, r.fields[c])))
				ok = false;
		}
		check_row(p, line, vals, ok);
		for (size_t i = 0; i < p->sc->nfields; i++)
			json_decref(vals[i]);
	}
	if (got < 0)
		line_error(p, r.line, "%s", cerr.msg);
	else if (p->rows.n == 0 && p->nerrors == 0)
		line_error(p, 2, "the batch is empty: a header and no rows");
done:
	csv_release(&r);
	free(buf);
}

static void parse_jsonl(struct parse *p, const char *body, size_t len)
{
	size_t line = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(body + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - body) : len, n = end - at;
		const char *s = body + at;
		at = end + 1;
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (p->rows.n + p->nerrors >= ROWS_MAX) {
			line_error(p, line, "a batch holds at most %d rows", ROWS_MAX);
			break;
		}
		json_error_t jerr;
		json_t *obj = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(obj)) {
			line_error(p, line, "not a JSON object");
			json_decref(obj);
			continue;
		}
		json_t *vals[EXCHANGE_FIELDS_MAX] = { NULL };
		bool ok = true;
		const char *key;
		json_t *v;
		json_object_foreach(obj, key, v) {
			int i = exchange_schema_field(p->sc, key);
			if (i < 0) {
				char cut[64];
				utf8_copy_cut(cut, sizeof(cut), key);
				line_error(p, line, "'%s' is no field of the dataset", cut);
				ok = false;
			} else if (!json_is_null(v) && !(vals[i] = typed_json(p, line, &p->sc->fields[i], v))) {
				ok = false;
			}
		}
		check_row(p, line, vals, ok);
		for (size_t i = 0; i < p->sc->nfields; i++)
			json_decref(vals[i]);
		json_decref(obj);
	}
	if (p->rows.n == 0 && p->nerrors == 0)
		line_error(p, 1, "the batch is empty: JSON lines hold an object a line");
}

void exchange_rows_release(struct exchange_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->rows[i]);
	free(r->rows);
	r->rows = NULL;
	r->n = 0;
}

enum app_err exchange_batch_parse(const struct exchange_schema *sc, enum exchange_format format,
				  const char *body, size_t len, struct exchange_rows *out,
				  struct app_error *err)
{
	struct parse p = { .sc = sc };
	strbuf_init(&p.errors, 256);
	if (format == EXCHANGE_CSV)
		parse_csv(&p, body, len);
	else
		parse_jsonl(&p, body, len);
	enum app_err rc = APP_OK;
	if (p.nerrors) {
		if (p.nerrors > ERRORS_SHOWN)
			strbuf_addf(&p.errors, "; and %zu more", p.nerrors - ERRORS_SHOWN);
		rc = app_fail(err, APP_EINVAL, "the batch breaks the dataset's schema, nothing was "
					      "stored: %s",
			      p.errors.buf);
		exchange_rows_release(&p.rows);
	} else {
		*out = p.rows;
	}
	strbuf_release(&p.errors);
	return rc;
}

/* ---- signatures ---- */

void exchange_sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	ensure_sodium();
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void exchange_batch_signed_bytes(struct strbuf *out, const char *member, const char *dataset,
				 const char *batch_id, const char *sha256_hex)
{
	strbuf_addf(out, "bianmin-exchange-batch-v1\nmember=%s\ndataset=%s\nbatch=%s\nsha256=%s\n",
		    member, dataset, batch_id, sha256_hex);
}

void exchange_push_signed_bytes(struct strbuf *out, int64_t subscription, int64_t upto,
				const char *sha256_hex)
{
	strbuf_addf(out, "bianmin-exchange-push-v1\nsubscription=%lld\nupto=%lld\nsha256=%s\n",
		    (long long)subscription, (long long)upto, sha256_hex);
}

#define B64 sodium_base64_VARIANT_ORIGINAL

/* Decode base64 text into exactly n bytes. */
static bool from_b64(const char *text, uint8_t *out, size_t n)
{
	size_t got = 0;
	ensure_sodium();
	return text && sodium_base642bin(out, n, text, strlen(text), NULL, &got, NULL, B64) == 0 &&
	       got == n;
}

void exchange_keypair(char *pk, size_t pk_cap, char *sk, size_t sk_cap)
{
	uint8_t p[crypto_sign_PUBLICKEYBYTES], s[crypto_sign_SECRETKEYBYTES];
	ensure_sodium();
	crypto_sign_keypair(p, s);
	sodium_bin2base64(pk, pk_cap, p, sizeof(p), B64);
	sodium_bin2base64(sk, sk_cap, s, sizeof(s), B64);
	sodium_memzero(s, sizeof(s));
}

enum app_err exchange_public_of(const char *sk, char *pk, size_t pk_cap, struct app_error *err)
{
	uint8_t s[crypto_sign_SECRETKEYBYTES], p[crypto_sign_PUBLICKEYBYTES];
	if (!from_b64(sk, s, sizeof(s)))
		return app_fail(err, APP_EINVAL, "that is no Ed25519 secret key in base64");
	crypto_sign_ed25519_sk_to_pk(p, s);
	sodium_memzero(s, sizeof(s));
	sodium_bin2base64(pk, pk_cap, p, sizeof(p), B64);
	return APP_OK;
}

enum app_err exchange_sign(const char *sk, const void *msg, size_t len, char *sig, size_t cap,
			   struct app_error *err)
{
	uint8_t s[crypto_sign_SECRETKEYBYTES], g[crypto_sign_BYTES];
	if (!from_b64(sk, s, sizeof(s)))
		return app_fail(err, APP_EINVAL, "that is no Ed25519 secret key in base64");
	crypto_sign_detached(g, NULL, msg, len, s);
	sodium_memzero(s, sizeof(s));
	sodium_bin2base64(sig, cap, g, sizeof(g), B64);
	return APP_OK;
}

bool exchange_verify(const char *pk, const void *msg, size_t len, const char *sig)
{
	uint8_t p[crypto_sign_PUBLICKEYBYTES], g[crypto_sign_BYTES];
	return from_b64(pk, p, sizeof(p)) && from_b64(sig, g, sizeof(g)) &&
	       crypto_sign_verify_detached(g, msg, len, p) == 0;
}

enum app_err exchange_secret_write(const char *path, const char *sk, struct app_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return app_fail(err, errno == EEXIST ? APP_ECONFLICT : APP_EIO,
				"cannot write the secret key to '%s': %s", path, strerror(errno));
	char line[EXCHANGE_SECRET_TEXT + 2];
	int n = snprintf(line, sizeof(line), "%s\n", sk);
	bool ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	int e = errno;
	sodium_memzero(line, sizeof(line));
	if (close(fd) != 0)
		ok = false;
	if (!ok) {
		unlink(path);
		return app_fail(err, APP_EIO, "cannot write the secret key to '%s': %s", path,
				strerror(e));
	}
	return APP_OK;
}

enum app_err exchange_secret_read(const char *path, char *sk, size_t cap, struct app_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return app_fail(err, errno == ENOENT ? APP_ENOTFOUND : APP_EIO,
				"cannot read the secret key '%s': %s", path, strerror(errno));
	char line[EXCHANGE_SECRET_TEXT + 2] = "";
	bool got = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	uint8_t s[crypto_sign_SECRETKEYBYTES];
	bool ok = got && strlen(line) < cap && from_b64(line, s, sizeof(s));
	sodium_memzero(s, sizeof(s));
	if (ok)
		snprintf(sk, cap, "%s", line);
	sodium_memzero(line, sizeof(line));
	return ok ? APP_OK
		  : app_fail(err, APP_EINVAL, "'%s' holds no Ed25519 secret key in base64", path);
}

/* ---- subscriptions ---- */

/* The next name of list "a,b,c" at *pos into name (cap bytes); false at the end. */
static bool next_name(const char **pos, char *name, size_t cap)
{
	const char *s = *pos;
	if (!*s)
		return false;
	size_t n = strcspn(s, ",");
	snprintf(name, cap, "%.*s", (int)(n < cap ? n : cap - 1), s);
	if (n >= cap)
		name[0] = '\0'; /* too long to be a field: no match */
	*pos = s[n] ? s + n + 1 : s + n;
	return true;
}

enum app_err exchange_fields_check(const struct exchange_schema *sc, const char *fields,
				   struct app_error *err)
{
	bool seen[EXCHANGE_FIELDS_MAX] = { false };
	char name[EXCHANGE_FIELD_NAME_MAX + 2];
	int n = 0;
	for (const char *pos = fields ? fields : ""; next_name(&pos, name, sizeof(name)); n++) {
		int i = exchange_schema_field(sc, name);
		if (i < 0)
			return app_fail_field(err, APP_EINVAL, "fields",
					      "'%s' is no field of the dataset", name);
		if (seen[i])
			return app_fail_field(err, APP_EINVAL, "fields", "'%s' is named twice", name);
		seen[i] = true;
	}
	if (n == 0)
		return app_fail_field(err, APP_EINVAL, "fields",
				      "a subscription grants one field or more, e.g. "
				      "id_number,grade");
	return APP_OK;
}

bool exchange_field_granted(const char *fields, const char *name)
{
	char one[EXCHANGE_FIELD_NAME_MAX + 2];
	for (const char *pos = fields; next_name(&pos, one, sizeof(one));)
		if (strcmp(one, name) == 0)
			return true;
	return false;
}

enum app_err exchange_project(const char *row, const char *fields, struct strbuf *out,
			      struct app_error *err)
{
	json_t *obj = json_loads(row, 0, NULL);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return app_fail(err, APP_EINVAL, "a stored row is no JSON object");
	}
	json_t *kept = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (exchange_field_granted(fields, key))
			json_object_set(kept, key, v);
	}
	char *text = json_dumps(kept, JSON_COMPACT);
	if (!text)
		abort();
	strbuf_addstr(out, text);
	free(text);
	json_decref(kept);
	json_decref(obj);
	return APP_OK;
}

/* ---- schedule ---- */

int64_t exchange_next_push(int day, int minute, int64_t after)
{
	int today = clock_china_day(after, NULL);
	int month = today / 100; /* yyyymm */
	for (int k = 0; k < 3; k++) {
		int64_t t = clock_china_time(month * 100 + day, minute);
		if (t > after)
			return t;
		month = month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
	}
	return after + 31 * 86400; /* not reached for day 1..28 */
}

int64_t exchange_backoff(int n)
{
	static const int64_t steps[] = { 60, 300, 1800, 7200, 21600, 86400 };
	int max = (int)(sizeof(steps) / sizeof(steps[0]));
	return steps[n < 1 ? 0 : (n > max ? max - 1 : n - 1)];
}
