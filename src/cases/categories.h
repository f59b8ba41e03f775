/*
 * categories.h - what a demand is about: the default category tree for
 * village affairs (a code, its parent, a Chinese name) and the urgency a
 * category implies when the person raising a demand does not say.
 *
 * Codes are short lower-case words ("water", "water.supply"); a code with a
 * dot belongs to the category before the dot. The tree is the default a
 * county starts with; making it configurable per county is a store table
 * away (docs/cases.md lists it among what is still to come).
 */
#ifndef CASES_CATEGORIES_H
#define CASES_CATEGORIES_H

#include "cases/demand.h"

#include <stddef.h>

struct category {
	const char *code;   /* "water.supply" */
	const char *name;   /* 停水、供水 */
	enum demand_urgency urgency; /* what it implies */
};

/* The categories, parents before their children. */
const struct category *categories_all(size_t *n);
/* The category of code, NULL when there is none. */
const struct category *category_of(const char *code);

#endif
