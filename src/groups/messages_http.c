/*
 * messages_http.c - the HTTP handlers of messages: the talk of a group and
 * its live stream, posting, recalling, hiding with history, images, policy
 * broadcasts, bulk ingest and search. Access to a group is decided by
 * groups_open(); the rules of messages by messages.c.
 */
#include "groups/messages_http.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/mem.h"
#include "groups/images.h"
#include "groups/ingest.h"
#include "groups/messages.h"
#include "http/http.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIST_MAX = 200 };

/* Open group {id} (or the group of a message) for the caller, or reply.
 * With me (a post): groups_open_head, need GROUPS_SEE, the head of the group
 * in *g and the caller's membership in *me; without: groups_open. */
static bool open_group_id(struct http_req *req, int64_t id, enum groups_need need,
			  struct group *g, struct group_member *me)
{
	struct app_error err;
	struct store *s = http_store(req);
	const struct auth_caller *c = http_caller(req);
	enum app_err rc = me ? groups_open_head(s, c, id, g, me, &err)
			     : groups_open(s, c, id, need, g, &err);
	if (rc != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

static bool open_group(struct http_req *req, enum groups_need need, struct group *g,
		       struct group_member *me)
{
	int64_t id;
	return http_param_id(req, "id", &id) && open_group_id(req, id, need, g, me);
}

/* Whether the caller may read hidden and recalled text of g: its managers
 * and those who supervise its region (not every key person who sees it). */
static bool sees_all(struct http_req *req, const struct group *g)
{
	struct group same;
	struct app_error ignored;
	const struct auth_caller *c = http_caller(req);
	return groups_open(http_store(req), c, g->id, GROUPS_MANAGE, &same, &ignored) == APP_OK ||
	       auth_scope(c, PERM_GROUPS_SUPERVISE, g->region, &ignored) == APP_OK;
}

/* Message {mid} and its group, which the caller must see; or reply. */
static bool open_message(struct http_req *req, struct message *m, struct group *g,
			 enum groups_need need)
{
	int64_t id;
	struct app_error err;
	if (!http_param_id(req, "mid", &id))
		return false;
	if (store_message_get(http_store(req), id, m, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	if (groups_open(http_store(req), http_caller(req), m->group_id, GROUPS_SEE, g, &err) !=
	    APP_OK) {
		/* a message of a group one cannot see does not exist for one */
		http_reply_fail(req, APP_ENOTFOUND, NULL, "no such message");
		return false;
	}
	return need == GROUPS_SEE || open_group_id(req, g->id, need, g, NULL);
}

/* ---- the talk of a group ---- */

struct list_ctx {
	json_t *items;
	bool full;
	int64_t last;
};

static bool add_message(void *ctx, const struct message *m)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->items, messages_json(m, lc->full));
	lc->last = m->id;
	return true;
}

void messages_handle_list(struct http_req *req)
{
	struct group g;
	long after, before, limit;
	if (!open_group(req, GROUPS_SEE, &g, NULL) ||
	    !http_query_int_or_reply(req, "after", -1, INT64_MAX, -1, &after) ||
	    !http_query_int_or_reply(req, "before", 0, INT64_MAX, 0, &before) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 50, &limit))
		return;
	struct list_ctx lc = { json_array(), sees_all(req, &g), 0 };
	struct app_error err;
	if (store_messages_list(http_store(req), g.id, after, before, (int)limit, add_message, &lc,
				&err) != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:I, s:o}", "group", (json_int_t)g.id, "messages", lc.items);
	if (json_array_size(lc.items) == (size_t)limit)
		json_object_set_new(body, after >= 0 ? "next_after" : "next_before",
				    json_integer(lc.last));
	http_reply_json(req, 200, body);
}

/* A group's stream lasts while its caller may still see the group. */
static bool still_sees(struct store *s, const struct auth_caller *c, int64_t group_id)
{
	struct group g;
	struct app_error ignored;
	return groups_open(s, c, group_id, GROUPS_SEE, &g, &ignored) == APP_OK;
}

void messages_handle_events(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_SEE, &g, NULL))
		return;
	char topic[EVENT_TOPIC_MAX];
	snprintf(topic, sizeof(topic), "group:%" PRId64, g.id);
	http_reply_events(req, topic, still_sees, g.id);
}

/* "mentions": a list of user ids. */
static bool mentions_field(struct http_req *req, struct message_input *in)
{
	json_t *v = json_object_get(http_json(req), "mentions");
	if (!v || json_is_null(v))
		return true;
	bool ok = json_is_array(v) && json_array_size(v) <= MESSAGE_MENTIONS_MAX;
	for (size_t i = 0; ok && i < json_array_size(v); i++) {
		json_t *u = json_array_get(v, i);
		ok = json_is_integer(u) && json_integer_value(u) > 0;
		if (ok)
			in->mentions[in->nmentions++] = json_integer_value(u);
	}
	if (!ok)
		http_reply_fail(req, APP_EINVAL, "mentions", "mentions is a list of at most %d user ids",
				MESSAGE_MENTIONS_MAX);
	return ok;
}

