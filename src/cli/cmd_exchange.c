/*
 * cmd_exchange.c - `bianmin exchange member|dataset|sign|upload|subscribe|
 * approve|end|subscriptions|attempts|push|pull|key`: the operator's side of
 * the data-sharing exchange (docs/exchange.md, docs/cli.md). Each action
 * parses its options, then calls src/exchange; nothing is decided here.
 * Secret keys are written to files, never printed.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/csv.h"
#include "exchange/broker.h"
#include "exchange/push.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX ((size_t)512 << 20) /* a batch or schema file */

/* A positive id from text, or 0. */
static int64_t parse_id(const char *s)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end && v > 0 ? v : 0;
}

static void print_member(const struct exchange_member *m)
{
	printf("%-16s %-24s %-12s key %lld %s\n", m->code, m->name, m->region, (long long)m->key_id,
	       m->public_key);
}

static bool member_line(void *ctx, const struct exchange_member *m)
{
	(void)ctx;
	print_member(m);
	return true;
}

static int member(struct store *s, const char *actor, int argc, char **argv,
		  struct app_error *err, enum app_err *r)
{
	const char *action = argc > 2 ? argv[2] : "";
	struct cli_opts o;
	int rc = cli_opts_parse("exchange", argc, argv, 3, "--name,--region,--key-out,--apikey", 2,
				&o);
	if (rc != CLI_OK)
		return rc;
	const char *code = o.pos[0];
	char path[600];
	snprintf(path, sizeof(path), "%s", cli_opt(&o, "--key-out") ? cli_opt(&o, "--key-out") : "");
	if (!path[0] && code)
		snprintf(path, sizeof(path), "%s.key", code);
	struct exchange_member m;
	if (strcmp(action, "add") == 0) {
		if (!code || !cli_opt(&o, "--name") || !cli_opt(&o, "--region"))
			return cli_usage("exchange", "member add CODE --name NAME --region CODE "
						     "[--key-out FILE]");
		*r = exchange_member_add(s, code, cli_opt(&o, "--name"), cli_opt(&o, "--region"), path, actor,
					 clock_now(), &m, err);
		if (*r == APP_OK)
			printf("member %s added; public key %s\nsecret key written to %s (mode 0600): "
			       "give it to the agency, it is kept nowhere else\n",
			       m.code, m.public_key, path);
	} else if (strcmp(action, "rotate") == 0) {
		if (!code)
			return cli_usage("exchange", "member rotate CODE [--key-out FILE]");
		*r = exchange_member_rotate(s, code, path, actor, clock_now(), &m, err);
		if (*r == APP_OK)
			printf("member %s has key %lld: %s (the old one is kept to verify old "
			       "batches)\nsecret key written to %s (mode 0600)\n",
			       m.code, (long long)m.key_id, m.public_key, path);
	} else if (strcmp(action, "link") == 0) {
		int64_t key = parse_id(cli_opt(&o, "--apikey"));
		if (!code || !key)
			return cli_usage("exchange", "member link CODE --apikey ID (see 'apikey list')");
		*r = exchange_member_link(s, code, key, actor, err);
		if (*r == APP_OK)
			printf("member %s calls with API key %lld\n", code, (long long)key);
	} else if (strcmp(action, "list") == 0) {
		*r = store_exchange_members(s, NULL, 0, member_line, NULL, err);
	} else {
		return cli_usage("exchange", "member add|rotate|link|list");
	}
	return CLI_OK;
}

static bool dataset_line(void *ctx, const struct exchange_dataset *d)
{
	(void)ctx;
	printf("%-20s %-16s %-10s %s\n", d->code, d->provider, exchange_sharing_names_zh[d->sharing],
	       d->name);
	return true;
}

