/*
 * categories.h - what a demand is about: the built-in category tree of
 * village affairs (a code, its parent, a Chinese name) and the urgency a
 * category implies when the person raising a demand does not say.
 *
 * Codes are short lower-case words ("water", "water.supply"). The built-in
 * tree is the one a county starts with: a county may import a tree of its
 * own (`bianmin demands categories import`), which replaces it whole, and
 * demands are raised against their county's tree (case_settings.h:
 * case_settings_get(), case_settings_category()). Code that lists the
 * categories a resident may choose asks the county's tree, not this one.
 */
#ifndef CASES_CATEGORIES_H
#define CASES_CATEGORIES_H

#include "cases/demand.h"

#include <stdbool.h>
#include <stddef.h>

struct category {
	const char *code;   /* "utilities.water" */
	const char *parent; /* "utilities"; "" for a top category */
	const char *name;   /* 供水、停水 */
	enum demand_urgency urgency; /* what it implies */
	bool active;        /* false: kept for the demands that have it, not offered */
};

/* The built-in tree, parents before their children, every category active. */
const struct category *categories_all(size_t *n);
/* The built-in category of code, NULL when there is none. */
const struct category *category_of(const char *code);

#endif
