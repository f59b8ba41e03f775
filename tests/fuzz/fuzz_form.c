/*
 * fuzz_form.c - form bodies (core/form.h) on arbitrary bytes.
 *
 * form_parse() must agree with a reference that restates the format the
 * slow way (split on '&', then '=', decode with strtol): it accepts exactly
 * the bodies whose pairs all have a name, decode (every '%' followed by two
 * hex digits) to UTF-8 without NUL, name distinct fields, and number at
 * most FORM_FIELDS_MAX; then it gives the same fields in the same order,
 * and form_get() finds each. A refusal leaves the output untouched and
 * says why in valid UTF-8. A parsed form, written out again with every
 * byte escaped, parses back to the same fields.
 */
#include "fuzz.h"

#include "core/form.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

struct ref_field {
	struct strbuf name, value;
};

/* Decode s[0..n) into out the slow way; false at a bad escape or NUL. */
static bool ref_decode(const char *s, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3 || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return false;
			char hex[3] = { s[i + 1], s[i + 2], '\0' };
			strbuf_addch(out, (char)strtol(hex, NULL, 16));
			i += 2;
		} else {
			strbuf_addch(out, s[i] == '+' ? ' ' : s[i]);
		}
	}
	return utf8_valid(out->buf, out->len); /* refuses NUL too */
}

/* The fields of body by the reference into f (at most cap + 1 of them);
 * false when it must be refused. *n counts the fields made. */
static bool reference(const char *body, size_t len, struct ref_field *f, int cap, int *n)
{
	*n = 0;
	size_t start = 0;
	while (start < len) {
		size_t end = start;
		while (end < len && body[end] != '&')
			end++;
		if (end > start) {
			if (*n == cap)
				return false;
			size_t eq = start;
			while (eq < end && body[eq] != '=')
				eq++;
			struct ref_field *r = &f[(*n)++];
			if (eq == start || !ref_decode(body + start, eq - start, &r->name) ||
			    (eq < end && !ref_decode(body + eq + 1, end - eq - 1, &r->value)))
				return false;
			for (int k = 0; k < *n - 1; k++)
				if (strcmp(f[k].name.buf, r->name.buf) == 0)
					return false;
		}
		start = end + 1;
	}
	return true;
}

/* form f written out with every byte of every name and value escaped */
static void encode(const struct form *f, struct strbuf *out)
{
	for (int i = 0; i < f->n; i++) {
		if (i)
			strbuf_addch(out, '&');
		for (const char *p = f->fields[i].name; *p; p++)
			strbuf_addf(out, "%%%02X", (unsigned char)*p);
		strbuf_addch(out, '=');
		for (const char *p = f->fields[i].value; *p; p++)
			strbuf_addf(out, "%%%02x", (unsigned char)*p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct ref_field ref[FORM_FIELDS_MAX + 1];
	for (int i = 0; i <= FORM_FIELDS_MAX; i++) {
		strbuf_init(&ref[i].name, 0);
		strbuf_init(&ref[i].value, 0);
	}
	int nref;
	bool want = reference(body, size, ref, FORM_FIELDS_MAX, &nref);

	struct arena a;
	arena_init(&a);
	struct form f = { -1, NULL }, untouched = f;
	struct app_error err;
	enum app_err rc = form_parse(body, size, &a, &f, &err);
	FUZZ_CHECK((rc == APP_OK) == want);
	if (rc != APP_OK) {
		FUZZ_CHECK(rc == APP_EINVAL && err.code == APP_EINVAL);
		FUZZ_CHECK(f.n == untouched.n && f.fields == untouched.fields);
		FUZZ_CHECK(err.msg[0] && utf8_valid(err.msg, strlen(err.msg)));
	} else {
		FUZZ_CHECK(f.n == nref && f.n <= FORM_FIELDS_MAX);
		for (int i = 0; i < f.n; i++) {
			FUZZ_CHECK(strcmp(f.fields[i].name, ref[i].name.buf) == 0);
			FUZZ_CHECK(strcmp(f.fields[i].value, ref[i].value.buf) == 0);
			FUZZ_CHECK(form_get(&f, f.fields[i].name) == f.fields[i].value);
		}
		struct strbuf again = STRBUF_INIT;
		encode(&f, &again);
		struct form g;
		FUZZ_CHECK(form_parse(again.buf, again.len, &a, &g, &err) == APP_OK);
		FUZZ_CHECK(g.n == f.n);
		for (int i = 0; i < g.n; i++) {
			FUZZ_CHECK(strcmp(g.fields[i].name, f.fields[i].name) == 0);
			FUZZ_CHECK(strcmp(g.fields[i].value, f.fields[i].value) == 0);
		}
		strbuf_release(&again);
	}
	arena_release(&a);
	for (int i = 0; i <= FORM_FIELDS_MAX; i++) {
		strbuf_release(&ref[i].name);
		strbuf_release(&ref[i].value);
	}
	return 0;
}
