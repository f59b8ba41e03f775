/*
 * broker.h - the operations of the data-sharing exchange (docs/exchange.md):
 * members and their keys, datasets, signed batch uploads, subscriptions,
 * their approval, and pulls. Each checks its input, then writes through
 * store.h with its audit entry; the CLI and the HTTP handlers call these and
 * nothing below them. Who may call what is decided by the callers (the CLI
 * is the operator; exchange_http.c asks auth_scope()).
 *
 * `actor` is who acts, for the audit trail ("cli:root", "apikey:3").
 */
#ifndef EXCHANGE_BROKER_H
#define EXCHANGE_BROKER_H

#include "core/strbuf.h"
#include "exchange/exchange.h"
#include "store/store.h"

/*
 * A member agency with a new key pair: the public key is stored, the secret
 * key written to secret_path (a new file, mode 0600) for the agency and
 * never stored or logged. APP_EINVAL for a bad code, name or region,
 * APP_ECONFLICT for a code taken or a file that exists.
 */
enum app_err exchange_member_add(struct store *s, const char *code, const char *name,
				 const char *region, const char *secret_path, const char *actor,
				 int64_t now, struct exchange_member *out, struct app_error *err);
/* A new key pair for member code, its secret key to secret_path as above;
 * the old key is kept, retired, to verify the batches it signed. */
enum app_err exchange_member_rotate(struct store *s, const char *code, const char *secret_path,
				    const char *actor, int64_t now, struct exchange_member *out,
				    struct app_error *err);
/* Bind API key api_key_id to member code: the key must exist, be valid and
 * have the role exchange_member (APP_EINVAL otherwise), and speak for no
 * other member (APP_ECONFLICT). */
enum app_err exchange_member_link(struct store *s, const char *code, int64_t api_key_id,
				  const char *actor, struct app_error *err);
/* The member code into out; APP_ENOTFOUND when there is none. */
enum app_err exchange_member_get(struct store *s, const char *code, struct exchange_member *out,
				 struct app_error *err);

/* Sharing class by name: "unconditional"/"无条件", "conditional"/"有条件",
 * "none"/"不予共享". */
bool exchange_sharing_parse(const char *name, enum exchange_sharing *out);

/* A dataset of provider with the schema JSON text (checked). */
enum app_err exchange_dataset_add(struct store *s, const char *code, const char *provider,
				  const char *name, enum exchange_sharing sharing,
				  const char *schema, const char *actor, int64_t now,
				  struct app_error *err);

/* A dataset with its parsed schema; release with exchange_dataset_release(). */
struct exchange_dataset_info {
	struct exchange_dataset d; /* d.schema is NULL here */
	struct exchange_schema *schema;
};
enum app_err exchange_dataset_get(struct store *s, const char *code,
				  struct exchange_dataset_info *out, struct app_error *err);
void exchange_dataset_release(struct exchange_dataset_info *info);

struct exchange_upload {
	const char *member, *dataset, *batch_id;
	const char *signature; /* base64, over exchange_batch_signed_bytes() */
	enum exchange_format format;
	const char *body;
	size_t len;
	const char *actor;
	int64_t now;
};

/*
 * Receive a batch: the member must provide the dataset (APP_EPERM), the
 * signature must verify with the member's current key (APP_EINVAL, field
 * "signature"), every row must fit the schema (APP_EINVAL with line-numbered
 * errors); then it is stored with its rows. The same batch id with the same
 * content again is stored once (*resent true, out the stored batch); with
 * other content it is refused (APP_ECONFLICT). A refusal for signature or
 * schema is audited (exchange.batch.reject) with the body's hash.
 */
enum app_err exchange_upload(struct store *s, const struct exchange_upload *u,
			     struct exchange_batch *out, bool *resent, struct app_error *err);

struct exchange_subscribe {
	const char *consumer, *dataset, *fields;
	const char *endpoint; /* http:// or https://; NULL or "" for pull only */
	int day, minute;      /* monthly push schedule, with an endpoint */
	const char *actor;
	int64_t now;
};
/*
 * A subscription of consumer to fields of dataset: refused for a 不予共享
 * dataset (APP_EPERM); pending approval for a 有条件 one, active otherwise
 * (then its first push is due on the schedule). out gets the stored row.
 */
enum app_err exchange_subscribe(struct store *s, const struct exchange_subscribe *in,
				struct exchange_subscription *out, struct app_error *err);
/* Subscription id into out; APP_ENOTFOUND when there is none. */
enum app_err exchange_sub_get(struct store *s, int64_t id, struct exchange_subscription *out,
			      struct app_error *err);
/* Approve pending subscription id (a conditional dataset's). */
enum app_err exchange_approve(struct store *s, int64_t id, const char *actor, int64_t now,
			      struct app_error *err);
/* End subscription id: no more pushes or pulls. */
enum app_err exchange_unsubscribe(struct store *s, int64_t id, const char *actor,
				  struct app_error *err);

/*
 * The rows of active subscription x after batch `after`, at most max_batches
 * batches, each line a JSON object {"seq", "batch", "provider", "sha256",
 * "line", "data"} with only the granted fields in data, appended to out.
 * *upto gets the last batch's seq (after when none), *nrows the rows.
 */
enum app_err exchange_rows_of(struct store *s, const struct exchange_subscription *x,
			      int64_t after, int max_batches, struct strbuf *out, int64_t *upto,
			      int64_t *nrows, struct app_error *err);

/* A pull by the consumer of subscription id (consumer NULL: by an
 * operator), as exchange_rows_of, audited (exchange.pull) with the batches'
 * range and the hash of what was handed out. */
enum app_err exchange_pull(struct store *s, int64_t id, const char *consumer, int64_t after,
			   int max_batches, const char *actor, struct strbuf *out, int64_t *upto,
			   int64_t *nrows, struct app_error *err);

#endif
