/*
 * store_cases.c - the pieces of storing cases that do not depend on the
 * backend: how a new case's id reaches the events and the audit entry
 * written with it (the caller wrote "{id}" where the id goes, not knowing
 * it yet). Both backends use them, so they cannot drift apart.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* in into out (reset first) with every "{id}" replaced by id. */
static void fill_id(const char *in, int64_t id, struct strbuf *out)
{
	static const char mark[] = "{id}";
	strbuf_reset(out);
	const char *p;
	while ((p = strstr(in, mark))) {
		strbuf_add(out, in, (size_t)(p - in));
		strbuf_addf(out, "%" PRId64, id);
		in = p + sizeof(mark) - 1;
	}
	strbuf_addstr(out, in);
}

enum app_err store_case_announce(int64_t id, const struct event_note *events, int n,
				 store_event_append_fn append, void *ctx, struct app_error *err)
{
	struct strbuf topic = STRBUF_INIT, data = STRBUF_INIT, subject = STRBUF_INIT;
	enum app_err rc = APP_OK;
	for (int i = 0; rc == APP_OK && i < n; i++) {
		struct event_note ev = events[i];
		if (id > 0) {
			fill_id(ev.topic, id, &topic);
			fill_id(ev.data, id, &data);
			fill_id(ev.subject ? ev.subject : "", id, &subject);
			ev.topic = topic.buf;
			ev.data = data.buf;
			ev.subject = subject.buf;
			if (topic.len >= EVENT_TOPIC_MAX || data.len >= EVENT_DATA_MAX) {
				rc = app_fail(err, APP_EINVAL,
					      "an event of the case is too long once its id is in");
				break;
			}
		}
		rc = append(ctx, &ev, err);
	}
	strbuf_release(&topic);
	strbuf_release(&data);
	strbuf_release(&subject);
	return rc;
}

struct audit_note store_case_note(const struct audit_note *note, int64_t id,
				  struct strbuf *object, struct strbuf *summary)
{
	struct audit_note n = *note;
	fill_id(note->object ? note->object : "", id, object);
	fill_id(note->summary ? note->summary : "", id, summary);
	n.object = object->buf;
	n.summary = summary->buf;
	return n;
}
