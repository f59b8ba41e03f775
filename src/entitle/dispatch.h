/*
 * dispatch.h - what entitlement events set going downstream (docs/outbox.md):
 * the dispatcher reads entitlement_events after its stored cursor, in
 * order, and for each event
 *   - with a template for its kind in the entitlement's programme: one
 *     outbox message, the template rendered, to the person's phone;
 *   - "granted", when the programme has a "delivery": one delivery task (a
 *     case of type delivery, cases/delivery.h) in the person's region;
 *   - "revoked": the entitlement's open delivery task cancelled, with the
 *     entitlement's reason.
 * What one event makes is stored with the cursor moved past it, and a
 * message per event and a task per entitlement are unique: running twice
 * sends nothing twice, and a crash between two events resumes at the first
 * one not stored. The events of a batch (up to a revocation, whose
 * cancellation comes first) share one durable transaction, each in order. Programmes are found by id
 * in a folder (option programmes_dir) with entitle_programme_find().
 */
#ifndef ENTITLE_DISPATCH_H
#define ENTITLE_DISPATCH_H

#include "core/calendar.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct dispatch_counts {
	int events;    /* read and dispatched */
	int messages;  /* outbox messages made */
	int tasks;     /* delivery tasks opened */
	int cancelled; /* delivery tasks cancelled */
	int skipped;   /* events that could not be dispatched (audited as dispatch.skipped) */
};

/*
 * Dispatch the events after the cursor, at most limit, at now, with the
 * programmes of folder dir and the working-day calendar cal. Counts into
 * *out (what this run made; what was made before is not counted again).
 * An event that cannot be dispatched (its programme in no file of dir or
 * not loading, its delivery task not made) is skipped: the cursor moves
 * past it with an audit entry dispatch.skipped saying why, counted in
 * skipped. Errors are the store's.
 */
enum app_err dispatch_run(struct store *s, const struct calendar *cal, const char *dir,
			  int64_t now, int limit, struct dispatch_counts *out,
			  struct app_error *err);

/* The scheduled job "entitle.dispatch": dispatch_run() until nothing is
 * left, with the programmes of entitle_programmes_dir() (entitle.h). */
enum app_err dispatch_job(struct store *s, int64_t now, char *detail, size_t cap,
			  struct app_error *err);

#endif
