/*
 * ingest.h - a bridge's bulk ingest: another chat platform's robot hands
 * over its groups' messages, up to a thousand a call, each with an
 * idempotency key (docs/api.md "Bridge ingest").
 *
 * A call is stored now (its messages are in the groups when it returns) or,
 * when the bridge asks for it, queued: taken in one commit (keys recorded,
 * the checked messages kept as one pending call) and stored by this
 * process's loader thread soon after. A queue absorbs a burst at the speed
 * of checking and one commit a call; the loader stores a burst's messages
 * once no queued call is arriving, or once the oldest has waited
 * INGEST_DEFER_MAX_S, so a long flood is stored as it goes.
 */
#ifndef GROUPS_INGEST_H
#define GROUPS_INGEST_H

#include "auth/auth.h"
#include "store/store.h"

#include <jansson.h>

#define INGEST_CALL_MAX 1000      /* messages per call */
#define INGEST_DEFER_MAX_S 5      /* seconds a queued call waits at most while others arrive */
#define INGEST_BACKLOG_MAX 500000 /* messages queued before a call is refused (503) */

/*
 * Ingest items, the JSON array of {"key", "group", "author", "text", "at"?}
 * of caller c (a bridge's API key). Every item is checked first (the group
 * exists and lies in the key's scope, the text fits); any problem rejects
 * the whole call, naming the item's index in field. queued: take the call
 * into the queue (APP_EUNAVAIL when the loader does not run here or the
 * queue is full), else store its messages now.
 */
enum app_err ingest_messages(struct store *s, const struct auth_caller *c, json_t *items,
			     bool queued, struct ingest_counts *counts, struct app_error *err);

/* A checked message as the queue keeps it (author and text not
 * NUL-terminated when decoded: they point into the pending call). */
struct ingest_item {
	int64_t group_id, at;
	const char *author, *text;
	size_t author_len, text_len;
};
/* Append it to out, encoded. */
void ingest_item_encode(const struct ingest_item *it, struct strbuf *out);
/* Decode the item at *pos of body[0, len) into it and move *pos past it;
 * false (*pos and *it untouched) when no sound item is there: a whole one, with
 * a group id above 0, an author a check would let through, and a text of
 * 1 to MESSAGE_BODY_MAX - 1 bytes of UTF-8 without NUL. (The rest of a
 * text's check was made when the call was taken.) */
bool ingest_item_decode(const void *body, size_t len, size_t *pos, struct ingest_item *it);

/* Start the loader of store s's queue (`bianmin serve` does, one per
 * process, with INGEST_BACKLOG_MAX); it first stores what an earlier run
 * left queued. A call is refused while backlog_max messages or more are
 * queued. */
enum app_err ingest_queue_start(struct store *s, int64_t backlog_max, struct app_error *err);
/* Stop it after the load under way (what is queued stays for the next). */
void ingest_queue_stop(void);
/* Wait up to ms milliseconds until nothing is queued or being taken;
 * true when so. */
bool ingest_queue_settle(int ms);
/* For tests: while held, the loader stores nothing (a full queue, calls
 * queued behind others, can then be made at will). */
void ingest_queue_hold(bool held);

struct ingest_queue_stats {
	bool running;
	int64_t queued;  /* messages waiting, as last counted (every node's on PostgreSQL) */
	int64_t loaded;  /* messages this process's loader stored */
	int64_t failed;  /* calls set aside: they could not be stored */
};
void ingest_queue_stats(struct ingest_queue_stats *out);

#endif
