/*
 * pii.h - personal identifiers: Chinese resident ID numbers (GB 11643) and
 * mobile phone numbers; how to check them and how to mask them.
 *
 * Validation messages say which part is wrong, never echo the whole number
 * (they may reach logs), and masking is the only form in which these values
 * leave the server unless a caller is entitled to see them.
 */
#ifndef CORE_PII_H
#define CORE_PII_H

#include "core/err.h"

#include <stddef.h>

#define PII_ID_LEN 18
#define PII_PHONE_LEN 11

/*
 * Check a resident ID number: 18 characters; the first 17 digits; a known
 * province in the region part (99 is reserved for the demo county); a real
 * birth date not after today (today_yyyymmdd, e.g. 20261129); the ISO 7064
 * MOD 11-2 check character (0-9 or X; a lower-case x is accepted). On success
 * the canonical form (upper-case X) is written to out[PII_ID_LEN + 1].
 */
enum app_err pii_id_check(const char *id, int today_yyyymmdd, char *out, struct app_error *err);

/* The check character an ID number's first 17 digits call for. */
char pii_id_check_char(const char *first17);

/*
 * Check a mainland mobile number: 11 digits starting 13-19, optionally
 * written with +86 or 86 in front and spaces or dashes between groups. The
 * bare 11 digits go to out[PII_PHONE_LEN + 1].
 */
enum app_err pii_phone_check(const char *phone, char *out, struct app_error *err);

/* "4116**********123X": first four, last four. out has room for 19 bytes. */
void pii_id_mask(const char *id, char *out);
/* "138****5678": first three, last four. out has room for 12 bytes. */
void pii_phone_mask(const char *phone, char *out);
/* "张**": a person's name (UTF-8) with every character after the first
 * as "*", cut at PII_NAME_MASK_MAX - 1 bytes: at most 28 stars after a
 * Chinese first character (3 bytes), 30 after an ASCII one. */
#define PII_NAME_MASK_MAX 32
void pii_name_mask(const char *name, char out[PII_NAME_MASK_MAX]);

#endif
