/*
 * demand_photos.c - adding and finding the photos of demands; see
 * demand_photos.h. Everything is checked before the file is written (who,
 * the bytes, the number already shown), so a refused upload leaves nothing
 * on disk; the store checks the number again in the transaction that adds
 * the photo, which is what holds when two uploads race (the loser's file
 * stays on disk, named by no row: content-addressed, it harms nothing).
 */
#include "cases/demand_photos.h"
#include "cases/demands.h"
#include "groups/images.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHOTO_KINDS (IMAGES_JPEG | IMAGES_PNG | IMAGES_WEBP)

/* What a demand shows already: how many photos, and the one named sha. */
struct shown {
	const char *sha;
	int n;
	bool found;
	struct case_photo photo;
};

static bool count_photo(void *ctx, const struct case_photo *p)
{
	struct shown *sh = ctx;
	sh->n++;
	if (strcmp(p->sha256, sh->sha) == 0) {
		sh->photo = *p;
		sh->found = true;
	}
	return true;
}

/* Store photo p of demand d with its timeline line, audit entry and an
 * event on the topics of d's group and the group holding it. */
static enum app_err record(struct store *s, const struct auth_caller *c, const struct case_row *d,
			   const struct case_photo *p, struct case_photo *out, bool *added,
			   struct app_error *err)
{
	struct case_event_row line = { .at = p->added_at, .actor = p->added_by };
	snprintf(line.action, sizeof(line.action), "photo");
	snprintf(line.detail, sizeof(line.detail), "%s", p->sha256);
	char object[32], summary[160], data[256], topics[2][EVENT_TOPIC_MAX];
	snprintf(object, sizeof(object), "case:%" PRId64, d->id);
	snprintf(summary, sizeof(summary), "photo %s added (%s, %" PRId64 " bytes)", p->sha256,
		 p->mime, p->size);
	struct audit_note note = { c->actor, "demand.photo", object, d->region, summary };
	snprintf(data, sizeof(data),
		 "{\"id\":%" PRId64 ",\"state\":\"%s\",\"level\":%d,\"version\":%d,"
		 "\"photo\":\"%s\"}",
		 d->id, d->state, d->level, d->version, p->sha256);
	struct event_note ev[2];
	int n = 0;
	const int64_t groups[2] = { d->group_id, d->assignee_group };
	for (int i = 0; i < 2; i++) {
		if (!groups[i] || (i && groups[i] == groups[0]))
			continue;
		snprintf(topics[n], sizeof(topics[n]), "cases:%" PRId64, groups[i]);
		ev[n] = (struct event_note){ topics[n], "case.photo", d->county, data, NULL };
		n++;
	}
	enum app_err rc = store_case_photo_add(s, p, DEMAND_PHOTOS_MAX, &line, &note, ev, n, out,
					       added, err);
	if (rc == APP_ECONFLICT) /* another upload took the last place meanwhile */
		return app_fail(err, APP_ECONFLICT, "demand %" PRId64 " has %d photos, the most a "
				"demand may show", d->id, DEMAND_PHOTOS_MAX);
	return rc;
}

enum app_err demand_photos_add(struct store *s, const char *data_dir, const struct auth_caller *c,
			       int64_t id, const void *data, size_t len, int64_t now,
			       struct case_photo *out, bool *added, struct app_error *err)
{
	*added = false;
	struct case_row *d = malloc(sizeof(*d));
	if (!d)
		return app_fail(err, APP_EINTERNAL, "out of memory");
	struct case_photo p = { .case_id = id, .size = (int64_t)len, .added_at = now };
	const char *mime = NULL;
	enum app_err rc = demands_get(s, c, id, d, err);
	if (rc == APP_OK && !demands_raised_by(c, d) && !demands_may_handle(c, d))
		rc = app_fail(err, APP_EPERM, "only the resident who raised the demand and those "
			      "handling it may add photos");
	if (rc == APP_OK && c->kind != AUTH_SESSION)
		rc = app_fail(err, APP_EPERM, "a photo is added by a signed-in person");
	if (rc == APP_OK)
		rc = images_check(data, len, PHOTO_KINDS, &mime, err);
	struct shown sh = { .sha = p.sha256 };
	if (rc == APP_OK) {
		p.added_by = c->user_id;
		snprintf(p.mime, sizeof(p.mime), "%s", mime);
		images_sha256(data, len, p.sha256);
		rc = store_case_photos(s, id, count_photo, &sh, err);
	}
	if (rc == APP_OK && sh.found) { /* sent again (a retry): the same photo */
		*out = sh.photo;
	} else if (rc == APP_OK && sh.n >= DEMAND_PHOTOS_MAX) {
		rc = app_fail(err, APP_ECONFLICT, "demand %" PRId64 " has %d photos, the most a "
			      "demand may show", id, DEMAND_PHOTOS_MAX);
	} else if (rc == APP_OK) {
		rc = images_write(data_dir, p.sha256, data, len, err);
		if (rc == APP_OK)
			rc = record(s, c, d, &p, out, added, err);
	}
	free(d);
	return rc;
}

enum app_err demand_photos_get(struct store *s, const struct auth_caller *c, int64_t id,
			       const char *sha, struct case_photo *out, struct app_error *err)
{
	struct case_row *d = malloc(sizeof(*d));
	if (!d)
		return app_fail(err, APP_EINTERNAL, "out of memory");
	enum app_err rc = demands_get(s, c, id, d, err);
	free(d);
	if (rc == APP_OK && (!sha || strlen(sha) != ATTACHMENT_SHA_LEN))
		return app_fail(err, APP_ENOTFOUND, "no such photo");
	return rc == APP_OK ? store_case_photo_get(s, id, sha, out, err) : rc;
}
