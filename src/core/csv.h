/*
 * csv.h - an RFC 4180 CSV reader for imports.
 *
 * The reader works on a buffer the caller owns and rewrites it in place (quote
 * unescaping), so fields point into it and stay valid until the buffer is
 * freed. Quoted fields may span lines; both LF and CRLF end records; a UTF-8
 * byte-order mark at the start is skipped. Errors name the line. csv_load()
 * reads a file, plain or gzip-compressed, into such a buffer.
 */
#ifndef CORE_CSV_H
#define CORE_CSV_H

#include "core/err.h"

#include <stddef.h>

struct csv_reader {
	char *pos, *end;
	size_t line;       /* line where the next record starts */
	char **fields;     /* fields of the last record */
	size_t nfields, cap;
	size_t record_line; /* line where the last record started */
};

/*
 * Start reading buf[0..len); buf must stay alive and writable, including
 * buf[len]: a field that ends at the very end of the data is NUL-terminated
 * there. csv_load() returns buffers with that byte.
 */
void csv_init(struct csv_reader *r, char *buf, size_t len);
void csv_release(struct csv_reader *r);

/*
 * Read the next record into r->fields / r->nfields. Returns 1 for a record,
 * 0 at the end, -1 on malformed input (err says which line and why). Empty
 * lines are skipped.
 */
int csv_next(struct csv_reader *r, struct app_error *err);

/*
 * Read the whole file at path (gzip or plain) into a NUL-terminated buffer
 * that the caller frees. Fails with APP_ETOOBIG beyond max bytes of content.
 */
enum app_err csv_load(const char *path, size_t max, char **out, size_t *len,
		      struct app_error *err);

#endif
