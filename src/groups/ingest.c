/*
 * ingest.c - a bridge's bulk ingest, stored now or queued; see ingest.h.
 *
 * Checking a call is the same either way (ingest_messages): its groups
 * looked up once each, every item checked, all or nothing. Stored now, the
 * call's messages are judged by the patrol here and written with their
 * keys in one commit (store_messages_ingest). Queued, each item is encoded
 * (ingest_item_encode) and the call taken with its keys in one commit
 * (store_ingest_queue); the loader thread below then reads the oldest
 * pending calls, decodes and judges their messages on its own thread and
 * stores them, deleting the calls, in one commit per round
 * (store_ingest_load). A call that cannot be stored (its group gone, its
 * bytes damaged) is set aside with the reason, never dropped; when the
 * database fails (a read, the commit, setting a call aside) the round is
 * tried again a second later, so nothing taken is lost or stored twice.
 *
 * When the loader runs (loader_may_run): once no queued call has been
 * taken on this process for BURST_GAP_MS, or when the oldest pending call
 * has waited INGEST_DEFER_MAX_S, or when the queue is half full. So a
 * burst is taken first at the speed of checking (the writer spends a key
 * and a share of one row per message), and stored right after; the HTTP
 * threads and the loader do not compete for the two cores while a bridge
 * is sending. A take wakes the loader only when the queue was empty or
 * crosses half full; otherwise it looks again every BURST_GAP_MS.
 */
#include "groups/ingest.h"
#include "groups/messages.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "patrol/judge.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- checking a call ---- */

