/*
 * form.c - parsing application/x-www-form-urlencoded bodies; see form.h.
 * Two passes: the first counts the pairs (so that a body of too many is
 * refused before anything is decoded), the second decodes each pair into
 * the arena and checks it. *out is written only at the very end.
 */
#include "core/form.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) into out (room for n + 1 bytes, NUL-terminated on
 * success): '+' is a space, %HH the byte HH. False at a bad escape. */
static bool decode(const char *s, size_t n, char *out, size_t *len)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return false;
			out[w++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[w++] = c == '+' ? ' ' : (char)c;
		}
	}
	out[w] = '\0';
	*len = w;
	return true;
}

/* The decoded text of s[0..n) from the arena, checked: NULL with err set
 * (what names the part, e.g. "the name of pair 3") when it does not decode
 * or is not UTF-8. */
static const char *decoded(struct arena *a, const char *s, size_t n, const char *what,
			   struct app_error *err)
{
	char *out = arena_alloc(a, n + 1);
	size_t len;
	if (!decode(s, n, out, &len)) {
		app_fail(err, APP_EINVAL, "%s has a '%%' that is not followed by two hex digits",
			 what);
		return NULL;
	}
	if (!utf8_valid(out, len)) {
		app_fail(err, APP_EINVAL, "%s is not valid UTF-8 text", what);
		return NULL;
	}
	return out;
}

enum app_err form_parse(const char *body, size_t len, struct arena *a, struct form *out,
			struct app_error *err)
{
	const char *end = body + len;
	int count = 0;
	for (const char *p = body; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		count += amp > p;
		if (amp == end)
			break;
		p = amp + 1;
	}
	if (count > FORM_FIELDS_MAX)
		return app_fail(err, APP_EINVAL, "the form has more than %d fields", FORM_FIELDS_MAX);

	struct form_field *fields = count ? arena_alloc(a, (size_t)count * sizeof(*fields)) : NULL;
	int n = 0, pair = 0;
	for (const char *p = body; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		pair++;
		if (amp > p) {
			const char *eq = memchr(p, '=', (size_t)(amp - p));
			const char *name_end = eq ? eq : amp;
			char what[64];
			if (name_end == p)
				return app_fail(err, APP_EINVAL, "pair %d of the form has no name", pair);
			snprintf(what, sizeof(what), "the name of pair %d of the form", pair);
			const char *name = decoded(a, p, (size_t)(name_end - p), what, err);
			if (!name)
				return APP_EINVAL;
			char quoted[48];
			utf8_copy_cut(quoted, sizeof(quoted), name);
			snprintf(what, sizeof(what), "field '%s'", quoted);
			const char *value = eq ? decoded(a, eq + 1, (size_t)(amp - eq - 1), what, err)
					       : "";
			if (!value)
				return APP_EINVAL;
			for (int i = 0; i < n; i++)
				if (strcmp(fields[i].name, name) == 0)
					return app_fail(err, APP_EINVAL, "%s is given twice", what);
			fields[n].name = name;
			fields[n].value = value;
			n++;
		}
		if (amp == end)
			break;
		p = amp + 1;
	}
	out->n = n;
	out->fields = fields;
	return APP_OK;
}

const char *form_get(const struct form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}