static int dataset(struct store *s, const char *actor, int argc, char **argv,
		   struct app_error *err, enum app_err *r)
{
	const char *action = argc > 2 ? argv[2] : "";
	struct cli_opts o;
	int rc = cli_opts_parse("exchange", argc, argv, 3, "--provider,--name,--sharing,--schema", 2,
				&o);
	if (rc != CLI_OK)
		return rc;
	if (strcmp(action, "list") == 0) {
		*r = store_exchange_datasets(s, NULL, dataset_line, NULL, err);
		return CLI_OK;
	}
	enum exchange_sharing sharing;
	if (strcmp(action, "add") != 0 || !o.pos[0] || !cli_opt(&o, "--provider") ||
	    !cli_opt(&o, "--name") || !cli_opt(&o, "--schema") ||
	    !exchange_sharing_parse(cli_opt(&o, "--sharing"), &sharing))
		return cli_usage("exchange", "dataset add CODE --provider MEMBER --name NAME --sharing "
					     "无条件|有条件|不予共享 --schema FILE, or dataset list");
	char *schema;
	size_t len;
	if ((*r = csv_load(cli_opt(&o, "--schema"), FILE_MAX, &schema, &len, err)) != APP_OK)
		return CLI_OK;
	*r = exchange_dataset_add(s, o.pos[0], cli_opt(&o, "--provider"), cli_opt(&o, "--name"), sharing,
				  schema, actor, clock_now(), err);
	free(schema);
	if (*r == APP_OK)
		printf("dataset %s of %s added (%s)\n", o.pos[0], cli_opt(&o, "--provider"),
		       exchange_sharing_names_zh[sharing]);
	return CLI_OK;
}

/* The signature of file body for member, dataset and batch with the secret
 * key in key_path, into sig. */
static enum app_err sign_file(const char *key_path, const char *member, const char *ds,
			      const char *batch, const char *body, size_t len, char *sig,
			      size_t cap, struct app_error *err)
{
	char sk[EXCHANGE_SECRET_TEXT], sha[65];
	enum app_err r = exchange_secret_read(key_path, sk, sizeof(sk), err);
	if (r != APP_OK)
		return r;
	exchange_sha256_hex(body, len, sha);
	struct strbuf b;
	strbuf_init(&b, 200);
	exchange_batch_signed_bytes(&b, member, ds, batch, sha);
	r = exchange_sign(sk, b.buf, b.len, sig, cap, err);
	strbuf_release(&b);
	memset(sk, 0, sizeof(sk));
	return r;
}

/* `sign` (no database) and `upload`. */
static int upload(struct cli_ctx *ctx, const char *actor, bool only_sign, int argc, char **argv)
{
	struct cli_opts o;
	int rc = cli_opts_parse("exchange", argc, argv, 2,
				"--member,--dataset,--batch,--key,--signature,--format", 2, &o);
	if (rc != CLI_OK)
		return rc;
	const char *member = cli_opt(&o, "--member"), *ds = cli_opt(&o, "--dataset");
	const char *batch = cli_opt(&o, "--batch"), *key = cli_opt(&o, "--key");
	const char *given = cli_opt(&o, "--signature"), *format = cli_opt(&o, "--format");
	const char *file = o.pos[0];
	if (!member || !ds || !batch || !file || (only_sign ? !key : !key == !given) ||
	    (format && strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0))
		return cli_usage("exchange", only_sign ? "sign --key FILE --member M --dataset D "
							 "--batch B FILE"
						       : "upload --member M --dataset D --batch B "
							 "(--key FILE | --signature SIG) "
							 "[--format csv|jsonl] FILE");
	char *body;
	size_t len;
	struct app_error err;
	enum app_err r = csv_load(file, FILE_MAX, &body, &len, &err);
	char sig[EXCHANGE_SIG_TEXT] = "";
	if (r == APP_OK && key)
		r = sign_file(key, member, ds, batch, body, len, sig, sizeof(sig), &err);
	if (r == APP_OK && only_sign)
		printf("%s\n", sig);
	if (r != APP_OK || only_sign) {
		free(body);
		return r == APP_OK ? CLI_OK : cli_fail(&err);
	}
	size_t flen = strlen(file);
	bool csv = format ? strcmp(format, "csv") == 0
			  : flen > 4 && strcmp(file + flen - 4, ".csv") == 0;
	struct store *s;
	if ((rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s)) != CLI_OK) {
		free(body);
		return rc;
	}
	struct exchange_upload u = { member, ds, batch, key ? sig : given,
				     csv ? EXCHANGE_CSV : EXCHANGE_JSONL, body, len, actor,
				     clock_now() };
	struct exchange_batch b;
	bool resent = false;
	r = store_check_schema(s, &err);
	if (r == APP_OK)
		r = exchange_upload(s, &u, &b, &resent, &err);
	free(body);
	store_close(s);
	if (r != APP_OK)
		return cli_fail(&err);
	if (resent)
		printf("batch %s already received (seq %lld, %lld rows, sent again %lld times): "
		       "stored once\n",
		       b.batch_id, (long long)b.id, (long long)b.nrows, (long long)b.resent);
	else
		printf("batch %s received: seq %lld, %lld rows, sha256 %s\n", b.batch_id,
		       (long long)b.id, (long long)b.nrows, b.sha256);
	return CLI_OK;
}

