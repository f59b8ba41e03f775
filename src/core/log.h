/*
 * log.h - structured logging: one line per event, key=value fields.
 *
 * Every line carries a UTC timestamp, the level, the request id of the current
 * thread (or "-") and an event name, then the caller's fields. Lines are
 * written with a single write(2) so that threads never interleave.
 * Callers must never pass secrets or personal data (passwords, tokens, ID
 * numbers, phone numbers) as fields.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };

/* Parse "debug", "info", "warn" or "error"; returns false on anything else. */
bool log_level_parse(const char *s, enum log_level *out);
void log_set_level(enum log_level level);
/* Write to fd instead of stderr (tests, benchmarks). */
void log_set_fd(int fd);

/* Set (or clear with NULL) the request id stamped on this thread's lines. */
void log_set_request_id(const char *rid);

/*
 * Copy untrusted text (a request path, a file name) into out for use inside
 * a quoted field: '"', '\\' and control characters become \xHH, so that no
 * input can forge a field or a line. Cuts at cap - 1 bytes.
 */
void log_quote(char *out, size_t cap, const char *in);

/* Emit one line; fmt formats the key=value fields after "event=". */
void log_emit(enum log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(ev, ...) log_emit(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...) log_emit(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_emit(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_emit(LOG_ERROR, ev, __VA_ARGS__)

#endif
