/*
 * messages.c - the rules of messages in service groups; see messages.h.
 */
#include "groups/messages.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "patrol/judge.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON ---- */

json_t *messages_json(const struct message *m, bool full)
{
	json_t *mentions = json_array();
	for (int i = 0; i < m->nmentions; i++)
		json_array_append_new(mentions, json_integer(m->mentions[i]));
	bool shown = full || strcmp(m->state, "visible") == 0;
	char at[32];
	clock_format_utc(m->at, at, sizeof(at));
	json_t *o = json_pack("{s:I, s:I, s:{s:o, s:s}, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s, "
			      "s:s}",
			      "id", (json_int_t)m->id, "group", (json_int_t)m->group_id, "author",
			      "id", m->author_id ? json_integer(m->author_id) : json_null(), "name",
			      m->author_name, "kind", m->kind, "text",
			      shown ? json_string(m->body) : json_null(), "reply_to",
			      m->reply_to ? json_integer(m->reply_to) : json_null(), "mentions",
			      mentions, "image",
			      *m->attachment && shown ? json_string(m->attachment) : json_null(),
			      "broadcast",
			      m->broadcast_id ? json_integer(m->broadcast_id) : json_null(), "state",
			      m->state, "source", m->source, "at", at);
	if (strcmp(m->state, "recalled") == 0)
		json_object_set_new(o, "notice", json_string("消息已撤回"));
	else if (strcmp(m->state, "hidden") == 0)
		json_object_set_new(o, "notice", json_string("该消息已被管理员隐藏"));
	if (full && *m->state_reason)
		json_object_set_new(o, "reason", json_string(m->state_reason));
	return o;
}

/* Add ,"name":ID, or null for 0. */
static void add_id(struct strbuf *out, const char *name, int64_t id)
{
	if (id)
		strbuf_addf(out, ",\"%s\":%" PRId64, name, id);
	else
		strbuf_addf(out, ",\"%s\":null", name);
}

/* Written directly: a bulk ingest writes one per message on the writer's
 * thread, where a tree for each took a fifth of its time. */
void messages_event_json(const struct message *m, struct strbuf *out)
{
	bool shown = strcmp(m->state, "visible") == 0;
	strbuf_addf(out, "{\"id\":%" PRId64 ",\"group\":%" PRId64 ",\"author\":{", m->id,
		    m->group_id);
	if (m->author_id)
		strbuf_addf(out, "\"id\":%" PRId64, m->author_id);
	else
		strbuf_addstr(out, "\"id\":null");
	strbuf_addstr(out, ",\"name\":");
	strbuf_add_json_string(out, m->author_name);
	strbuf_addstr(out, "},\"kind\":");
	strbuf_add_json_string(out, m->kind);
	strbuf_addstr(out, ",\"text\":");
	if (shown)
		strbuf_add_json_string(out, m->body);
	else
		strbuf_addstr(out, "null");
	add_id(out, "reply_to", m->reply_to);
	strbuf_addstr(out, ",\"mentions\":[");
	for (int i = 0; i < m->nmentions; i++)
		strbuf_addf(out, "%s%" PRId64, i ? "," : "", m->mentions[i]);
	strbuf_addstr(out, "],\"image\":");
	if (*m->attachment && shown)
		strbuf_add_json_string(out, m->attachment);
	else
		strbuf_addstr(out, "null");
	add_id(out, "broadcast", m->broadcast_id);
	strbuf_addstr(out, ",\"state\":");
	strbuf_add_json_string(out, m->state);
	strbuf_addstr(out, ",\"source\":");
	strbuf_add_json_string(out, m->source);
	char at[32];
	clock_format_utc(m->at, at, sizeof(at));
	strbuf_addf(out, ",\"at\":\"%s\"", at);
	if (strcmp(m->state, "recalled") == 0)
		strbuf_addstr(out, ",\"notice\":\"消息已撤回\"");
	else if (strcmp(m->state, "hidden") == 0)
		strbuf_addstr(out, ",\"notice\":\"该消息已被管理员隐藏\"");
	strbuf_addch(out, '}');
}

/* Event data of a changed message, which also replaces what its earlier
 * events told: what every member may see now (never recalled or hidden
 * text). */
static void changed_message_json(const struct message *m, struct strbuf *out)
{
	messages_event_json(m, out);
}

