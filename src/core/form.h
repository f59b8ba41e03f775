/*
 * form.h - bodies of type application/x-www-form-urlencoded (what HTML
 * forms and Open311 clients POST), parsed strictly.
 *
 * A body is name=value pairs joined by '&'; '+' stands for a space and %HH
 * for the byte HH. The parse refuses, naming the pair at fault: a '%' not
 * followed by two hex digits; a pair with no name; a name or value that
 * does not decode to UTF-8 (NUL included, which would cut the text short);
 * a name given twice (a form is a set of fields, as a JSON object is);
 * more than FORM_FIELDS_MAX pairs. Empty pairs (between "&&", or after a
 * last '&') are skipped; a pair without '=' has the value "".
 *
 * Nothing is half-parsed: on a refusal the output is left as it was.
 */
#ifndef CORE_FORM_H
#define CORE_FORM_H

#include "core/err.h"
#include "core/mem.h"

#include <stddef.h>

#define FORM_FIELDS_MAX 64

struct form_field {
	const char *name;  /* decoded, NUL-terminated UTF-8 */
	const char *value; /* decoded, NUL-terminated UTF-8 */
};

struct form {
	int n;
	struct form_field *fields; /* in the order of the body */
};

/*
 * Parse body[0..len) (need not be NUL-terminated) into *out, taking the
 * memory from a (it lives until arena_release). APP_EINVAL says what is
 * wrong and with which pair (1-based), the name quoted when it decodes.
 */
enum app_err form_parse(const char *body, size_t len, struct arena *a, struct form *out,
			struct app_error *err);

/* The value of field name, NULL when f has none (f may be empty). */
const char *form_get(const struct form *f, const char *name);

#endif
