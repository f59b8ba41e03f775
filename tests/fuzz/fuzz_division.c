/*
 * fuzz_division.c - division codes (core/division.h) on arbitrary strings.
 *
 * division_code_check() must accept exactly the strings of 2, 4, 6, 9 or 12
 * ASCII digits that do not start with 00 (a simple restatement of the rule,
 * below), give the level its length implies, and explain any refusal. For an
 * accepted code below province, division_code_parent() must give a valid
 * code one level up that contains the code; a province has no parent. The
 * input also goes through division_level_parse(), which must only accept
 * the level names.
 */
#include "fuzz.h"

#include "core/division.h"
#include "core/mem.h"

#include <string.h>

/* The rule restated: the level of a valid code, or -1. */
static int expected_level(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (!memchr("0123456789", s[i], 10))
			return -1;
	if (n >= 2 && s[0] == '0' && s[1] == '0')
		return -1;
	switch (n) {
	case 2: return DIV_PROVINCE;
	case 4: return DIV_CITY;
	case 6: return DIV_COUNTY;
	case 9: return DIV_TOWN;
	case 12: return DIV_VILLAGE;
	default: return -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *code = xstrndup((const char *)data, size); /* stops at a NUL byte */
	enum division_level level = DIV__MAX;
	struct app_error err;
	enum app_err rc = division_code_check(code, &level, &err);
	int want = expected_level(code);

	if (rc != APP_OK) {
		FUZZ_CHECK(want < 0);
		FUZZ_CHECK(rc == APP_EINVAL && err.code == APP_EINVAL && err.msg[0]);
		FUZZ_CHECK(level == DIV__MAX); /* OUT parameter untouched on failure */
	} else {
		FUZZ_CHECK(want >= 0 && level == (enum division_level)want);
		FUZZ_CHECK(strlen(code) == (size_t)division_level_digits[level]);
		FUZZ_CHECK(division_code_within(code, code));

		char parent[DIVISION_CODE_MAX + 1];
		memset(parent, 'x', sizeof(parent));
		bool has = division_code_parent(code, level, parent);
		FUZZ_CHECK(has == (level != DIV_PROVINCE));
		if (has) {
			enum division_level plevel = DIV__MAX;
			FUZZ_CHECK(memchr(parent, '\0', sizeof(parent)) != NULL);
			FUZZ_CHECK(division_code_check(parent, &plevel, NULL) == APP_OK);
			FUZZ_CHECK(plevel + 1 == level);
			FUZZ_CHECK(division_code_within(code, parent));
			FUZZ_CHECK(!division_code_within(parent, code));
		}
	}

	enum division_level named;
	if (division_level_parse(code, &named))
		FUZZ_CHECK(named < DIV__MAX && strcmp(code, division_level_names[named]) == 0);

	free(code);
	return 0;
}
