/*
 * case_settings.h - what each county configures for its demands: the
 * limits of the clocks, the warning share, the default duty hours, and the
 * category tree. A county starts with the built-in values
 * (demand_default_limits(), categories.c) and changes them with `bianmin
 * demands settings set` and `bianmin demands categories import`; each
 * change is all or nothing and audited, and bumps the county's version in
 * the store.
 *
 * Settings are written with their unit and read back as written:
 *
 *   ack                 3m           acknowledgement, in duty hours (an emergency's at any hour)
 *   resolve.emergency   2h           resolution, by urgency
 *   resolve.utilities   24h
 *   resolve.general     7wd
 *   resolve.complex     15wd
 *   arrive              30m          报到 after a 吹哨
 *   followup            1wd          回访 after resolution
 *   warn                80%          share of a limit at which a clock warns (1% to 99%)
 *   duty_hours          08:00-20:00  for a demand whose village has no group of its own
 *
 * Units: m (minutes) and h (hours) run around the clock, wd (working days)
 * on the working-day calendar (core/calendar.h). Each limit has a longest
 * sensible value (case_settings_apply() names it when refused).
 *
 * The process keeps each county's settings in memory (per store) and checks
 * that they are current with one indexed read of the county's version: on
 * every case_settings_get(), or once for a whole request or sweep between
 * case_settings_scope_begin() and case_settings_scope_end().
 */
#ifndef CASES_CASE_SETTINGS_H
#define CASES_CASE_SETTINGS_H

#include "cases/case.h"
#include "cases/categories.h"
#include "cases/demand.h"
#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum case_setting_id {
	CASE_SETTING_ACK,
	CASE_SETTING_RESOLVE_EMERGENCY, /* resolve.<urgency>, in enum demand_urgency's order */
	CASE_SETTING_RESOLVE_UTILITIES,
	CASE_SETTING_RESOLVE_GENERAL,
	CASE_SETTING_RESOLVE_COMPLEX,
	CASE_SETTING_ARRIVE,
	CASE_SETTING_FOLLOWUP,
	CASE_SETTING_WARN,
	CASE_SETTING_DUTY_HOURS,
	CASE_SETTING__MAX
};

#define CASE_CATEGORIES_MAX 500               /* categories in a county's tree */
#define CASE_CATEGORY_NAME_CHARS 30           /* characters of a category's name */
#define CASE_CATEGORIES_FILE_MAX (1u << 20)   /* bytes of a category file */

/* One county's settings as demands run on them. Immutable once made; the
 * ones case_settings_get() hands out are shared between threads. */
struct case_settings {
	char county[7];
	int64_t version; /* the store's version they were read at (0: nothing stored) */
	struct demand_limits limits;
	int duty_start, duty_end; /* minutes after midnight, China time */
	/* each setting as written, with who set it and when ("" and 0 for a
	 * default) */
	struct case_setting_row setting[CASE_SETTING__MAX];
	bool own_tree; /* the county imported its tree (false: the built-in one) */
	size_t ncategories;
	const struct category *categories; /* parents before their children */
	/* private to case_settings.c */
	int refs;
	struct case_category_row *rows; /* what an imported tree's strings point into */
	struct category *own;
};

/* The name of a setting ("resolve.general") and its Chinese label. */
const char *case_settings_name(enum case_setting_id id);
const char *case_settings_label(enum case_setting_id id);

/* The built-in settings and tree, for county (no store involved). */
void case_settings_defaults(struct case_settings *out, const char *county);

/*
 * Set the setting called name to value in cs (the value parser): APP_OK,
 * or APP_EINVAL (field: the setting's name, "name" when there is no such
 * setting) saying what is wrong
 * in plain words: an unknown name (the message lists the known ones), a
 * value without a number or with an unknown unit, zero, a limit longer
 * than the setting allows, a warning share outside 1% to 99%, duty hours
 * that are no HH:MM-HH:MM or end before they start. cs is unchanged on
 * failure. Who set it is the caller's to fill in (setting[id].set_by).
 */