/* A name from another platform: UTF-8 without control characters that fits. */
static bool author_ok(const char *a, size_t n, size_t cap)
{
	if (!n || n >= cap || !utf8_valid(a, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a[i] < 0x20 || a[i] == 0x7f)
			return false;
	return true;
}

/* The groups of a call or of a load, each looked up (and, for a caller,
 * checked) once however many messages go to it: an open-addressing table
 * of cap slots (a power of two, at least twice the messages), id 0 free. */
struct ingest_groups {
	size_t cap;
	struct ingest_group {
		int64_t id;
		enum app_err rc; /* APP_OK: exists and, for a caller, the key may post to it */
		struct group g;
	} *slot;
};

static void groups_init(struct ingest_groups *gs, size_t messages)
{
	gs->cap = 4;
	while (gs->cap < 2 * messages)
		gs->cap *= 2;
	gs->slot = xcalloc(gs->cap, sizeof(*gs->slot));
}

/* The group gid as c may ingest into it (c NULL: the loader, whose calls
 * were checked when taken), or NULL with *rc APP_ENOTFOUND (absent, or out
 * of c's scope) or the code of a failed read. */
static const struct group *ingest_group(struct store *s, const struct auth_caller *c,
					struct ingest_groups *gs, int64_t gid, enum app_err *rc)
{
	size_t i = (size_t)(((uint64_t)gid * 0x9E3779B97F4A7C15u) >> 32) & (gs->cap - 1);
	while (gs->slot[i].id && gs->slot[i].id != gid)
		i = (i + 1) & (gs->cap - 1);
	struct ingest_group *e = &gs->slot[i];
	if (!e->id) {
		struct app_error ignored;
		e->id = gid;
		e->rc = gid == 0 ? APP_ENOTFOUND : store_group_head(s, gid, &e->g, &ignored);
		if (e->rc == APP_OK && c && auth_scope(c, PERM_INGEST, e->g.region, &ignored) != APP_OK)
			e->rc = APP_ENOTFOUND;
	}
	*rc = e->rc;
	return e->rc == APP_OK ? &e->g : NULL;
}

/* Set every field of m to zero or empty but the bytes of its body after the
 * first (a message is 8 KiB, most of it body, which comes last: clearing all
 * of it for each of a thousand messages was a tenth of an ingest call). */
static void message_clear(struct message *m)
{
	memset(m, 0, offsetof(struct message, body));
	m->body[0] = '\0';
}

/* One message of a call, checked. Small on purpose: a thousand struct
 * message (8 KiB each) were fresh pages for the kernel to fault in on
 * every call, a third of the HTTP thread's time. */
struct ingest_msg {
	const struct group *g; /* in the call's struct ingest_groups */
	struct ingest_item item;
	struct message_patrol patrol;
};

/* Write im into m: the message as it is stored. */
static void ingest_fill(const struct ingest_msg *im, struct message *m)
{
	message_clear(m);
	m->group_id = im->g->id;
	division_county(im->g->region, m->county);
	memcpy(m->author_name, im->item.author, im->item.author_len);
	m->author_name[im->item.author_len] = '\0';
	memcpy(m->body, im->item.text, im->item.text_len);
	m->body[im->item.text_len] = '\0';
	snprintf(m->kind, sizeof(m->kind), "text");
	snprintf(m->source, sizeof(m->source), "bridge");
	m->at = im->item.at;
	m->patrol = im->patrol;
}

/* store_ingest_fill_fn over an array of struct ingest_msg. */
static void ingest_fill_at(void *ctx, size_t i, struct message *m)
{
	ingest_fill(&((const struct ingest_msg *)ctx)[i], m);
}

/* The patrol's judgement of im, on m (scratch): an author from another
 * platform is no member here, so a resident. */
static void ingest_judge(struct ingest_msg *im, struct message *m)
{
	im->patrol = (struct message_patrol){ 0 };
	ingest_fill(im, m);
	patrol_judge(patrol_builtin(), m, "", im->g->duty_start, im->g->duty_end);
	im->patrol = m->patrol;
}

/* Check item i into im and key (cap bytes: the bridge's own key space, so
 * one bridge's keys never shadow another's); false with err naming
 * "messages[i]". */
static bool check_item(struct store *s, const struct auth_caller *c, struct ingest_groups *gs,
		       json_t *item, size_t i, struct ingest_msg *im, char *key, size_t cap,
		       struct app_error *err)
{
	char field[32];
	snprintf(field, sizeof(field), "messages[%zu]", i);
	json_t *k = json_object_get(item, "key"), *gid = json_object_get(item, "group"),
	       *author = json_object_get(item, "author"), *text = json_object_get(item, "text"),
	       *at = json_object_get(item, "at");
	if (!json_is_string(k) || !json_string_length(k) || json_string_length(k) > 128 ||
	    !json_is_integer(gid) || !json_is_string(author) || !json_string_length(author) ||
	    !json_is_string(text) || (at && !json_is_string(at)))
		return app_fail_field(err, APP_EINVAL, field,
				      "each message needs key (1-128 characters), group (an id), "
				      "author and text (strings), and may have at (a time)"),
		       false;
	enum app_err found;
	const struct group *g = ingest_group(s, c, gs, json_integer_value(gid), &found);
	if (!g && found == APP_ENOTFOUND)
		return app_fail_field(err, APP_EINVAL, field,
				      "group %" JSON_INTEGER_FORMAT " is not a group this key may "
				      "post to", json_integer_value(gid)),
		       false;
	if (!g)
		return app_fail(err, found, "the group of %s could not be read", field), false;
	struct app_error e;
	app_error_clear(&e);
	if (messages_check_text(json_string_value(text), true, &e) != APP_OK ||
	    !author_ok(json_string_value(author), json_string_length(author),
		       sizeof(((struct message *)0)->author_name)))
		return app_fail_field(err, e.code == APP_ETOOBIG ? APP_ETOOBIG : APP_EINVAL, field,
				      "%s", e.code ? e.msg : "the author is not a short UTF-8 name"),
		       false;
	*im = (struct ingest_msg){ .g = g,
				   .item = { .group_id = g->id,
					     .author = json_string_value(author),
					     .author_len = json_string_length(author),
					     .text = json_string_value(text),
					     /* the check measured up to a NUL, as stored */
					     .text_len = strlen(json_string_value(text)) } };
	if (at && !clock_parse_time(json_string_value(at), &im->item.at))
		return app_fail_field(err, APP_EINVAL, field,
				      "at must be a time such as 2026-11-29T09:30:00+08:00"),
		       false;
	if (at && im->item.at > clock_now() + 300)
		return app_fail_field(err, APP_EINVAL, field, "at lies in the future"), false;
	if (!im->item.at)
		im->item.at = clock_now();
	snprintf(key, cap, "%s/%s", c->actor, json_string_value(k));
	return true;
}

static enum app_err queue_take(struct store *s, const char *const *keys, const struct ingest_msg *ims,
			       size_t n, struct ingest_counts *counts, struct app_error *err);

enum app_err ingest_messages(struct store *s, const struct auth_caller *c, json_t *items,
			     bool queued, struct ingest_counts *counts, struct app_error *err)
{
	memset(counts, 0, sizeof(*counts));
	size_t n = json_array_size(items);
	if (!json_is_array(items) || !n)
		return app_fail_field(err, APP_EINVAL, "messages", "messages must be a non-empty list");
	if (n > INGEST_CALL_MAX)
		return app_fail_field(err, APP_ETOOBIG, "messages",
				      "at most %d messages per call", INGEST_CALL_MAX);
	enum { KEY_MAX = 32 + 1 + 128 + 1 }; /* "apikey:N/" and the bridge's key */
	struct ingest_msg *ims = xmalloc(n * sizeof(*ims));
	char (*key_text)[KEY_MAX] = xmalloc(n * sizeof(*key_text));
	const char **keys = xmalloc(n * sizeof(*keys));
	struct ingest_groups gs;
	groups_init(&gs, n);
	enum app_err rc = APP_OK;
	for (size_t i = 0; i < n; i++) {
		keys[i] = key_text[i];
		if (!check_item(s, c, &gs, json_array_get(items, i), i, &ims[i], key_text[i],
				KEY_MAX, err)) {
			rc = err->code;
			break;
		}
	}
	if (rc == APP_OK && queued) {
		rc = queue_take(s, keys, ims, n, counts, err);
	} else if (rc == APP_OK) {
		struct message *m = xmalloc(sizeof(*m));
		for (size_t i = 0; i < n; i++)
			ingest_judge(&ims[i], m);
		free(m);
		rc = store_messages_ingest(s, keys, n, ingest_fill_at, ims, messages_event_json,
					   counts, err);
	}
	free(gs.slot);
	free(keys);
	free(key_text);
	free(ims);
	return rc;
}

/* ---- the encoding of a queued message ---- */

/* Little-endian: group id (8 bytes), at (8), the author's length (2), the
 * text's (2), the author's bytes, the text's. */
enum { ITEM_HEAD = 20 };

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void ingest_item_encode(const struct ingest_item *it, struct strbuf *out)
{
	unsigned char head[ITEM_HEAD];
	put_le(head, (uint64_t)it->group_id, 8);
	put_le(head + 8, (uint64_t)it->at, 8);
	put_le(head + 16, it->author_len, 2);
	put_le(head + 18, it->text_len, 2);
	strbuf_add(out, head, sizeof(head));
	strbuf_add(out, it->author, it->author_len);
	strbuf_add(out, it->text, it->text_len);
}

bool ingest_item_decode(const void *body, size_t len, size_t *pos, struct ingest_item *it)
{
	if (*pos > len || len - *pos < ITEM_HEAD)
		return false;
	const unsigned char *p = (const unsigned char *)body + *pos;
	struct ingest_item got = { .group_id = (int64_t)get_le(p, 8),
				   .at = (int64_t)get_le(p + 8, 8),
				   .author_len = get_le(p + 16, 2),
				   .text_len = get_le(p + 18, 2) };
	size_t rest = len - *pos - ITEM_HEAD;
	if (got.author_len > rest || got.text_len > rest - got.author_len)
		return false;
	got.author = (const char *)p + ITEM_HEAD;
	got.text = got.author + got.author_len;
	if (got.group_id <= 0 ||
	    !author_ok(got.author, got.author_len, sizeof(((struct message *)0)->author_name)) ||
	    !got.text_len || got.text_len >= MESSAGE_BODY_MAX ||
	    !utf8_valid(got.text, got.text_len) || memchr(got.text, '\0', got.text_len))
		return false;
	*it = got;
	*pos += ITEM_HEAD + got.author_len + got.text_len;
	return true;
}

/* ---- the queue ---- */

/* Now on the monotonic clock, in milliseconds. */
static uint64_t monotonic_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/* A queued call arriving within this many milliseconds of the last one
 * belongs to the same burst: the loader waits for its end. */
enum { BURST_GAP_MS = 200 };

/* Messages of one load round: its commit holds the writer (SQLite) or the
 * events' lock (PostgreSQL), so posts wait behind it. A round starts at
 * LOAD_ROUND_MAX and halves while its store takes longer than
 * LOAD_ROUND_SLOW_MS (down to LOAD_ROUND_MIN), doubling back while it takes
 * under a quarter of that: 4,000 take ~0.1-0.4 s of SQLite's writer (more
 * while the HTTP threads take the cores); on PostgreSQL, ~1,700 messages
 * a second, rounds settle at 1,000 (~0.6 s). Smaller rounds commit more
 * often and store fewer messages a second: with rounds halved past 0.2 s
 * a flood of 1 M messages filled the queue (bench/RESULTS-messages.md). */
enum { LOAD_ROUND_MAX = 4000, LOAD_ROUND_MIN = 250, LOAD_ROUND_SLOW_MS = 1000 };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake;    /* the loader: something to do, or stop */
	pthread_cond_t settled; /* settle(): the queue became empty */
	pthread_t thread;
	struct store *s;
	bool running, stopping;
	bool held;              /* ingest_queue_hold(): store nothing */
	int64_t backlog_max;
	int taking;             /* queued calls being taken on this process */
	uint64_t takes;         /* queued calls taken so far (a recount's check) */
	uint64_t last_take_ms;  /* when the last was taken (monotonic) */
	int64_t queued;         /* messages pending (counted, plus taken since) */
	int64_t oldest_at;      /* when the oldest pending call was taken; 0: none */
	int64_t loaded, failed;
} queue = { .mu = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t queue_conds_once = PTHREAD_ONCE_INIT;

/* The queue's condition variables, on the monotonic clock: made once,
 * never destroyed (a late signal after a stop is harmless). */
static void queue_conds_init(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&queue.wake, &ca);
	pthread_cond_init(&queue.settled, &ca);
	pthread_condattr_destroy(&ca);
}