/* ---- checks ---- */

enum app_err messages_check_text(const char *text, bool required, struct app_error *err)
{
	size_t n = text ? strlen(text) : 0;
	if (!n)
		return required ? app_fail_field(err, APP_EINVAL, "text", "a message needs text")
				: APP_OK;
	if (!utf8_valid(text, n))
		return app_fail_field(err, APP_EINVAL, "text", "the text is not valid UTF-8");
	if (utf8_length(text, n) > MESSAGES_TEXT_MAX_CHARS || n >= MESSAGE_BODY_MAX)
		return app_fail_field(err, APP_ETOOBIG, "text",
				      "a message has at most %d characters", MESSAGES_TEXT_MAX_CHARS);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			return app_fail_field(err, APP_EINVAL, "text",
					      "the text must not contain control characters");
	}
	return APP_OK;
}

static bool is_active(struct store *s, int64_t group_id, int64_t user_id, struct group_member *m)
{
	struct app_error ignored;
	return store_member_get(s, group_id, user_id, m, &ignored) == APP_OK &&
	       strcmp(m->state, "active") == 0;
}

enum app_err messages_prepare_post(struct store *s, const struct auth_caller *c,
				   const struct group *g, const struct group_member *me,
				   const struct message_input *in, struct message *out,
				   struct app_error *err)
{
	if (c->kind != AUTH_SESSION || me->user_id != c->user_id || me->group_id != g->id ||
	    strcmp(me->state, "active") != 0)
		return app_fail(err, APP_EPERM, "only the group's members can write in it");
	enum app_err rc = messages_check_text(in->text, !in->image, err);
	if (rc != APP_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->group_id = g->id;
	division_county(g->region, out->county);
	out->author_id = c->user_id;
	snprintf(out->author_name, sizeof(out->author_name), "%s", me->name);
	snprintf(out->body, sizeof(out->body), "%s", in->text ? in->text : "");
	snprintf(out->kind, sizeof(out->kind), "%s", in->image ? "image" : "text");
	if (in->reply_to) {
		struct message *to = xmalloc(sizeof(*to));
		rc = store_message_get(s, in->reply_to, to, err);
		bool same = rc == APP_OK && to->group_id == g->id;
		free(to);
		if (rc != APP_OK && rc != APP_ENOTFOUND)
			return rc;
		if (!same)
			return app_fail_field(err, APP_EINVAL, "reply_to",
					      "the message replied to is not in this group");
		out->reply_to = in->reply_to;
	}
	for (int i = 0; i < in->nmentions; i++) {
		struct group_member m;
		if (!is_active(s, g->id, in->mentions[i], &m))
			return app_fail_field(err, APP_EINVAL, "mentions",
					      "user %" PRId64 " is not a member of this group",
					      in->mentions[i]);
		out->mentions[out->nmentions++] = in->mentions[i];
	}
	if (in->image) {
		struct attachment a;
		if (strlen(in->image) != ATTACHMENT_SHA_LEN ||
		    store_attachment_get(s, in->image, g->id, &a, err) != APP_OK)
			return app_fail_field(err, APP_EINVAL, "image",
					      "upload the image to this group first");
		snprintf(out->attachment, sizeof(out->attachment), "%s", in->image);
	}
	snprintf(out->source, sizeof(out->source), "app");
	out->at = clock_now();
	patrol_judge(patrol_builtin(), out, me->role, g->duty_start, g->duty_end);
	return APP_OK;
}

static void message_object(const struct message *m, char out[40])
{
	snprintf(out, 40, "message:%" PRId64, m->id);
}

enum app_err messages_recall(struct store *s, const struct auth_caller *c, const struct group *g,
			     struct message *m, struct app_error *err)
{
	if (c->kind != AUTH_SESSION || c->user_id != m->author_id)
		return app_fail(err, APP_EPERM, "only the author can recall a message");
	if (strcmp(m->state, "visible") != 0)
		return app_fail(err, APP_ECONFLICT, "this message is already %s", m->state);
	if (clock_now() - m->at > MESSAGES_RECALL_SECONDS)
		return app_fail(err, APP_ECONFLICT,
				"a message can be recalled only within %d minutes of sending",
				MESSAGES_RECALL_SECONDS / 60);
	snprintf(m->state, sizeof(m->state), "recalled");
	m->state_reason[0] = '\0';
	char object[40];
	message_object(m, object);
	struct audit_note note = { c->actor, "message.recall", object, g->region,
				   "recalled by its author" };
	return store_message_set_state(s, m, &note, changed_message_json, err);
}

enum app_err messages_hide(struct store *s, const struct auth_caller *c, const struct group *g,
			   struct message *m, const char *reason, struct app_error *err)
{
	size_t n = reason ? strlen(reason) : 0;
	if (!n)
		return app_fail_field(err, APP_EINVAL, "reason", "say why the message is hidden");
	if (!utf8_valid(reason, n) || utf8_length(reason, n) > MESSAGES_REASON_MAX_CHARS ||
	    n >= sizeof(m->state_reason))
		return app_fail_field(err, APP_EINVAL, "reason", "a reason has at most %d characters",
				      MESSAGES_REASON_MAX_CHARS);
	if (strcmp(m->state, "visible") != 0)
		return app_fail(err, APP_ECONFLICT, "this message is already %s", m->state);
	snprintf(m->state, sizeof(m->state), "hidden");
	snprintf(m->state_reason, sizeof(m->state_reason), "%s", reason);
	char object[40], summary[400];
	message_object(m, object);
	snprintf(summary, sizeof(summary), "hidden: %s", reason);
	struct audit_note note = { c->actor, "message.hide", object, g->region, summary };
	return store_message_set_state(s, m, &note, changed_message_json, err);
}

enum app_err messages_broadcast(struct store *s, const struct auth_caller *c,
				const struct group *g, const char *text, int64_t *broadcast_id,
				int64_t *groups, struct app_error *err)
{
	if (strcmp(g->kind, "town") != 0 && strcmp(g->kind, "county") != 0)
		return app_fail(err, APP_EINVAL, "only a town or county group broadcasts to the "
				"groups below it");
	enum app_err rc = messages_check_text(text, true, err);
	if (rc != APP_OK)
		return rc;
	struct user u;
	if (c->kind != AUTH_SESSION)
		return app_fail(err, APP_EINVAL, "a broadcast is sent by a person");
	if ((rc = store_user_get(s, c->user_id, &u, err)) != APP_OK)
		return rc;
	struct message *m = xcalloc(1, sizeof(*m));
	m->group_id = g->id;
	m->author_id = u.id;
	snprintf(m->author_name, sizeof(m->author_name), "%s", u.name);
	snprintf(m->kind, sizeof(m->kind), "broadcast");
	snprintf(m->body, sizeof(m->body), "%s", text);
	snprintf(m->source, sizeof(m->source), "app");
	patrol_judge(patrol_builtin(), m, "", g->duty_start, g->duty_end);
	char summary[96];
	snprintf(summary, sizeof(summary), "policy broadcast from group %" PRId64, g->id);
	struct audit_note note = { c->actor, "message.broadcast", "broadcast:new", g->region,
				   summary };
	rc = store_broadcast(s, m, g->region, &note, messages_event_json, broadcast_id, groups, err);
	free(m);
	return rc;
}

/* ---- search ---- */

enum app_err messages_search(struct store *s, const struct auth_caller *c, const char *query,
			     int64_t group_id, int limit, store_message_fn fn, void *ctx,
			     struct app_error *err)
{
	struct message_scope scope = { .member = c->kind == AUTH_SESSION ? c->user_id : 0 };
	/* the regions where c may read groups; with more grants than slots,
	 * the broadest ones count (a grant covers its whole subtree) */
	for (int i = 0; i < c->ngrants; i++) {
		const struct auth_grant *gr = &c->grants[i];
		if (!(auth_role_perms[gr->role] & PERM_GROUPS_READ))
			continue;
		if (scope.nregions < 4) {
			scope.regions[scope.nregions++] = gr->region;
			continue;
		}
		for (int k = 0; k < 4; k++) {
			if (strlen(gr->region) < strlen(scope.regions[k])) {
				scope.regions[k] = gr->region;
				break;
			}
		}
	}
	if (group_id) {
		struct group g;
		enum app_err rc = groups_open(s, c, group_id, GROUPS_SEE, &g, err);
		if (rc != APP_OK)
			return rc;
	}
	return store_messages_search(s, query, &scope, group_id, limit, fn, ctx, err);
}