static int subscribe(struct store *s, const char *actor, int argc, char **argv,
		     struct app_error *err, enum app_err *r)
{
	struct cli_opts o;
	int rc = cli_opts_parse("exchange", argc, argv, 2,
				"--consumer,--dataset,--fields,--endpoint,--monthly,--time", 2, &o);
	if (rc != CLI_OK)
		return rc;
	const char *endpoint = cli_opt(&o, "--endpoint"), *time = cli_opt(&o, "--time");
	int hh = -1, mm = -1, n = 0;
	if (time && (sscanf(time, "%2d:%2d%n", &hh, &mm, &n) != 2 || time[n] || hh > 23 || mm > 59))
		return cli_usage("exchange", "--time is HH:MM (China time), not '%s'", time);
	if (!cli_opt(&o, "--consumer") || !cli_opt(&o, "--dataset") || !cli_opt(&o, "--fields") || o.npos ||
	    (endpoint && (!cli_opt(&o, "--monthly") || !time)))
		return cli_usage("exchange", "subscribe --consumer M --dataset D --fields a,b "
					     "[--endpoint URL --monthly DAY --time HH:MM]");
	struct exchange_subscribe in = {
		cli_opt(&o, "--consumer"), cli_opt(&o, "--dataset"), cli_opt(&o, "--fields"), endpoint,
		endpoint ? atoi(cli_opt(&o, "--monthly")) : 0, endpoint ? hh * 60 + mm : 0, actor,
		clock_now(),
	};
	struct exchange_subscription x;
	*r = exchange_subscribe(s, &in, &x, err);
	if (*r == APP_OK)
		printf("subscription %lld: %s gets %s of %s, %s%s\n", (long long)x.id, x.consumer,
		       x.fields, x.dataset, exchange_sub_state_names[x.state],
		       x.state == EXCHANGE_SUB_PENDING ? " (有条件: needs 'exchange approve')" : "");
	return CLI_OK;
}

static bool sub_line(void *ctx, const struct exchange_subscription *x)
{
	(void)ctx;
	char due[32] = "-";
	if (x->due_at)
		clock_format_china(x->due_at, due, sizeof(due));
	printf("%-5lld %-16s %-20s %-8s upto %-6lld failures %-3d due %s fields %s%s%s\n",
	       (long long)x->id, x->consumer, x->dataset, exchange_sub_state_names[x->state],
	       (long long)x->pushed_upto, x->failures, due, x->fields, x->endpoint[0] ? " → " : "",
	       x->endpoint);
	return true;
}

static bool attempt_line(void *ctx, const struct exchange_attempt *a)
{
	(void)ctx;
	char at[32], next[32];
	clock_format_china(a->at, at, sizeof(at));
	clock_format_china(a->next_at, next, sizeof(next));
	printf("%s status %-3d upto %-6lld rows %-7lld %s (next %s)\n", at, a->status,
	       (long long)a->upto, (long long)a->nrows, a->detail, next);
	return true;
}

static int push(struct cli_ctx *ctx, struct store *s, int argc, char **argv,
		struct app_error *err, enum app_err *r)
{
	struct cli_opts o;
	int rc = cli_opts_parse("exchange", argc, argv, 2, "--at", 2, &o);
	if (rc != CLI_OK)
		return rc;
	int64_t now = clock_now();
	if (cli_opt(&o, "--at") && !clock_parse_time(cli_opt(&o, "--at"), &now))
		return cli_usage("exchange", "--at takes an RFC 3339 time, not '%s'", cli_opt(&o, "--at"));
	if (now > clock_now())
		return cli_usage("exchange", "--at %s is in the future", cli_opt(&o, "--at"));
	struct exchange_push_counts n;
	*r = exchange_push_due(s, config_str(&ctx->cfg, CFG_DATA_DIR), now, &n, err);
	if (*r == APP_OK)
		printf("%d subscriptions due: %d delivered, %d to retry, %d with nothing new\n", n.due,
		       n.delivered, n.failed, n.idle);
	return CLI_OK;
}

