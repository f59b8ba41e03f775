/*
 * err.c - names of error codes and the helpers that fill struct app_error.
 */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

static const char *const err_names[APP_ERR__MAX] = {
	[APP_OK] = "ok",
	[APP_EINVAL] = "invalid",
	[APP_ENOTFOUND] = "not_found",
	[APP_ECONFLICT] = "conflict",
	[APP_EPERM] = "forbidden",
	[APP_EAUTH] = "unauthenticated",
	[APP_ETOOBIG] = "too_large",
	[APP_EMEDIA] = "unsupported_media_type",
	[APP_EMETHOD] = "method_not_allowed",
	[APP_ETHROTTLED] = "too_many_requests",
	[APP_EDB] = "database_error",
	[APP_EIO] = "io_error",
	[APP_EUNAVAIL] = "unavailable",
	[APP_EINTERNAL] = "internal",
};

const char *app_err_name(enum app_err code)
{
	if ((unsigned)code >= APP_ERR__MAX)
		return "internal";
	return err_names[code];
}

/* Drop an incomplete UTF-8 sequence left at the end of s by truncation. */
static void trim_partial_utf8(char *s)
{
	size_t n = strlen(s), back = 0;
	while (back < 4 && back < n && ((unsigned char)s[n - 1 - back] & 0xC0) == 0x80)
		back++;
	if (back == n)
		return;
	unsigned char lead = (unsigned char)s[n - 1 - back];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (want > back + 1)
		s[n - 1 - back] = '\0';
}

enum app_err app_failv(struct app_error *e, enum app_err code, const char *field,
		       const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (n >= (int)sizeof(e->msg))
		trim_partial_utf8(e->msg);
	return code;
}

enum app_err app_fail(struct app_error *e, enum app_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	app_failv(e, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

enum app_err app_fail_field(struct app_error *e, enum app_err code, const char *field,
			    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	app_failv(e, code, field, fmt, ap);
	va_end(ap);
	return code;
}

void app_error_clear(struct app_error *e)
{
	if (!e)
		return;
	e->code = APP_OK;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}
