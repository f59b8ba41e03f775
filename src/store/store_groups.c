/*
 * store_groups.c - the parts of a roster import both backends share: the
 * roster's lines as the JSON arrays that the set-based statements of
 * sqlite_groups.c and pg_groups.c read (SQLite json_each, PostgreSQL
 * jsonb_array_elements), and the record of a set-based step that fell back
 * to the line-by-line path. No SQL here.
 */
#include "store/store_int.h"
#include "core/log.h"

void store_roster_phones_json(const struct roster_row *rows, size_t n, struct strbuf *out)
{
	strbuf_addch(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_add_json_string(out, rows[i].phone);
	}
	strbuf_addch(out, ']');
}

size_t store_roster_new_json(const struct roster_row *rows, size_t n, const bool *known,
			     struct strbuf *out)
{
	size_t k = 0;
	strbuf_addch(out, '[');
	for (size_t i = 0; i < n; i++) {
		const struct roster_row *row = &rows[i];
		if (known[i] || row->repeat)
			continue;
		strbuf_addstr(out, k++ ? ",[" : "[");
		strbuf_add_json_string(out, row->name);
		strbuf_addch(out, ',');
		strbuf_add_json_string(out, row->phone);
		strbuf_addch(out, ',');
		strbuf_add_json_string(out, row->id_number);
		strbuf_addch(out, ',');
		strbuf_add_json_string(out, row->address);
		strbuf_addch(out, ']');
	}
	strbuf_addch(out, ']');
	return k;
}

void store_roster_fell_back(struct store *s, int64_t group_id, const char *constraint,
			    const struct app_error *why)
{
	char cons[128], reason[sizeof(why->msg)];
	log_quote(cons, sizeof(cons), constraint);
	log_quote(reason, sizeof(reason), why->msg);
	log_warn("store.roster_fallback", "backend=%s group=%lld code=%s constraint=\"%s\" "
		 "reason=\"%s\"", s->ops->name, (long long)group_id, app_err_name(why->code),
		 cons, reason);
	atomic_fetch_add_explicit(&s->roster_fallbacks, 1, memory_order_relaxed);
}