/* A post waiting for its commit: in the request's arena. */
struct post_wait {
	struct http_req *req;
	struct message m;
	enum app_err rc;
	struct app_error err;
};

static void post_reply(struct http_req *req, void *arg)
{
	struct post_wait *pw = arg;
	if (pw->rc != APP_OK)
		http_reply_error(req, &pw->err);
	else
		http_reply_json(req, 201, messages_json(&pw->m, true));
}

/* On the writer's thread: keep the outcome, let the request answer. */
static void post_done(void *ctx, enum app_err rc, const struct app_error *err)
{
	struct post_wait *pw = ctx;
	pw->rc = rc;
	if (rc != APP_OK)
		pw->err = *err;
	http_resume(pw->req); /* pw may be gone from here on */
}

/*
 * The 201 comes only once the message is durable. The connection waits for
 * its group commit without holding an HTTP thread (http_defer), so that as
 * many posts share a commit as there are clients, not threads.
 */
void messages_handle_post(struct http_req *req)
{
	struct group g;
	struct group_member me;
	struct message_input in = { 0 };
	if (!open_group(req, GROUPS_SEE, &g, &me) || !http_body_str(req, "text", false, &in.text) ||
	    !http_body_id(req, "reply_to", &in.reply_to) ||
	    !http_body_str(req, "image", false, &in.image) || !mentions_field(req, &in))
		return;
	struct post_wait *pw = arena_alloc(http_arena(req), sizeof(*pw));
	pw->req = req;
	struct store *s = http_store(req);
	pw->rc = messages_prepare_post(s, http_caller(req), &g, &me, &in, &pw->m, &pw->err);
	if (pw->rc == APP_OK) {
		if (http_defer(req, post_reply, pw)) {
			store_message_post_async(s, &pw->m, messages_event_json, post_done, pw);
			return;
		}
		pw->rc = store_message_post(s, &pw->m, messages_event_json, &pw->err);
	}
	post_reply(req, pw);
}

void messages_handle_get(struct http_req *req)
{
	struct message *m = xmalloc(sizeof(*m));
	struct group g;
	if (open_message(req, m, &g, GROUPS_SEE))
		http_reply_json(req, 200, messages_json(m, sees_all(req, &g)));
	free(m);
}

void messages_handle_recall(struct http_req *req)
{
	struct message *m = xmalloc(sizeof(*m));
	struct group g;
	struct app_error err;
	if (open_message(req, m, &g, GROUPS_SEE)) {
		if (messages_recall(http_store(req), http_caller(req), &g, m, &err) != APP_OK)
			http_reply_error(req, &err);
		else
			http_reply_json(req, 200, messages_json(m, true));
	}
	free(m);
}

void messages_handle_hide(struct http_req *req)
{
	struct message *m = xmalloc(sizeof(*m));
	struct group g;
	const char *reason;
	struct app_error err;
	if (open_message(req, m, &g, GROUPS_MANAGE) && http_body_str(req, "reason", true, &reason)) {
		if (messages_hide(http_store(req), http_caller(req), &g, m, reason, &err) != APP_OK)
			http_reply_error(req, &err);
		else
			http_reply_json(req, 200, messages_json(m, true));
	}
	free(m);
}

static bool add_entry(void *ctx, const struct audit_record *r)
{
	char at[32];
	clock_format_utc(r->at, at, sizeof(at));
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id,
					     "at", at, "actor", r->actor, "action", r->action,
					     "summary", r->summary));
	return true;
}

void messages_handle_history(struct http_req *req)
{
	struct message *m = xmalloc(sizeof(*m));
	struct group g;
	if (!open_message(req, m, &g, GROUPS_SEE)) {
		free(m);
		return;
	}
	if (!sees_all(req, &g)) {
		free(m);
		http_reply_fail(req, APP_EPERM, NULL,
				"the history of a message is for the group's managers and supervisors");
		return;
	}
	char object[40];
	snprintf(object, sizeof(object), "message:%" PRId64, m->id);
	json_t *entries = json_array();
	struct app_error err;
	if (store_audit_list(http_store(req), object, 100, add_entry, entries, &err) != APP_OK) {
		json_decref(entries);
		http_reply_error(req, &err);
	} else {
		http_reply_json(req, 200, json_pack("{s:o, s:o}", "message", messages_json(m, true),
						    "history", entries));
	}
	free(m);
}

/* ---- images ---- */

