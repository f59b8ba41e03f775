/*
 * demand_photos.h - photos of residents' demands (诉求): a resident shows
 * the broken streetlight, a cadre the repair. The bytes are kept on disk
 * by src/groups/images.c (checked by their content, at most 5 MB); the
 * store records which demand shows which photo, with a timeline line, an
 * audit entry and an event on the demand's group's topic for each.
 *
 * Who may do what (the rest of the rules of demands are demands.c's):
 *   - add: the resident who raised the demand, and its handlers
 *     (demands_may_handle), as signed-in persons;
 *   - see: whoever may read the demand (demands_get); to anyone else a
 *     photo, like its demand, does not exist.
 */
#ifndef CASES_DEMAND_PHOTOS_H
#define CASES_DEMAND_PHOTOS_H

#include "auth/auth.h"
#include "store/store.h"

#define DEMAND_PHOTOS_MAX 9 /* a demand shows at most this many */

/*
 * Add the image data (len bytes: JPEG, PNG or WebP) to demand id at now,
 * as c. *out receives the photo; *added is false when the demand showed
 * these bytes already (then nothing changed and *out is the photo as first
 * added). Errors: APP_ENOTFOUND (c may not read the demand), APP_EPERM
 * (c may read it but not add to it), APP_ETOOBIG, APP_EMEDIA, APP_ECONFLICT
 * (it has DEMAND_PHOTOS_MAX photos already), APP_EIO. Nothing is changed
 * on any of them.
 */
enum app_err demand_photos_add(struct store *s, const char *data_dir, const struct auth_caller *c,
			       int64_t id, const void *data, size_t len, int64_t now,
			       struct case_photo *out, bool *added, struct app_error *err);

/* Photo sha of demand id, if c may read the demand (else APP_ENOTFOUND,
 * as for a photo the demand does not show). */
enum app_err demand_photos_get(struct store *s, const struct auth_caller *c, int64_t id,
			       const char *sha, struct case_photo *out, struct app_error *err);

#endif
