/*
 * strbuf.h - a growable byte string.
 *
 * Invariants: buf is never NULL and buf[len] == '\0' at all times, so buf can
 * be passed wherever a C string is expected (it may still hold NUL bytes
 * inside). alloc is the allocated size; alloc == 0 means buf points at a
 * shared empty string and must not be written or freed.
 */
#ifndef CORE_STRBUF_H
#define CORE_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { .buf = strbuf_empty, .len = 0, .alloc = 0 }
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the buffer and return sb to the empty state. */
void strbuf_release(struct strbuf *sb);
/* Keep the allocation, forget the contents. */
void strbuf_reset(struct strbuf *sb);
/* Make room for at least extra more bytes. */
void strbuf_grow(struct strbuf *sb, size_t extra);
/* Hand the buffer to the caller (who frees it); sb becomes empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* Take over buf (malloc'd, NUL at buf[len], alloc bytes), replacing sb's contents. */
void strbuf_attach(struct strbuf *sb, char *buf, size_t len, size_t alloc);

void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s (UTF-8, NUL-terminated) as a quoted JSON string, escaped byte for
 * byte as jansson's json_dumps escapes it without JSON_ENSURE_ASCII: \" \\
 * \b \f \n \r \t, other bytes below 0x20 as \u00XX, the rest as they are.
 * For hot paths that write JSON without building a tree. */
void strbuf_add_json_string(struct strbuf *sb, const char *s);

#endif
