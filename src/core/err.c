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

static enum app_err fail_v(struct app_error *e, enum app_err code, const char *field,
			   const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return code;
}

enum app_err app_fail(struct app_error *e, enum app_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(e, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

enum app_err app_fail_field(struct app_error *e, enum app_err code, const char *field,
			    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(e, code, field, fmt, ap);
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