void messages_handle_image_upload(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_SEE, &g, NULL))
		return;
	size_t len;
	const char *data = http_body_text(req, &len);
	struct attachment a;
	struct app_error err;
	if (images_save(http_store(req), http_data_dir(req), http_caller(req), &g, data, len, &a,
			&err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 201, json_pack("{s:s, s:s, s:I, s:I}", "image", a.sha256, "type",
					    a.mime, "size", (json_int_t)a.size, "group",
					    (json_int_t)a.group_id));
}

void messages_handle_image_get(struct http_req *req)
{
	const char *sha = http_param(req, "sha");
	struct attachment a;
	struct group g;
	struct app_error err;
	/* the group first: whether an image exists shows only to who sees it */
	if (!open_group(req, GROUPS_SEE, &g, NULL))
		return;
	if (!sha || strlen(sha) != ATTACHMENT_SHA_LEN ||
	    store_attachment_get(http_store(req), sha, g.id, &a, &err) != APP_OK) {
		http_reply_fail(req, APP_ENOTFOUND, NULL, "no such image");
		return;
	}
	/* an image shows where a visible message shows it: once its messages
	 * are recalled or hidden, only its sender and those who see withdrawn
	 * messages (managers, supervisors) still get it */
	const struct auth_caller *c = http_caller(req);
	bool shown = false;
	if (!(c->kind == AUTH_SESSION && c->user_id == a.uploader) && !sees_all(req, &g)) {
		if (store_attachment_shown(http_store(req), sha, g.id, &shown, &err) != APP_OK) {
			http_reply_error(req, &err);
			return;
		}
		if (!shown) {
			http_reply_fail(req, APP_ENOTFOUND, NULL, "no such image");
			return;
		}
	}
	int fd;
	uint64_t size;
	if (images_open(http_data_dir(req), a.sha256, &fd, &size, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	/* named by its content: it never changes, but it is not public; its
	 * type is sent after this returns, so it lives in the request's arena */
	http_reply_file(req, arena_strndup(http_arena(req), a.mime, strlen(a.mime)), fd, size,
			"private, max-age=86400, immutable");
}

/* ---- broadcasts ---- */

void messages_handle_broadcast(struct http_req *req)
{
	struct group g;
	const char *text;
	if (!open_group(req, GROUPS_MANAGE, &g, NULL) || !http_body_str(req, "text", true, &text))
		return;
	int64_t id, groups;
	struct app_error err;
	if (messages_broadcast(http_store(req), http_caller(req), &g, text, &id, &groups, &err) !=
	    APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 201, json_pack("{s:I, s:I, s:I}", "broadcast", (json_int_t)id,
					    "from_group", (json_int_t)g.id, "groups",
					    (json_int_t)groups));
}

static bool add_delivery(void *ctx, const struct broadcast_delivery *d)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:I}", "group", (json_int_t)d->group_id,
					     "name", d->group_name, "message",
					     (json_int_t)d->message_id));
	return true;
}

void messages_handle_broadcast_get(struct http_req *req)
{
	int64_t id, from = 0;
	if (!http_param_id(req, "bid", &id))
		return;
	json_t *list = json_array();
	struct app_error err;
	struct group g;
	if (store_broadcast_deliveries(http_store(req), id, &from, add_delivery, list, &err) !=
	    APP_OK) {
		json_decref(list);
		http_reply_error(req, &err);
		return;
	}
	if (!open_group_id(req, from, GROUPS_SEE, &g, NULL)) {
		json_decref(list);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:I, s:I, s:I, s:o}", "broadcast", (json_int_t)id,
					    "from_group", (json_int_t)from, "groups",
					    (json_int_t)json_array_size(list), "deliveries", list));
}

/* ---- bulk ingest and search ---- */

void messages_handle_ingest(struct http_req *req)
{
	struct ingest_counts n;
	struct app_error err;
	if (!json_is_object(http_json(req))) {
		http_reply_fail(req, APP_EINVAL, NULL, "the body must be a JSON object");
		return;
	}
	/* RFC 7240: answer before the work is done (202) */
	bool queued = http_header_has_token(req, "Prefer", "respond-async");
	if (ingest_messages(http_store(req), http_caller(req),
			    json_object_get(http_json(req), "messages"), queued, &n, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, queued ? 202 : 200,
			json_pack("{s:I, s:I}", queued ? "queued" : "stored", (json_int_t)n.stored,
				  "repeated", (json_int_t)n.repeated));
}

void messages_handle_search(struct http_req *req)
{
	const char *q = http_query(req, "q");
	long group, limit;
	if (!http_query_int_or_reply(req, "group", 0, INT64_MAX, 0, &group) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 20, &limit))
		return;
	if (!q || !*q) {
		http_reply_fail(req, APP_EINVAL, "q", "say what to search for (q)");
		return;
	}
	struct list_ctx lc = { json_array(), false, 0 };
	struct app_error err;
	if (messages_search(http_store(req), http_caller(req), q, group, (int)limit, add_message,
			    &lc, &err) != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s, s:o}", "q", q, "messages", lc.items));
}
