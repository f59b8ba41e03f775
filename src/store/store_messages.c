/*
 * store_messages.c - the pieces of storing messages that do not depend on
 * the backend: how mentions are kept in a row, and which events a stored
 * message makes. Both backends use them, so they cannot drift apart.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_mentions_format(const struct message *m, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < m->nmentions && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%" PRId64, i ? "," : "", m->mentions[i]);
}

void store_mentions_parse(const char *s, struct message *m)
{
	m->nmentions = 0;
	while (s && *s && m->nmentions < MESSAGE_MENTIONS_MAX) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end == s)
			break;
		m->mentions[m->nmentions++] = v;
		s = *end == ',' ? end + 1 : end;
	}
}

enum app_err store_message_events(const struct message *m, const char *kind,
				  store_message_json_fn json, store_event_append_fn append,
				  store_event_rewrite_fn rewrite, void *ctx, struct app_error *err)
{
	struct strbuf data = STRBUF_INIT;
	json(m, &data);
	char topic[EVENT_TOPIC_MAX], subject[32];
	snprintf(topic, sizeof(topic), "group:%" PRId64, m->group_id);
	snprintf(subject, sizeof(subject), "message:%" PRId64, m->id);
	struct event_note ev = { topic, kind, m->county, data.buf, subject };
	enum app_err rc = APP_OK;
	/* a changed message first rewrites what earlier events told of it, so
	 * that replaying a stream never shows recalled or hidden text */
	if (strcmp(kind, "message") != 0 && rewrite)
		rc = rewrite(ctx, subject, data.buf, err);
	if (rc == APP_OK)
		rc = append(ctx, &ev, err);
	/* a new message also reaches the people it mentions */
	for (int i = 0; rc == APP_OK && strcmp(kind, "message") == 0 && i < m->nmentions; i++) {
		snprintf(topic, sizeof(topic), "user:%" PRId64, m->mentions[i]);
		struct event_note mention = { topic, "mention", m->county, data.buf, subject };
		rc = append(ctx, &mention, err);
	}
	strbuf_release(&data);
	return rc;
}
