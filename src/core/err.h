/*
 * err.h - the error vocabulary every module speaks.
 *
 * Functions that can fail return enum app_err and, when given one, fill a
 * struct app_error with a plain-language message (and optionally the name of
 * the input field at fault). Callers decide what to do with the code; only
 * src/http maps codes to HTTP statuses and only src/cli maps them to exit
 * codes. Nothing here allocates.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stdarg.h>

enum app_err {
	APP_OK = 0,
	APP_EINVAL,      /* the caller's input is wrong */
	APP_ENOTFOUND,   /* no such object (or not visible to the caller) */
	APP_ECONFLICT,   /* state conflict: duplicate, stale version */
	APP_EPERM,       /* authenticated but not allowed */
	APP_EAUTH,       /* not authenticated */
	APP_ETOOBIG,     /* input over a size limit */
	APP_EMEDIA,      /* unsupported content type */
	APP_EMETHOD,     /* method not allowed on this resource */
	APP_ETHROTTLED,  /* too many attempts; try again later */
	APP_EDB,         /* the database failed */
	APP_EIO,         /* a file or socket failed */
	APP_EUNAVAIL,    /* a dependency is down; try again later */
	APP_EINTERNAL,   /* a bug */
	APP_ERR__MAX
};

struct app_error {
	enum app_err code;
	char field[64];  /* offending input field, "" when not about one */
	char msg[512];   /* lower-case, names what failed and why */
};

/* Stable machine name of a code, e.g. "invalid", "not_found". */
const char *app_err_name(enum app_err code);

/*
 * Record an error in e (which may be NULL) and return code, so that a caller
 * can write `return app_fail(err, APP_EINVAL, "bad code '%s'", c);`.
 */
enum app_err app_fail(struct app_error *e, enum app_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As app_fail, naming the input field at fault. */
enum app_err app_fail_field(struct app_error *e, enum app_err code, const char *field,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* As app_fail_field with a va_list. Messages cut at the buffer's end are cut
 * at a character boundary, so a message is valid UTF-8 when its parts are. */
enum app_err app_failv(struct app_error *e, enum app_err code, const char *field,
		       const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Reset e to "no error". */
void app_error_clear(struct app_error *e);

#endif