static enum app_err queue_take(struct store *s, const char *const *keys, const struct ingest_msg *ims,
			       size_t n, struct ingest_counts *counts, struct app_error *err)
{
	pthread_mutex_lock(&queue.mu);
	bool running = queue.running && !queue.stopping && queue.s == s;
	int64_t queued = queue.queued;
	int64_t max = queue.backlog_max;
	if (running && queued < max)
		queue.taking++;
	pthread_mutex_unlock(&queue.mu);
	if (!running)
		return app_fail(err, APP_EUNAVAIL, "queued ingest is not running on this server");
	if (queued >= max)
		return app_fail(err, APP_EUNAVAIL,
				"%lld messages are queued, the most this server holds: send the "
				"call again in a few seconds", (long long)queued);
	struct strbuf body = STRBUF_INIT;
	const void **item = xmalloc(n * sizeof(*item));
	size_t *off = xmalloc(n * sizeof(*off)), *item_len = xmalloc(n * sizeof(*item_len));
	for (size_t i = 0; i < n; i++) {
		off[i] = body.len;
		ingest_item_encode(&ims[i].item, &body);
		item_len[i] = body.len - off[i];
	}
	for (size_t i = 0; i < n; i++) /* body.buf is final only now */
		item[i] = body.buf + off[i];
	int64_t call_id;
	enum app_err rc = store_ingest_queue(s, keys, item, item_len, n, counts, &call_id, err);
	free(item_len);
	free(off);
	free(item);
	strbuf_release(&body);
	pthread_mutex_lock(&queue.mu);
	queue.taking--;
	queue.takes++;
	queue.last_take_ms = monotonic_ms();
	if (call_id) {
		int64_t was = queue.queued, half = queue.backlog_max / 2;
		queue.queued += counts->stored;
		if (!queue.oldest_at)
			queue.oldest_at = clock_now();
		/* the loader waits for a burst's end by itself: woken only when
		 * there is something new to wait for, or no more waiting */
		if (!was || (was < half && queue.queued >= half))
			pthread_cond_signal(&queue.wake);
	}
	pthread_mutex_unlock(&queue.mu);
	return rc;
}

