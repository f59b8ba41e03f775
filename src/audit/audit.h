/*
 * audit.h - checking the audit trail (信息留痕) and naming its objects.
 *
 * Entries are appended by the store with every change (store.h); this
 * module walks the chain to prove nothing was altered, removed or
 * reordered, and tells which region an audited object belongs to, so that
 * its history is shown only to those who may see the object.
 */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

#include "core/err.h"
#include "store/store.h"

#include <stdint.h>

struct audit_verify_result {
	int64_t verified;  /* entries checked and found intact */
	int64_t broken_id; /* first entry that fails, 0 when none */
	char why[128];     /* what is wrong with it */
};

/* Walk the whole chain in id order, recomputing every hash. */
enum app_err audit_verify(struct store *s, struct audit_verify_result *out,
			  struct app_error *err);

/*
 * The region of an audited object: "user:ID", "household:ID" or
 * "region:CODE" (into region, DIVISION_CODE_MAX + 1 bytes). APP_EINVAL for
 * another form, APP_ENOTFOUND for an object that does not exist.
 */
enum app_err audit_object_region(struct store *s, const char *object, char *region,
				 struct app_error *err);

#endif
