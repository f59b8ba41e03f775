/*
 * messages.h - the talk in service groups: posting (text, replies,
 * mentions, images), recalling within two minutes, hiding by the group's
 * managers, policy broadcasts from a town or county group to every group
 * below, and search (a bridge's bulk ingest: ingest.h).
 *
 * Nothing is deleted (信息留痕): a recalled or hidden message keeps its text
 * for those who manage or supervise the group, with its history in the
 * audit log; other members see that it was recalled or hidden.
 */
#ifndef GROUPS_MESSAGES_H
#define GROUPS_MESSAGES_H

#include "groups/groups.h"

#include <jansson.h>

#define MESSAGES_TEXT_MAX_CHARS 2000
#define MESSAGES_RECALL_SECONDS 120
#define MESSAGES_REASON_MAX_CHARS 100

struct message_input {
	const char *text;       /* may be empty when image is given */
	int64_t reply_to;       /* 0: none */
	int nmentions;
	int64_t mentions[MESSAGE_MENTIONS_MAX];
	const char *image;      /* sha256 of an image uploaded to the group, or NULL */
};

/* Check that c may post in g, where me is c's membership as
 * groups_open_head() read it (c must be its active member), and build *out
 * from in, judged and ready for store_message_post(_async) with
 * messages_event_json. Nothing is written. */
enum app_err messages_prepare_post(struct store *s, const struct auth_caller *c,
				   const struct group *g, const struct group_member *me,
				   const struct message_input *in, struct message *out,
				   struct app_error *err);
/* Recall m (of group g): only its author, within MESSAGES_RECALL_SECONDS. */
enum app_err messages_recall(struct store *s, const struct auth_caller *c, const struct group *g,
			     struct message *m, struct app_error *err);
/* Hide m with a reason; c manages m's group (checked by the caller). */
enum app_err messages_hide(struct store *s, const struct auth_caller *c, const struct group *g,
			   struct message *m, const char *reason, struct app_error *err);
/* Broadcast text from g (a town or county group c manages) to it and every
 * standing group below it. */
enum app_err messages_broadcast(struct store *s, const struct auth_caller *c,
				const struct group *g, const char *text, int64_t *broadcast_id,
				int64_t *groups, struct app_error *err);

/* Check a message's text: UTF-8 without control characters (but line
 * breaks and tabs), at most MESSAGES_TEXT_MAX_CHARS; required: not empty.
 * Errors name the field "text". */
enum app_err messages_check_text(const char *text, bool required, struct app_error *err);

/* Search visible messages c may see (see groups_open) for query, in group
 * (0: all c's groups and scope), newest first. */
enum app_err messages_search(struct store *s, const struct auth_caller *c, const char *query,
			     int64_t group_id, int limit, store_message_fn fn, void *ctx,
			     struct app_error *err);

/* A message as JSON. full: the text of recalled and hidden messages and the
 * reason too (for those who manage or supervise the group). */
json_t *messages_json(const struct message *m, bool full);
/* Append to out what every member sees of m, as an event tells it: the
 * bytes of json_dumps(messages_json(m, false), JSON_COMPACT), written
 * without building a tree (a bulk ingest writes one per message). */
void messages_event_json(const struct message *m, struct strbuf *out);

#endif
