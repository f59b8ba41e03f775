/*
 * fuzz_exchange.c - the exchange's batch validator (exchange/exchange.h,
 * exchange_batch_parse) on arbitrary bytes, against a schema with a field
 * of every type, personal and not. The first byte picks CSV (even) or JSON
 * lines (odd).
 *
 * Checks that a batch is either refused whole (no rows handed back, a
 * message that is valid UTF-8 and starts with what happened) or accepted
 * with every row a JSON object of known fields only, each of the type its
 * field declares, required ones present; and that an accepted batch,
 * written back as JSON lines, is accepted again with the same rows.
 */
#include "fuzz.h"

#include "core/strbuf.h"
#include "core/utf8.h"
#include "exchange/exchange.h"

#include <jansson.h>
#include <string.h>

static const char SCHEMA[] =
	"{\"fields\": ["
	"{\"name\": \"id_number\", \"type\": \"string\", \"required\": true, \"personal\": true},"
	"{\"name\": \"born\", \"type\": \"date\", \"personal\": true},"
	"{\"name\": \"grade\", \"type\": \"enum\", \"values\": [\"1\", \"2\", \"三\"], \"required\": true,"
	" \"personal\": false},"
	"{\"name\": \"members\", \"type\": \"int\", \"personal\": false},"
	"{\"name\": \"premium\", \"type\": \"decimal\", \"personal\": false},"
	"{\"name\": \"enrolled\", \"type\": \"bool\", \"personal\": false},"
	"{\"name\": \"note\", \"type\": \"string\", \"personal\": false}"
	"]}";

static void check_row(const struct exchange_schema *sc, const char *text)
{
	json_t *row = json_loads(text, 0, NULL);
	FUZZ_CHECK(json_is_object(row));
	const char *key;
	json_t *v;
	json_object_foreach(row, key, v) {
		int i = exchange_schema_field(sc, key);
		FUZZ_CHECK(i >= 0);
		switch (sc->fields[i].type) {
		case EXT_INT: FUZZ_CHECK(json_is_integer(v)); break;
		case EXT_BOOL: FUZZ_CHECK(json_is_boolean(v)); break;
		default: FUZZ_CHECK(json_is_string(v)); break;
		}
	}
	for (size_t i = 0; i < sc->nfields; i++)
		if (sc->fields[i].required)
			FUZZ_CHECK(json_object_get(row, sc->fields[i].name) != NULL);
	json_decref(row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct exchange_schema *sc;
	struct app_error err;
	FUZZ_CHECK(exchange_schema_parse(SCHEMA, strlen(SCHEMA), &sc, &err) == APP_OK);
	enum exchange_format format = data[0] % 2 ? EXCHANGE_JSONL : EXCHANGE_CSV;
	struct exchange_rows rows = { 0 };
	enum app_err rc = exchange_batch_parse(sc, format, (const char *)data + 1, size - 1, &rows,
					       &err);
	if (rc != APP_OK) {
		FUZZ_CHECK(rc == APP_EINVAL);
		FUZZ_CHECK(rows.n == 0 && rows.rows == NULL);
		FUZZ_CHECK(utf8_valid(err.msg, strlen(err.msg)));
		FUZZ_CHECK(strncmp(err.msg, "the batch breaks the dataset's schema", 37) == 0);
		exchange_schema_free(sc);
		return 0;
	}
	struct strbuf again;
	strbuf_init(&again, 256);
	for (size_t i = 0; i < rows.n; i++) {
		check_row(sc, rows.rows[i]);
		strbuf_addstr(&again, rows.rows[i]);
		strbuf_addch(&again, '\n');
	}
	if (rows.n > 0) {
		struct exchange_rows back = { 0 };
		FUZZ_CHECK(exchange_batch_parse(sc, EXCHANGE_JSONL, again.buf, again.len, &back,
						&err) == APP_OK);
		FUZZ_CHECK(back.n == rows.n);
		for (size_t i = 0; i < rows.n; i++)
			FUZZ_CHECK(strcmp(back.rows[i], rows.rows[i]) == 0);
		exchange_rows_release(&back);
	}
	strbuf_release(&again);
	exchange_rows_release(&rows);
	exchange_schema_free(sc);
	return 0;
}
