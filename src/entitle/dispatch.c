/*
 * dispatch.c - entitlement events into outbox messages and delivery tasks;
 * see dispatch.h. Reads in batches, keeps the programmes it loaded for the
 * run, and stores a batch's events in one transaction, each in order with
 * the cursor (store_dispatch_apply_many()); a revocation's cancellation
 * goes between the events before it and its own.
 */
#include "entitle/dispatch.h"
#include "cases/cases_calendar.h"
#include "cases/delivery.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/pii.h"
#include "core/utf8.h"
#include "entitle/entitle.h"
#include "entitle/outbox.h"
#include "rules/rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAMMES_MAX 16 /* distinct programmes one run keeps loaded */

/* The programmes a run loaded, by id. */
struct programmes {
	int n;
	struct entitle_programme p[PROGRAMMES_MAX];
};

static enum app_err programme_of(struct programmes *ps, const char *dir, const char *id,
				 const struct entitle_programme **out, struct app_error *err)
{
	for (int i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].id, id) == 0) {
			*out = &ps->p[i];
			return APP_OK;
		}
	if (ps->n == PROGRAMMES_MAX) /* a run is short: the next one starts afresh */
		return app_fail(err, APP_EUNAVAIL, "more than %d programmes in one run",
				PROGRAMMES_MAX);
	enum app_err rc = entitle_programme_find(dir, id, &ps->p[ps->n], err);
	if (rc == APP_ENOTFOUND)
		return app_fail(err, APP_ENOTFOUND,
				"programme '%s' is in no file of '%s' (option programmes_dir)", id,
				dir);
	if (rc != APP_OK)
		return rc;
	*out = &ps->p[ps->n++];
	return APP_OK;
}

/* An event as read, with its entitlement. */
struct item {
	struct entitlement_event e;
	struct entitlement x;
};

struct batch {
	struct item *items;
	int n, cap;
};

static bool collect(void *ctx, const struct entitlement_event *e, const struct entitlement *x)
{
	struct batch *b = ctx;
	if (b->n == b->cap)
		return false;
	b->items[b->n].e = *e;
	b->items[b->n].x = *x;
	b->n++;
	return true;
}

/* The message event e tells, into *o (its text, and the same with the
 * name masked for listings); false when there is none (no template for
 * the kind, no phone, or a text that does not render). */
static bool message_of(const struct entitle_programme *p, const struct item *it, int64_t now,
		       struct outbox_row *o)
{
	const char *tmpl = it->e.kind < ENTITLE_EVENT__MAX ? p->templates[it->e.kind] : NULL;
	if (!tmpl || !it->x.phone[0])
		return false;
	struct outbox_values vals;
	outbox_values_of(&it->x, it->e.kind, p->name, &vals);
	memset(o, 0, sizeof(*o));
	struct app_error why;
	char masked[PII_NAME_MASK_MAX];
	pii_name_mask(it->x.person_name, masked);
	enum app_err rc = outbox_render(tmpl, vals.v, o->text, sizeof(o->text), &why);
	vals.v[OUTBOX_NAME] = masked;
	if (rc == APP_OK)
		rc = outbox_render(tmpl, vals.v, o->text_masked, sizeof(o->text_masked), &why);
	if (rc != APP_OK) {
		log_warn("dispatch.no_message", "event=%" PRId64 " reason=\"%s\"", it->e.id,
			 why.msg);
		return false;
	}
	o->event = it->e.id;
	o->entitlement = it->x.id;
	snprintf(o->programme, sizeof(o->programme), "%s", it->x.programme);
	snprintf(o->kind, sizeof(o->kind), "%s", entitle_event_names[it->e.kind]);
	snprintf(o->region, sizeof(o->region), "%s", it->x.region);
	snprintf(o->phone, sizeof(o->phone), "%s", it->x.phone);
	snprintf(o->state, sizeof(o->state), "pending");
	o->next_at = now;
	o->created_at = now;
	return true;
}

/* An event's step as it waits in a batch, with what the step points to. */
struct pending {
	struct dispatch_step d;
	struct outbox_row msg;
	struct case_row task;
	struct case_event_row line;
	char detail[400], summary[64];
	struct audit_note note;
};

/* The step of event it into *w: its message, the task a grant opens. */
static enum app_err prepare(const struct calendar *cal, const struct entitle_programme *p,
			    const struct item *it, int64_t now, struct pending *w,
			    struct app_error *err)
{
	w->d = (struct dispatch_step){ .event = it->e.id, .entitlement = it->x.id,
				       .programme = it->x.programme };
	if (message_of(p, it, now, &w->msg))
		w->d.message = &w->msg;
	if (it->e.kind != ENTITLE_EV_GRANTED || !p->delivery)
		return APP_OK;
	char amount[32];
	rules_fen_format(it->x.amount, amount, sizeof(amount));
	snprintf(w->detail, sizeof(w->detail), "%s, %d, %s yuan (entitlement %" PRId64 ")", p->name,
		 (int)it->x.period, amount, it->x.id);
	struct delivery_new dn = { it->x.id, p->id, p->delivery_title, p->delivery_category,
				   p->delivery_limit_days, it->x.region, it->x.person_name,
				   it->x.phone, w->detail };
	enum app_err rc = delivery_prepare(cal, &dn, now, &w->task, &w->line, err);
	if (rc != APP_OK)
		return rc;
	snprintf(w->summary, sizeof(w->summary), "entitlement %" PRId64, it->x.id);
	w->note = (struct audit_note){ "system:dispatch", "delivery.open", "case:{id}", it->x.region,
				       w->summary };
	w->d.task = &w->task;
	w->d.line = &w->line;
	w->d.note = &w->note;
	return APP_OK;
}