static int pull(struct store *s, const char *actor, int argc, char **argv,
		struct app_error *err, enum app_err *r)
{
	struct cli_opts o;
	int rc = cli_opts_parse("exchange", argc, argv, 2, "--after,--batches", 2, &o);
	if (rc != CLI_OK)
		return rc;
	int64_t id = parse_id(o.pos[0]);
	const char *after = cli_opt(&o, "--after"), *nb = cli_opt(&o, "--batches");
	if (!id || (after && strcmp(after, "0") != 0 && !parse_id(after)) || (nb && !parse_id(nb)))
		return cli_usage("exchange", "pull ID [--after SEQ] [--batches N]");
	struct strbuf out;
	strbuf_init(&out, 4096);
	int64_t upto, nrows;
	*r = exchange_pull(s, id, NULL, after ? parse_id(after) : 0, nb ? (int)parse_id(nb) : 100,
			   actor, &out, &upto, &nrows, err);
	if (*r == APP_OK) {
		fwrite(out.buf, 1, out.len, stdout);
		fprintf(stderr, "%lld rows; next: --after %lld\n", (long long)nrows, (long long)upto);
	}
	strbuf_release(&out);
	return CLI_OK;
}

int cmd_exchange(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	char actor[32];
	cli_actor(actor, sizeof(actor));
	if (strcmp(what, "sign") == 0 || strcmp(what, "upload") == 0)
		return upload(ctx, actor, strcmp(what, "sign") == 0, argc, argv);
	if (strcmp(what, "key") == 0) {
		char sk[EXCHANGE_SECRET_TEXT], pk[EXCHANGE_KEY_TEXT];
		struct app_error err;
		if (exchange_self_key(config_str(&ctx->cfg, CFG_DATA_DIR), sk, sizeof(sk), pk,
				      sizeof(pk), &err) != APP_OK)
			return cli_fail(&err);
		memset(sk, 0, sizeof(sk));
		printf("%s\n", pk);
		return CLI_OK;
	}
	static const char *const known[] = { "member", "dataset", "subscribe", "approve", "end",
					     "subscriptions", "attempts", "push", "pull" };
	struct store *s;
	int rc = cli_open_for_subcommand(ctx, "exchange", what, known,
					 sizeof(known) / sizeof(known[0]),
					 "give one of member, dataset, sign, upload, subscribe, "
					 "approve, end, subscriptions, attempts, push, pull, key",
					 &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	enum app_err r = APP_OK;
	int64_t id = argc > 2 ? parse_id(argv[2]) : 0;
	if (strcmp(what, "member") == 0) {
		rc = member(s, actor, argc, argv, &err, &r);
	} else if (strcmp(what, "dataset") == 0) {
		rc = dataset(s, actor, argc, argv, &err, &r);
	} else if (strcmp(what, "subscribe") == 0) {
		rc = subscribe(s, actor, argc, argv, &err, &r);
	} else if (strcmp(what, "approve") == 0 || strcmp(what, "end") == 0) {
		bool approve = strcmp(what, "approve") == 0;
		if (!id || argc != 3)
			rc = cli_usage("exchange", "%s ID (see 'exchange subscriptions')", what);
		else if ((r = approve ? exchange_approve(s, id, actor, clock_now(), &err)
				      : exchange_unsubscribe(s, id, actor, &err)) == APP_OK)
			printf("subscription %lld %s\n", (long long)id, approve ? "approved" : "ended");
	} else if (strcmp(what, "subscriptions") == 0) {
		r = store_exchange_subs(s, NULL, sub_line, NULL, &err);
	} else if (strcmp(what, "attempts") == 0) {
		if (!id || argc != 3)
			rc = cli_usage("exchange", "attempts ID");
		else
			r = store_exchange_attempts(s, id, attempt_line, NULL, &err);
	} else if (strcmp(what, "push") == 0) {
		rc = push(ctx, s, argc, argv, &err, &r);
	} else {
		rc = pull(s, actor, argc, argv, &err, &r);
	}
	store_close(s);
	if (rc == CLI_OK && r != APP_OK)
		rc = cli_fail(&err);
	return rc;
}
