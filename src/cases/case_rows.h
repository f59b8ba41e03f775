/*
 * case_rows.h - between the case engine's struct case_data (cases/case.h)
 * and the store's struct case_row (store/store.h), for a case of any type:
 * the state names are the type's, the clocks go by name. Demands and
 * delivery tasks share them.
 */
#ifndef CASES_CASE_ROWS_H
#define CASES_CASE_ROWS_H

#include "cases/case.h"
#include "store/store.h"

/* What the engine decided (c) into row r of a case of type: version,
 * state, level, holder, counters, times, next check and every clock. The
 * other fields of r are left as they are. */
void case_rows_put(const struct case_type *type, const struct case_data *c, struct case_row *r);

/* Row r of a case of type as the engine takes it, into c. APP_EINTERNAL
 * when r names a state or clock the type does not know. */
enum app_err case_rows_get(const struct case_type *type, const struct case_row *r,
			   struct case_data *c, struct app_error *err);

/* The timeline lines of res (out holds res->nsteps) for case id (0: not
 * stored yet), by actor (0: the system) at now. */
void case_rows_steps(const struct case_type *type, const struct case_result *res, int64_t id,
		     int64_t actor, int64_t now, struct case_event_row *out);

#endif
