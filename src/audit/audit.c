/*
 * audit.c - verifying the hash chain, and the regions of audited objects.
 */
#include "audit/audit.h"
#include "core/chain.h"
#include "core/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct walk {
	struct audit_verify_result *out;
	uint8_t prev[CHAIN_HASH_LEN];
	int64_t expect_id;
};

static bool check_entry(void *ctx, const struct audit_record *r)
{
	struct walk *w = ctx;
	const char *why = NULL;
	uint8_t h[CHAIN_HASH_LEN];
	struct chain_entry e = { r->id, r->at, r->actor, r->action, r->object, r->region,
				 r->summary };
	chain_hash(r->prev_hash, &e, h);
	if (r->id != w->expect_id)
		why = "an entry before it is missing (ids are not consecutive)";
	else if (memcmp(r->prev_hash, w->prev, CHAIN_HASH_LEN) != 0)
		why = "its link to the previous entry does not match";
	else if (memcmp(h, r->hash, CHAIN_HASH_LEN) != 0)
		why = "its content does not match its hash (altered)";
	if (why) {
		w->out->broken_id = r->id;
		snprintf(w->out->why, sizeof(w->out->why), "%s", why);
		return false;
	}
	memcpy(w->prev, r->hash, CHAIN_HASH_LEN);
	w->expect_id++;
	w->out->verified++;
	return true;
}

enum app_err audit_verify(struct store *s, struct audit_verify_result *out,
			  struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	struct walk w = { .out = out, .expect_id = 1 };
	return store_audit_scan(s, check_entry, &w, err);
}

static bool parse_id(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return false;
	*out = v;
	return true;
}

enum app_err audit_object_region(struct store *s, const char *object, char *region,
				 struct app_error *err)
{
	int64_t id;
	if (strncmp(object, "user:", 5) == 0 && parse_id(object + 5, &id)) {
		struct user u;
		enum app_err rc = store_user_get(s, id, &u, err);
		if (rc == APP_OK)
			snprintf(region, DIVISION_CODE_MAX + 1, "%s", u.region);
		return rc;
	}
	if (strncmp(object, "household:", 10) == 0 && parse_id(object + 10, &id)) {
		struct household h;
		enum app_err rc = store_household_get(s, id, &h, err);
		if (rc == APP_OK)
			snprintf(region, DIVISION_CODE_MAX + 1, "%s", h.region);
		return rc;
	}
	if (strncmp(object, "group:", 6) == 0 && parse_id(object + 6, &id)) {
		struct group g;
		enum app_err rc = store_group_get(s, id, &g, err);
		if (rc == APP_OK)
			snprintf(region, DIVISION_CODE_MAX + 1, "%s", g.region);
		return rc;
	}
	if (strncmp(object, "message:", 8) == 0 && parse_id(object + 8, &id)) {
		struct message *m = xmalloc(sizeof(*m));
		struct group g;
		enum app_err rc = store_message_get(s, id, m, err);
		if (rc == APP_OK)
			rc = store_group_get(s, m->group_id, &g, err);
		if (rc == APP_OK)
			snprintf(region, DIVISION_CODE_MAX + 1, "%s", g.region);
		free(m);
		return rc;
	}
	if (strncmp(object, "region:", 7) == 0) {
		enum division_level level;
		if (division_code_check(object + 7, &level, err) != APP_OK) {
			snprintf(err->field, sizeof(err->field), "object");
			return APP_EINVAL;
		}
		snprintf(region, DIVISION_CODE_MAX + 1, "%s", object + 7);
		return APP_OK;
	}
	return app_fail_field(err, APP_EINVAL, "object",
			      "object must be user:ID, household:ID, group:ID, message:ID or "
			      "region:CODE");
}
