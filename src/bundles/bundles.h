/*
 * bundles.h - 一件事 bundles (docs/bundles.md): one life event of one person
 * (disability certification, birth, retirement) starts several services at
 * once, and the bundle follows each service's state.
 *
 * An event is defined in a JSON file, <bundles_dir>/<event>.json, read when
 * a bundle of it starts: its services are copied into the bundle then, so a
 * later edit of the file changes no bundle already running. A service is
 * either a task (a unit does it within some working days, and an officer
 * marks it done or refused) or an entitlement (a programme of 免申即享: its
 * state is the person's entitlement of that programme, read from the
 * pipeline's table, never stored twice). Overdue is decided when read, from
 * the due instant fixed on the working-day calendar at the start: no
 * scheduled job is needed.
 *
 * Who may act where is decided by the callers (bundles_http.c asks
 * auth_scope(); the CLI is the operator). `actor` is who acts, for the audit
 * trail ("cli:root", "user:12").
 */
#ifndef BUNDLES_BUNDLES_H
#define BUNDLES_BUNDLES_H

#include "core/calendar.h"
#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUNDLES_DEF_FILE_MAX (64 * 1024) /* bytes of a definition file */
#define BUNDLES_DAYS_MAX 60              /* working days of a task's limit */
#define BUNDLES_NOTE_MAX 200             /* characters of a marking's note */

/* An event's definition: what bundle_start copies into a bundle. */
struct bundle_def {
	char event[BUNDLE_CODE_MAX + 1];
	char name[256];
	int nservices;
	struct bundle_service services[BUNDLE_SERVICES_MAX]; /* state "todo" or "follows" */
};

/*
 * Parse definition text[0..len) (JSON) of file `file` (for messages): an
 * object {"event", "name", "services": [...]}, each service {"code",
 * "name", "kind": "task", "unit", "days"} or {"code", "name", "kind":
 * "entitlement", "programme"}; no other member anywhere. When event is not
 * NULL the file must define that event. APP_EINVAL with a message naming
 * the file and the JSON path of what is wrong (e.g. "birth.json:
 * services[2]: 'days' must be ..."), out untouched. Whether a programme
 * exists is checked by bundles_start, not here.
 */
enum app_err bundles_def_parse(const char *text, size_t len, const char *file, const char *event,
			       struct bundle_def *out, struct app_error *err);

/*
 * The definition of event from dir/<event>.json. APP_EINVAL (field "event")
 * when event is no valid code or dir has no file for it; the errors of
 * bundles_def_parse; APP_EIO when the file cannot be read.
 */
enum app_err bundles_def_load(const char *dir, const char *event, struct bundle_def *out,
			      struct app_error *err);

/* The folder of definitions of this process: `serve` sets it from the
 * option bundles_dir before its threads start ("data/bundles" until then).
 * The string is copied. */
void bundles_set_dir(const char *dir);
const char *bundles_dir(void);

/* ---- the state of a bundle, derived when read ---- */

enum bundle_outcome {
	BUNDLE_PENDING, /* still to be decided */
	BUNDLE_DONE,    /* done, or the entitlement granted */
	BUNDLE_REFUSED, /* refused, or the entitlement refused, declined or revoked */
	BUNDLE_OUTCOME__MAX
};
extern const char *const bundle_outcome_names[BUNDLE_OUTCOME__MAX]; /* "pending" */

struct bundle_service_state {
	enum bundle_outcome outcome;
	const char *state; /* task: todo/done/refused; entitlement: its state or "waiting" */
	const char *label; /* the state in Chinese */
	bool overdue;      /* a task still todo after its due instant */
};

/* The state of service v of a bundle at now. */
void bundles_service_state(const struct bundle_service *v, int64_t now,
			   struct bundle_service_state *out);

struct bundle_summary {
	int pending, done, refused, overdue; /* services of each outcome; overdue tasks */
	bool completed;                      /* no service pending */
	const char *state;                   /* "in_progress" or "completed" */
	const char *label;                   /* 办理中 or 已办结 */
};

/* The state of bundle b at now: completed once no service is pending. */
void bundles_summarize(const struct bundle *b, int64_t now, struct bundle_summary *out);

/* ---- starting and marking ---- */

/* The person of a new bundle, as given (checked by bundles_start). */
struct bundle_person {
	const char *id_number; /* 18 characters (GB 11643) */
	const char *name;      /* 1 to 30 characters */
	const char *phone;     /* a mobile number, or NULL / "" */
	const char *region;    /* where the person lives: a region in the registry */
};

/*
 * Start a bundle of event (its definition from dir, every programme of its
 * entitlement services found in programmes_dir) for person p at now:
 * every service at once, a task's due instant its days of working days on
 * cal after now; stored with the services and its audit entry in one
 * transaction, then read back into *out. Errors: APP_EINVAL naming the
 * field (or the definition's problem, an unknown programme among them),
 * APP_ECONFLICT when the person has a bundle of that event, the store's
 * otherwise: then nothing is written, except when only the read back
 * fails, whose message says the bundle was started (and its id).
 */
enum app_err bundles_start(struct store *s, const struct calendar *cal, const char *dir,
			   const char *programmes_dir, const char *event,
			   const struct bundle_person *p, const char *actor, int64_t now,
			   struct bundle *out, struct app_error *err);

/*
 * Mark task service code of bundle b "done" or "refused" (a refusal says
 * why in note; a note has at most BUNDLES_NOTE_MAX characters) as actor at
 * now, audited, and read b back from the store. APP_ENOTFOUND when b has
 * no such service, APP_EINVAL for an entitlement service or a bad state or
 * note, APP_ECONFLICT when the task is marked already: nothing written.
 * When only the read back fails, the mark stands and the message says so.
 */
enum app_err bundles_mark(struct store *s, struct bundle *b, const char *code,
			  const char *state, const char *note, const char *actor, int64_t now,
			  struct app_error *err);

/*
 * Record, before the person of bundle b leaves unmasked, that actor reveals
 * it and why (reason: 1 to BUNDLES_NOTE_MAX characters; no personal data
 * belongs in it): audit entry "bundle.person_read" on "bundle:<id>". When
 * that fails nothing may be revealed. APP_EINVAL (field "reason") without a
 * reason.
 */
enum app_err bundles_reveal(struct store *s, const struct bundle *b, const char *reason,
			    const char *actor, struct app_error *err);

#endif
