/*
 * push.h - deliveries of the data-sharing exchange to consumers' endpoints
 * (docs/exchange.md "Pushes"): at each subscription's scheduled time
 * (monthly on a day at a time, China time) the batches it has not yet been
 * given are POSTed as JSON lines with only the granted fields, signed with
 * the exchange's own key; a 2xx answer delivers them, anything else is
 * retried with a growing backoff. Every attempt is recorded with its HTTP
 * status and audited.
 *
 * The exchange's own Ed25519 key pair lives in <data_dir>/exchange.key
 * (the secret key, mode 0600), made on first use; consumers verify pushes
 * with its public key (`bianmin exchange key`).
 */
#ifndef EXCHANGE_PUSH_H
#define EXCHANGE_PUSH_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;

/* The exchange's key pair from <dir>/exchange.key, made when missing:
 * secret key into sk (EXCHANGE_SECRET_TEXT bytes), public key into pk. */
enum app_err exchange_self_key(const char *dir, char *sk, size_t sk_cap, char *pk, size_t pk_cap,
			       struct app_error *err);

/* Where the scheduled job finds the exchange's key (the data_dir); set
 * once at start, before the scheduler runs. */
void exchange_push_set_dir(const char *dir);

struct exchange_push_counts {
	int due;       /* subscriptions due */
	int delivered; /* acknowledged by a 2xx */
	int failed;    /* to be retried */
	int idle;      /* nothing new to deliver */
};

/*
 * Push to every active subscription due at now, signing with the key of
 * folder dir (exchange_self_key(), read only when something is due). A failed delivery is no error of this function: it is recorded and
 * retried; errors are the store's.
 */
enum app_err exchange_push_due(struct store *s, const char *dir, int64_t now,
			       struct exchange_push_counts *out, struct app_error *err);

/* The scheduled job "exchange": exchange_push_due() with the key of the
 * folder set by exchange_push_set_dir(). */
enum app_err exchange_push_job(struct store *s, int64_t now, char *detail, size_t cap,
			       struct app_error *err);

#endif