enum app_err case_settings_apply(struct case_settings *cs, const char *name, const char *value,
				 struct app_error *err);

/* The engine's rules for a demand of urgency u in cs's county. */
void case_settings_rules(const struct case_settings *cs, enum demand_urgency u,
			 struct case_rules *out);

/* The category of code in cs's tree (active or not), NULL when none. */
const struct category *case_settings_category(const struct case_settings *cs, const char *code);

/*
 * Whether county is a county of the registry (6 digits, stored): APP_OK;
 * APP_EINVAL (field "county") for anything else that is no county code,
 * APP_ENOTFOUND when the registry has no such county.
 */
enum app_err case_settings_county(struct store *s, const char *county, struct app_error *err);

/*
 * The current settings of county in s: from memory when the stored version
 * is still the one read (or within a scope, when this thread asked for the
 * county already), else read again. *out stays valid until
 * case_settings_put(*out); it is never changed meanwhile. Errors: the
 * store's; APP_EINTERNAL when a stored value no longer parses (the message
 * names it: set it again). county is not checked against the registry.
 */
enum app_err case_settings_get(struct store *s, const char *county,
			       const struct case_settings **out, struct app_error *err);
void case_settings_put(const struct case_settings *cs);

/*
 * A scope on this thread (one request, one sweep): within it, each
 * county's version is read once, at its first case_settings_get(), and
 * the settings then read serve the rest of the scope. Scopes nest; the
 * outermost end lets the settings go.
 */
void case_settings_scope_begin(void);
void case_settings_scope_end(void);

/*
 * Set the settings pairs[0..n) ("name=value") of county as actor at now,
 * all or nothing, with one audit entry (action "demand_settings.set", object
 * "demand_settings:<county>", the changes as "name: old → new"). A pair
 * that does not parse is refused naming it, as is a name given twice; a
 * county that is not in the registry is APP_ENOTFOUND. Nothing is written
 * on failure.
 */
enum app_err case_settings_set(struct store *s, const char *actor, const char *county,
			       char *const *pairs, size_t n, int64_t now, struct app_error *err);

/*
 * Read a category file from buf[0..len) (the contract of core/csv.h: a
 * writable byte at buf[len]) into *rows, n of them, sort set in file order
 * (the caller frees *rows). The format: UTF-8 CSV with the header
 * `code,parent,name,urgency,active`, then one category per line:
 *   - code: 1 to 31 of a-z, 0-9, '_', '-' and '.'; once in the file;
 *   - parent: empty for a top category, else the code of a category on an
 *     earlier line;
 *   - name: 1 to 30 characters of text;
 *   - urgency: emergency, utilities, general or complex;
 *   - active: yes or no (no: kept for demands that have it, not offered);
 *     an active category may not sit under an inactive one.
 * All or nothing: APP_EINVAL naming the line and what is wrong, APP_ETOOBIG
 * beyond CASE_CATEGORIES_MAX categories.
 */
enum app_err case_settings_parse_categories(char *buf, size_t len, struct case_category_row **rows,
					    size_t *n, struct app_error *err);

struct case_categories_report {
	size_t categories, inactive, removed; /* removed: of the tree it replaced */
};

/*
 * Replace county's category tree by the file at path (plain or gzip) as
 * actor: parsed (case_settings_parse_categories), then stored whole with
 * one audit entry (action "demand_categories.import", object
 * "demand_categories:<county>"), or nothing. A category that open demands
 * of the county have cannot be left out (APP_ECONFLICT naming it:
 * deactivate it instead). *rep is set on success.
 */
enum app_err case_settings_import_categories(struct store *s, const char *actor,
					     const char *county, const char *path,
					     struct case_categories_report *rep,
					     struct app_error *err);

#endif
