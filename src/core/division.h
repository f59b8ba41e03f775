/*
 * division.h - China's administrative division codes (GB/T 2260 for province,
 * city and county; the NBS statistical codes for town and village).
 *
 * A code is all digits and its length gives its level: province 2, city 4,
 * county 6, town 9, village 12. A code's parent is its prefix one level up,
 * so a subtree is a range of codes and sorting by code walks it in pre-order.
 * This module checks structure only; whether a code exists is the store's
 * business.
 */
#ifndef CORE_DIVISION_H
#define CORE_DIVISION_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

enum division_level {
	DIV_PROVINCE,
	DIV_CITY,
	DIV_COUNTY,
	DIV_TOWN,
	DIV_VILLAGE,
	DIV__MAX
};

#define DIVISION_CODE_MAX 12 /* digits in the longest code */

/* "province", "city", "county", "town", "village" */
extern const char *const division_level_names[DIV__MAX];
/* 省, 市, 县, 乡镇, 村 */
extern const char *const division_level_names_zh[DIV__MAX];
/* 2, 4, 6, 9, 12 */
extern const int division_level_digits[DIV__MAX];

/* Parse a level name ("town"); false when unknown. */
bool division_level_parse(const char *name, enum division_level *out);

/*
 * Check that code is a structurally valid division code and set *level.
 * Errors (APP_EINVAL) say what is wrong: non-digits, a length that is no
 * level's, or province 00. All-zero lower parts are allowed: NBS uses them
 * (东莞 441900 has no county part; 金门 350527000 has a placeholder town).
 */
enum app_err division_code_check(const char *code, enum division_level *level,
				 struct app_error *err);

/*
 * Write the parent code of a valid code of the given level into out (which
 * has room for DIVISION_CODE_MAX + 1 bytes). Returns false for a province.
 */
bool division_code_parent(const char *code, enum division_level level, char *out);

/*
 * The county a region belongs to, for the county code that regional rows
 * carry: the first 6 digits of a code of county level or below; "" for a
 * province or a city (and for anything that is not a code). out has room
 * for 7 bytes.
 */
void division_county(const char *code, char out[7]);

/* True when code lies in the subtree rooted at root (or is root). */
bool division_code_within(const char *code, const char *root);

#endif