/* One round of the loader: the oldest pending calls up to limit messages
 * (at least one call), copied out of the read. */
struct round {
	size_t limit;
	size_t ncalls, cap;
	int64_t *ids;
	size_t *first; /* message index of each call's first, ncalls + 1 */
	size_t *off, *len; /* each call's bytes in bodies */
	int64_t *messages;
	struct strbuf bodies;
};

static bool round_add(void *ctx, const struct ingest_call *call)
{
	struct round *r = ctx;
	if (r->ncalls && r->first[r->ncalls] + (size_t)call->messages > r->limit)
		return false;
	if (r->ncalls + 1 >= r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->ids = xrealloc(r->ids, r->cap * sizeof(*r->ids));
		r->first = xrealloc(r->first, r->cap * sizeof(*r->first));
		r->off = xrealloc(r->off, r->cap * sizeof(*r->off));
		r->len = xrealloc(r->len, r->cap * sizeof(*r->len));
		r->messages = xrealloc(r->messages, r->cap * sizeof(*r->messages));
	}
	size_t k = r->ncalls++;
	r->ids[k] = call->id;
	r->messages[k] = call->messages;
	r->off[k] = r->bodies.len;
	r->len[k] = call->len;
	strbuf_add(&r->bodies, call->body, call->len);
	if (k == 0)
		r->first[0] = 0;
	/* a count no call can have (a damaged row) holds no message here:
	 * round_decode sets the call aside */
	bool counted = call->messages >= 1 && call->messages <= INGEST_CALL_MAX;
	r->first[k + 1] = r->first[k] + (counted ? (size_t)call->messages : 0);
	return true;
}