/* Event it skipped for why, into *w: a step that moves the cursor past it
 * with an audit entry (dispatch.skipped) saying why, and nothing else. */
static void skip(const struct item *it, const struct app_error *why, struct pending *w)
{
	log_warn("dispatch.skipped", "event=%" PRId64 " reason=\"%s\"", it->e.id, why->msg);
	w->d = (struct dispatch_step){ .event = it->e.id, .entitlement = it->x.id,
				       .programme = it->x.programme };
	snprintf(w->summary, sizeof(w->summary), "entitlement:%" PRId64, it->x.id);
	int len = snprintf(w->detail, sizeof(w->detail), "event %" PRId64 " (%s) skipped: ",
			   it->e.id, entitle_event_names[it->e.kind]);
	utf8_copy_cut(w->detail + len, sizeof(w->detail) - (size_t)len, why->msg);
	w->note = (struct audit_note){ "system:dispatch", "dispatch.skipped", w->summary,
				       it->x.region, w->detail };
	w->d.note = &w->note;
}

/* Store the *n steps waiting in w in one transaction, counted into c. */
static enum app_err flush(struct store *s, struct pending *w, int *n, struct dispatch_counts *c,
			  struct app_error *err)
{
	if (!*n)
		return APP_OK;
	struct dispatch_step *d = xcalloc((size_t)*n, sizeof(*d));
	for (int i = 0; i < *n; i++)
		d[i] = w[i].d;
	int stored = 0;
	enum app_err rc = store_dispatch_apply_many(s, d, *n, &stored, err);
	for (int i = 0; i < stored; i++) {
		c->events++;
		c->messages += d[i].message_new;
		c->tasks += d[i].task_new;
	}
	free(d);
	*n = 0;
	return rc;
}

enum app_err dispatch_run(struct store *s, const struct calendar *cal, const char *dir,
			  int64_t now, int limit, struct dispatch_counts *out,
			  struct app_error *err)
{
	struct dispatch_counts n = { 0 };
	struct batch b = { .cap = limit > 0 ? limit : 1 };
	b.items = xcalloc((size_t)b.cap, sizeof(*b.items));
	struct pending *w = xcalloc((size_t)b.cap, sizeof(*w));
	struct programmes *ps = xcalloc(1, sizeof(*ps));
	int64_t after = 0;
	int waiting = 0;
	enum app_err rc = store_dispatch_cursor(s, &after, err);
	if (rc == APP_OK)
		rc = store_dispatch_events(s, after, b.cap, collect, &b, err);
	for (int i = 0; rc == APP_OK && i < b.n; i++) {
		const struct item *it = &b.items[i];
		const struct entitle_programme *p = NULL;
		struct app_error why;
		enum app_err prc = programme_of(ps, dir, it->x.programme, &p, &why);
		if (prc == APP_EUNAVAIL)
			break; /* the next run goes on from here */
		if (prc == APP_OK && it->e.kind == ENTITLE_EV_REVOKED) {
			/* the events before it first, then its task cancelled */
			bool cancelled = false;
			rc = flush(s, w, &waiting, &n, err);
			if (rc == APP_OK)
				rc = delivery_cancel_for(s, cal, it->x.id, it->x.reason, now,
							 &cancelled, err);
			n.cancelled += cancelled;
		}
		if (rc != APP_OK)
			break;
		if (prc == APP_OK)
			prc = prepare(cal, p, it, now, &w[waiting], &why);
		if (prc != APP_OK) { /* a bad event does not hold up the ones after it */
			skip(it, &why, &w[waiting]);
			n.skipped++;
		}
		waiting++;
	}
	/* what was prepared before a failure is stored all the same */
	struct app_error last;
	enum app_err frc = flush(s, w, &waiting, &n, &last);
	if (rc == APP_OK && frc != APP_OK) {
		rc = frc;
		*err = last;
	}
	for (int i = 0; i < ps->n; i++)
		entitle_programme_release(&ps->p[i]);
	free(ps);
	free(w);
	free(b.items);
	*out = n; /* what was stored, also when a later event failed */
	return rc;
}

enum app_err dispatch_job(struct store *s, int64_t now, char *detail, size_t cap,
			  struct app_error *err)
{
	enum { BATCH = 200, BATCHES_MAX = 100 };
	const struct calendar *cal;
	struct dispatch_counts all = { 0 }, n = { .events = BATCH };
	enum app_err rc = cases_calendar_shared(s, &cal, err);
	for (int i = 0; rc == APP_OK && n.events == BATCH && i < BATCHES_MAX; i++) {
		rc = dispatch_run(s, cal, entitle_programmes_dir(), now, BATCH, &n, err);
		all.events += n.events;
		all.messages += n.messages;
		all.tasks += n.tasks;
		all.cancelled += n.cancelled;
		all.skipped += n.skipped;
	}
	if (rc == APP_OK)
		snprintf(detail, cap,
			 "%d events: %d messages, %d delivery tasks opened, %d cancelled, %d skipped",
			 all.events, all.messages, all.tasks, all.cancelled, all.skipped);
	return rc;
}
