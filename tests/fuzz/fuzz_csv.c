/*
 * fuzz_csv.c - the CSV reader (core/csv.h) on arbitrary bytes.
 *
 * Checks that csv_next() never reads or writes outside its buffer, that every
 * field is a NUL-terminated string inside the buffer, that record lines only
 * grow and never pass the input's line count, and that a file read without
 * error reads back the same records once written out again with every field
 * quoted (so quoting, doubled quotes and line ends are undone correctly).
 */
#include "fuzz.h"

#include "core/csv.h"
#include "core/mem.h"

#include <string.h>

struct records {
	char **fields; /* copies, in order */
	size_t *counts; /* fields per record */
	size_t nfields, nrecords;
};

static void records_release(struct records *rs)
{
	for (size_t i = 0; i < rs->nfields; i++)
		free(rs->fields[i]);
	free(rs->fields);
	free(rs->counts);
	memset(rs, 0, sizeof(*rs));
}

/*
 * Read buf[0..len) (buf has room for len + 1 bytes, as csv.h asks) into rs,
 * checking the reader's invariants on the way. Returns csv_next()'s last
 * result: 0 at a clean end, -1 on malformed input.
 */
static int read_all(char *buf, size_t len, struct records *rs)
{
	/* LF, CRLF and a lone CR each end a line */
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));

	struct csv_reader r;
	struct app_error err;
	csv_init(&r, buf, len);
	size_t last_line = 0;
	int got;
	while ((got = csv_next(&r, &err)) > 0) {
		FUZZ_CHECK(r.nfields >= 1 && r.fields != NULL);
		FUZZ_CHECK(r.record_line > last_line);
		FUZZ_CHECK(r.record_line <= lines);
		FUZZ_CHECK(r.line > r.record_line);
		FUZZ_CHECK(r.pos <= r.end);
		last_line = r.record_line;
		rs->fields = xrealloc(rs->fields, (rs->nfields + r.nfields) * sizeof(*rs->fields));
		rs->counts = xrealloc(rs->counts, (rs->nrecords + 1) * sizeof(*rs->counts));
		for (size_t i = 0; i < r.nfields; i++) {
			const char *f = r.fields[i];
			FUZZ_CHECK(f != NULL);
			FUZZ_CHECK(f >= buf && f <= buf + len);
			size_t n = strnlen(f, (size_t)(buf + len - f) + 1);
			FUZZ_CHECK(f + n <= buf + len); /* terminated inside buf[0..len] */
			rs->fields[rs->nfields++] = xstrndup(f, n);
		}
		rs->counts[rs->nrecords++] = r.nfields;
	}
	if (got < 0) {
		FUZZ_CHECK(err.code == APP_EINVAL);
		FUZZ_CHECK(strncmp(err.msg, "line ", 5) == 0);
	}
	csv_release(&r);
	return got;
}

/* Write rs back as CSV with every field quoted; caller frees. */
static char *write_all(const struct records *rs, size_t *len)
{
	size_t cap = 1;
	for (size_t i = 0; i < rs->nfields; i++)
		cap += 2 * strlen(rs->fields[i]) + 3;
	cap += rs->nrecords;
	char *out = xmalloc(cap), *p = out;
	size_t k = 0;
	for (size_t rec = 0; rec < rs->nrecords; rec++) {
		for (size_t i = 0; i < rs->counts[rec]; i++, k++) {
			if (i)
				*p++ = ',';
			*p++ = '"';
			for (const char *s = rs->fields[k]; *s; s++) {
				if (*s == '"')
					*p++ = '"';
				*p++ = *s;
			}
			*p++ = '"';
		}
		*p++ = '\n';
	}
	*len = (size_t)(p - out);
	FUZZ_CHECK(*len < cap);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	struct records first = { 0 };
	int got = read_all(buf, size, &first);
	free(buf);

	if (got == 0) {
		size_t len;
		char *again = write_all(&first, &len);
		struct records second = { 0 };
		FUZZ_CHECK(read_all(again, len, &second) == 0);
		FUZZ_CHECK(second.nrecords == first.nrecords);
		for (size_t i = 0; i < first.nrecords; i++)
			FUZZ_CHECK(second.counts[i] == first.counts[i]);
		for (size_t i = 0; i < first.nfields; i++)
			FUZZ_CHECK(strcmp(second.fields[i], first.fields[i]) == 0);
		records_release(&second);
		free(again);
	}
	records_release(&first);
	return 0;
}