static void round_release(struct round *r)
{
	free(r->ids);
	free(r->first);
	free(r->off);
	free(r->len);
	free(r->messages);
	strbuf_release(&r->bodies);
}

/* Set call k of r aside with why, logged; false when that failed. A call
 * no longer pending (another node's loader stored it) is left alone. */
static bool set_aside(struct round *r, size_t k, const char *why)
{
	struct app_error err;
	enum app_err rc = store_ingest_fail(queue.s, r->ids[k], why, &err);
	if (rc == APP_ENOTFOUND)
		return true;
	if (rc != APP_OK) {
		log_error("ingest.set_aside_failed", "call=%lld reason=\"%s\"",
			  (long long)r->ids[k], err.msg);
		return false;
	}
	log_error("ingest.call_set_aside", "call=%lld messages=%lld reason=\"%s\"",
		  (long long)r->ids[k], (long long)r->messages[k], why);
	pthread_mutex_lock(&queue.mu);
	queue.failed++;
	if (r->messages[k] > 0)
		queue.queued = queue.queued > r->messages[k] ? queue.queued - r->messages[k] : 0;
	pthread_mutex_unlock(&queue.mu);
	return true;
}

enum decoded {
	DECODED,   /* its messages are in ims, judged */
	SET_ASIDE, /* it cannot be stored: set aside */
	RETRY,     /* the database failed: the round is tried again later */
};

/* Decode call k of r into out[0...], judged. */
static enum decoded round_decode(struct round *r, size_t k, struct ingest_groups *gs,
				 struct ingest_msg *out, struct message *m)
{
	size_t pos = 0, count = r->first[k + 1] - r->first[k];
	const char *body = r->bodies.buf + r->off[k];
	const char *damaged = NULL;
	char why[96];
	if (count != (size_t)r->messages[k])
		damaged = "its count of messages is damaged";
	for (size_t i = 0; !damaged && i < count; i++) {
		struct ingest_msg *im = &out[i];
		enum app_err found;
		if (!ingest_item_decode(body, r->len[k], &pos, &im->item)) {
			damaged = "its stored messages are damaged";
		} else if (!(im->g = ingest_group(queue.s, NULL, gs, im->item.group_id, &found))) {
			if (found != APP_ENOTFOUND) {
				log_error("ingest.group_read_failed", "call=%lld group=%lld",
					  (long long)r->ids[k], (long long)im->item.group_id);
				return RETRY;
			}
			snprintf(why, sizeof(why), "group %lld no longer exists",
				 (long long)im->item.group_id);
			damaged = why;
		} else {
			ingest_judge(im, m);
		}
	}
	if (!damaged && pos != r->len[k])
		damaged = "its stored messages are damaged";
	if (!damaged)
		return DECODED;
	return set_aside(r, k, damaged) ? SET_ASIDE : RETRY;
}

/* Store calls ids[0, n), whose messages are ims[first[j], first[j + 1]),
 * in one commit; false when the database failed (the round is tried again
 * later). *limit becomes the next round's size, by how long this commit
 * took. */
