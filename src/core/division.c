/*
 * division.c - structural checks on division codes; see division.h.
 */
#include "core/division.h"

#include <string.h>

const char *const division_level_names[DIV__MAX] = {
	[DIV_PROVINCE] = "province", [DIV_CITY] = "city", [DIV_COUNTY] = "county",
	[DIV_TOWN] = "town", [DIV_VILLAGE] = "village",
};

const char *const division_level_names_zh[DIV__MAX] = {
	[DIV_PROVINCE] = "省", [DIV_CITY] = "市", [DIV_COUNTY] = "县",
	[DIV_TOWN] = "乡镇", [DIV_VILLAGE] = "村",
};

const int division_level_digits[DIV__MAX] = {
	[DIV_PROVINCE] = 2, [DIV_CITY] = 4, [DIV_COUNTY] = 6, [DIV_TOWN] = 9, [DIV_VILLAGE] = 12,
};

bool division_level_parse(const char *name, enum division_level *out)
{
	for (int i = 0; i < DIV__MAX; i++) {
		if (name && strcmp(name, division_level_names[i]) == 0) {
			*out = (enum division_level)i;
			return true;
		}
	}
	return false;
}

enum app_err division_code_check(const char *code, enum division_level *level,
				 struct app_error *err)
{
	size_t n = strlen(code);
	if (n == 0)
		return app_fail(err, APP_EINVAL, "division code is empty");
	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return app_fail(err, APP_EINVAL,
					"division code '%s' has a non-digit character", code);
	int found = -1;
	for (int l = 0; l < DIV__MAX; l++)
		if ((size_t)division_level_digits[l] == n)
			found = l;
	if (found < 0)
		return app_fail(err, APP_EINVAL,
				"division code '%s' has %zu digits; expected 2, 4, 6, 9 or 12", code,
				n);
	if (code[0] == '0' && code[1] == '0')
		return app_fail(err, APP_EINVAL, "division code '%s' starts with 00, which is no province",
				code);
	*level = (enum division_level)found;
	return APP_OK;
}

bool division_code_parent(const char *code, enum division_level level, char *out)
{
	if (level == DIV_PROVINCE)
		return false;
	size_t n = (size_t)division_level_digits[level - 1];
	memcpy(out, code, n);
	out[n] = '\0';
	return true;
}

bool division_code_within(const char *code, const char *root)
{
	size_t n = strlen(root);
	return strlen(code) >= n && memcmp(code, root, n) == 0;
}

void division_county(const char *code, char out[7])
{
	out[0] = '\0';
	size_t n = code ? strlen(code) : 0;
	if (n != 6 && n != 9 && n != 12) /* county, town and village codes only */
		return;
	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return;
	memcpy(out, code, 6);
	out[6] = '\0';
}
