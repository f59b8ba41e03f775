/*
 * csv.c - in-place RFC 4180 parsing and (gzip-transparent) file loading.
 */
#include "core/csv.h"
#include "core/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void csv_init(struct csv_reader *r, char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->pos = buf;
	r->end = buf + len;
	r->line = 1;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos += 3;
}

void csv_release(struct csv_reader *r)
{
	free(r->fields);
	r->fields = NULL;
	r->nfields = r->cap = 0;
}

static void push_field(struct csv_reader *r, char *start)
{
	if (r->nfields == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->fields = xrealloc(r->fields, r->cap * sizeof(*r->fields));
	}
	r->fields[r->nfields++] = start;
}

int csv_next(struct csv_reader *r, struct app_error *err)
{
	/* skip blank lines */
	while (r->pos < r->end && (*r->pos == '\n' || *r->pos == '\r')) {
		if (*r->pos == '\n')
			r->line++;
		r->pos++;
	}
	if (r->pos >= r->end)
		return 0;
	r->nfields = 0;
	r->record_line = r->line;
	for (;;) {
		char *out = r->pos, *start = r->pos;
		if (r->pos < r->end && *r->pos == '"') {
			r->pos++;
			for (;;) {
				if (r->pos >= r->end)
					return app_fail(err, APP_EINVAL,
							"line %zu: quoted field is never closed",
							r->record_line), -1;
				char c = *r->pos++;
				if (c == '"') {
					if (r->pos < r->end && *r->pos == '"') {
						*out++ = '"';
						r->pos++;
						continue;
					}
					break;
				}
				if (c == '\n')
					r->line++;
				*out++ = c;
			}
			if (r->pos < r->end && *r->pos != ',' && *r->pos != '\n' && *r->pos != '\r')
				return app_fail(err, APP_EINVAL,
						"line %zu: unexpected character after a closing quote",
						r->line), -1;
		} else {
			while (r->pos < r->end && *r->pos != ',' && *r->pos != '\n' &&
			       *r->pos != '\r') {
				if (*r->pos == '"')
					return app_fail(err, APP_EINVAL,
							"line %zu: quote inside an unquoted field",
							r->line), -1;
				r->pos++;
			}
			out = r->pos;
		}
		char sep = r->pos < r->end ? *r->pos : '\n';
		*out = '\0'; /* may overwrite sep, which is saved */
		push_field(r, start);
		if (r->pos < r->end)
			r->pos++;
		if (sep == ',')
			continue;
		if (sep == '\r' && r->pos < r->end && *r->pos == '\n')
			r->pos++;
		r->line++;
		return 1;
	}
}

enum app_err csv_load(const char *path, size_t max, char **out, size_t *len,
		      struct app_error *err)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		return app_fail(err, APP_EIO, "cannot open '%s': %s", path,
				errno ? strerror(errno) : "out of memory");
	gzbuffer(gz, 1 << 17);
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				gzclose(gz);
				return app_fail(err, APP_ETOOBIG, "'%s' is larger than %zu bytes", path,
						max);
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		int got = gzread(gz, buf + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
		if (got < 0) {
			int zerr;
			const char *msg = gzerror(gz, &zerr);
			enum app_err e = app_fail(err, APP_EIO, "cannot read '%s': %s", path,
						  zerr == Z_ERRNO ? strerror(errno) : msg);
			free(buf);
			gzclose(gz);
			return e;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	/* A compressed file cut short reads as if complete; only gzclose()
	 * tells (Z_BUF_ERROR). Importing part of a file must not pass silently. */
	if (gzclose(gz) == Z_BUF_ERROR) {
		free(buf);
		return app_fail(err, APP_EIO, "cannot read '%s': the compressed data ends early "
				"(is the file truncated?)", path);
	}
	if (n > max) {
		free(buf);
		return app_fail(err, APP_ETOOBIG, "'%s' is larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return APP_OK;
}