static bool round_store(const int64_t *ids, const size_t *first, size_t n,
			struct ingest_msg *ims, size_t *limit)
{
	bool *loaded = xmalloc((n ? n : 1) * sizeof(*loaded));
	struct app_error err;
	uint64_t t0 = monotonic_ms();
	bool ok = !n || store_ingest_load(queue.s, ids, first, n, ingest_fill_at, ims,
					  messages_event_json, loaded, &err) == APP_OK;
	uint64_t spent = monotonic_ms() - t0;
	if (!ok)
		log_error("ingest.load_failed", "calls=%zu reason=\"%s\"", n, err.msg);
	else if (spent > LOAD_ROUND_SLOW_MS && *limit > LOAD_ROUND_MIN)
		*limit /= 2;
	else if (spent < LOAD_ROUND_SLOW_MS / 4 && *limit < LOAD_ROUND_MAX)
		*limit *= 2;
	int64_t stored = 0;
	for (size_t j = 0; ok && j < n; j++)
		if (loaded[j])
			stored += (int64_t)(first[j + 1] - first[j]);
	pthread_mutex_lock(&queue.mu);
	queue.loaded += stored;
	queue.queued = queue.queued > stored ? queue.queued - stored : 0;
	pthread_mutex_unlock(&queue.mu);
	free(loaded);
	return ok;
}

/* Load one round of at most *limit messages (updated for the next);
 * false when the database failed (the loader waits a second before trying
 * again). The calls that decode are stored together, their messages one
 * after the other; those set aside leave no gap. */
static bool load_round(size_t *limit)
{
	struct round r = { .limit = *limit };
	struct app_error err;
	if (store_ingest_pending(queue.s, round_add, &r, &err) != APP_OK) {
		log_error("ingest.pending_failed", "reason=\"%s\"", err.msg);
		round_release(&r);
		return false;
	}
	bool ok = true;
	if (r.ncalls) {
		struct ingest_groups gs;
		groups_init(&gs, r.first[r.ncalls]);
		struct ingest_msg *ims = xmalloc((r.first[r.ncalls] + 1) * sizeof(*ims));
		int64_t *ids = xmalloc(r.ncalls * sizeof(*ids));
		size_t *first = xmalloc((r.ncalls + 1) * sizeof(*first));
		struct message *m = xmalloc(sizeof(*m));
		size_t n = 0;
		first[0] = 0;
		for (size_t k = 0; ok && k < r.ncalls; k++) {
			enum decoded d = round_decode(&r, k, &gs, ims + first[n], m);
			ok = d != RETRY;
			if (d == DECODED) {
				ids[n] = r.ids[k];
				first[n + 1] = first[n] + (r.first[k + 1] - r.first[k]);
				n++;
			}
		}
		if (ok)
			ok = round_store(ids, first, n, ims, limit);
		free(m);
		free(first);
		free(ids);
		free(ims);
		free(gs.slot);
	}
	round_release(&r);
	return ok;
}

/* Whether the loader may run now (queue.mu held): see the top of the file. */
static bool loader_may_run(void)
{
	if (queue.held)
		return false;
	bool burst = queue.taking || monotonic_ms() - queue.last_take_ms < BURST_GAP_MS;
	return !burst || queue.queued >= queue.backlog_max / 2 ||
	       (queue.oldest_at && clock_now() - queue.oldest_at >= INGEST_DEFER_MAX_S);
}

/* Wait on cv (queue.mu held) for at most ms milliseconds. */
static void wait_ms(pthread_cond_t *cv, int ms)
{
	struct timespec until = clock_deadline(CLOCK_MONOTONIC, ms);
	pthread_cond_timedwait(cv, &queue.mu, &until);
}

/* Count what is pending (every node's, on PostgreSQL) into queue. A take
 * counts its own messages once committed, so the count is kept only when
 * no take was under way or finished while it was read: else the table may
 * hold a call its take is about to count (counted twice), or lack one
 * already counted; the next count, a round later, is exact. */
