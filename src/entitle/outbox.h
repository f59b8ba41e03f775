/*
 * outbox.h - notifications of 免申即享 to persons (docs/outbox.md): the
 * message templates of a programme rendered for one entitlement event, and
 * the sender that moves the outbox's messages to an SMS gateway.
 *
 * Templates (a programme's "templates", keyed by event kind) name values in
 * braces: {name} {programme} {amount} (yuan, "410.00") {period} {until}
 * {from}. Any other name, or a brace left open, is refused when the
 * programme is loaded (outbox_template_check()); rendering copies the text
 * byte for byte around the values, so UTF-8 stays whole, and refuses a
 * message that would not fit rather than cutting it.
 *
 * The sender (job "outbox.send"): with no gateway configured (option
 * sms_gateway "") a due message is kept (state "kept": the outbox is the
 * record); with one it is POSTed as JSON {"id","to","text"}; a 2xx sends
 * it, anything else is tried again after a growing backoff (1 min, 5 min,
 * 30 min, 2 h, 6 h) and failed after OUTBOX_ATTEMPTS_MAX attempts.
 */
#ifndef ENTITLE_OUTBOX_H
#define ENTITLE_OUTBOX_H

#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum outbox_value {
	OUTBOX_NAME,      /* {name}: the person's name */
	OUTBOX_PROGRAMME, /* {programme}: the programme's name */
	OUTBOX_AMOUNT,    /* {amount}: yuan, "410.00" */
	OUTBOX_PERIOD,    /* {period}: "2026", or "2026-10" for a month */
	OUTBOX_UNTIL,     /* {until}: the day consent is asked by, "2026-11-08" (China) */
	OUTBOX_FROM,      /* {from}: the day it starts, or for a revocation stops */
	OUTBOX_VALUE__MAX
};

#define OUTBOX_ATTEMPTS_MAX 6

/* The placeholder's name ("name", ...). */
const char *outbox_value_name(enum outbox_value v);

/* Whether text is a usable template: every {...} names a value above,
 * every brace is closed, valid UTF-8. APP_EINVAL saying which placeholder. */
enum app_err outbox_template_check(const char *text, struct app_error *err);

/*
 * Render template tmpl with values v (NULL counts as "") into out (cap
 * bytes, NUL-terminated). APP_EINVAL for an unknown placeholder or an
 * unclosed brace, and when the message does not fit in cap (nothing is
 * cut). out is set only on success.
 */
enum app_err outbox_render(const char *tmpl, const char *const v[OUTBOX_VALUE__MAX], char *out,
			   size_t cap, struct app_error *err);

/* The values of entitlement x's event of kind for a programme named
 * programme, into the buffers of vals (pointers in v). */
struct outbox_values {
	char amount[32], period[16], until[16], from[16];
	const char *v[OUTBOX_VALUE__MAX];
};
void outbox_values_of(const struct entitlement *x, enum entitle_event kind,
		      const char *programme, struct outbox_values *vals);

/* Where the job finds the gateway (option sms_gateway); set once at start,
 * before the scheduler runs. "" or NULL: none. */
void outbox_set_gateway(const char *url);
/* Whether url is usable as a gateway: "" (none), an https:// address, or
 * http:// on this machine. */
bool outbox_gateway_ok(const char *url);

struct outbox_counts {
	int due, sent, kept, retry, failed;
};

/*
 * Send what is due at now through gateway (""/NULL: keep it), at most
 * limit messages, claimed first (store_outbox_due()) so that no other
 * sender takes them meanwhile; each attempt is recorded with its HTTP status and
 * audited (never the phone or the text). A gateway's failure is no error
 * of this function; errors are the store's.
 */
enum app_err outbox_send_due(struct store *s, const char *gateway, int64_t now, int limit,
			     struct outbox_counts *out, struct app_error *err);

/* The scheduled job "outbox.send": outbox_send_due() with the gateway of
 * outbox_set_gateway(). */
enum app_err outbox_job(struct store *s, int64_t now, char *detail, size_t cap,
			struct app_error *err);

#endif