static void recount(void)
{
	pthread_mutex_lock(&queue.mu);
	uint64_t takes = queue.takes;
	int taking = queue.taking;
	pthread_mutex_unlock(&queue.mu);
	struct ingest_backlog b;
	struct app_error err;
	if (store_ingest_backlog(queue.s, &b, &err) != APP_OK) {
		log_error("ingest.count_failed", "reason=\"%s\"", err.msg);
		return;
	}
	pthread_mutex_lock(&queue.mu);
	queue.failed = b.failed;
	if (!taking && !queue.taking && takes == queue.takes) {
		queue.queued = b.messages;
		queue.oldest_at = b.oldest_at;
		if (!b.messages)
			pthread_cond_broadcast(&queue.settled);
	}
	pthread_mutex_unlock(&queue.mu);
}

static void *loader_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "ingest-loader");
	size_t limit = LOAD_ROUND_MAX;
	for (;;) {
		recount();
		pthread_mutex_lock(&queue.mu);
		if (queue.stopping) {
			pthread_mutex_unlock(&queue.mu);
			break;
		}
		if (!queue.queued) {
			/* a second at most: on PostgreSQL other nodes queue too */
			wait_ms(&queue.wake, 1000);
			pthread_mutex_unlock(&queue.mu);
			continue;
		}
		if (!loader_may_run()) {
			wait_ms(&queue.wake, BURST_GAP_MS);
			pthread_mutex_unlock(&queue.mu);
			continue;
		}
		pthread_mutex_unlock(&queue.mu);
		if (!load_round(&limit)) {
			pthread_mutex_lock(&queue.mu);
			if (!queue.stopping)
				wait_ms(&queue.wake, 1000);
			pthread_mutex_unlock(&queue.mu);
		}
	}
	return NULL;
}

enum app_err ingest_queue_start(struct store *s, int64_t backlog_max, struct app_error *err)
{
	pthread_once(&queue_conds_once, queue_conds_init);
	pthread_mutex_lock(&queue.mu);
	if (queue.running) {
		pthread_mutex_unlock(&queue.mu);
		return app_fail(err, APP_EINVAL, "the ingest queue's loader runs already");
	}
	queue.s = s;
	queue.backlog_max = backlog_max;
	queue.held = false;
	queue.stopping = false;
	queue.taking = 0;
	queue.takes = queue.last_take_ms = 0;
	queue.queued = queue.oldest_at = queue.loaded = queue.failed = 0;
	queue.running = true; /* calls may be taken from here on */
	pthread_mutex_unlock(&queue.mu);
	recount(); /* what an earlier run left: settle() waits for it too */
	if (pthread_create(&queue.thread, NULL, loader_main, NULL) != 0) {
		pthread_mutex_lock(&queue.mu);
		queue.running = false;
		pthread_mutex_unlock(&queue.mu);
		return app_fail(err, APP_EIO, "cannot start the ingest queue's loader");
	}
	return APP_OK;
}

void ingest_queue_stop(void)
{
	pthread_mutex_lock(&queue.mu);
	if (!queue.running) {
		pthread_mutex_unlock(&queue.mu);
		return;
	}
	queue.stopping = true;
	pthread_cond_signal(&queue.wake);
	pthread_mutex_unlock(&queue.mu);
	pthread_join(queue.thread, NULL);
	pthread_mutex_lock(&queue.mu);
	queue.running = false;
	queue.s = NULL;
	pthread_cond_broadcast(&queue.settled);
	pthread_mutex_unlock(&queue.mu);
}

void ingest_queue_hold(bool held)
{
	pthread_once(&queue_conds_once, queue_conds_init);
	pthread_mutex_lock(&queue.mu);
	queue.held = held;
	pthread_cond_signal(&queue.wake);
	pthread_mutex_unlock(&queue.mu);
}

bool ingest_queue_settle(int ms)
{
	struct timespec until = clock_deadline(CLOCK_MONOTONIC, ms);
	pthread_mutex_lock(&queue.mu);
	while (queue.running && (queue.queued || queue.taking) &&
	       pthread_cond_timedwait(&queue.settled, &queue.mu, &until) == 0)
		;
	bool settled = !queue.queued && !queue.taking;
	pthread_mutex_unlock(&queue.mu);
	return settled;
}

void ingest_queue_stats(struct ingest_queue_stats *out)
{
	pthread_mutex_lock(&queue.mu);
	*out = (struct ingest_queue_stats){ .running = queue.running && !queue.stopping,
					    .queued = queue.queued,
					    .loaded = queue.loaded,
					    .failed = queue.failed };
	pthread_mutex_unlock(&queue.mu);
}
