/*
 * pii.c - resident ID numbers and mobile numbers: checks and masks.
 */
#include "core/pii.h"

#include <string.h>

/* Province codes of GB/T 2260 in use, and 99 for the demo county. */
static const char *const provinces =
	"11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
	"61 62 63 64 65 71 81 82 99";

char pii_id_check_char(const char *first17)
{
	static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weight[i];
	return "10X98765432"[sum % 11];
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int valid_date(int y, int m, int d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	int max = days[m - 1] + (m == 2 && is_leap(y));
	return d <= max;
}

enum app_err pii_id_check(const char *id, int today, char *out, struct app_error *err)
{
	size_t n = strlen(id);
	if (n != PII_ID_LEN)
		return app_fail_field(err, APP_EINVAL, "id_number",
				      "a resident ID number has 18 characters, this one has %zu", n);
	for (int i = 0; i < 17; i++)
		if (id[i] < '0' || id[i] > '9')
			return app_fail_field(err, APP_EINVAL, "id_number",
					      "character %d of the ID number must be a digit", i + 1);
	char prov[3] = { id[0], id[1], '\0' };
	if (!strstr(provinces, prov))
		return app_fail_field(err, APP_EINVAL, "id_number",
				      "the ID number's region part starts with %s, which is no province",
				      prov);
	int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
	int m = (id[10] - '0') * 10 + (id[11] - '0');
	int d = (id[12] - '0') * 10 + (id[13] - '0');
	if (!valid_date(y, m, d))
		return app_fail_field(err, APP_EINVAL, "id_number",
				      "the ID number's birth date part (characters 7-14) is not a real date");
	if (y * 10000 + m * 100 + d > today)
		return app_fail_field(err, APP_EINVAL, "id_number",
				      "the ID number's birth date part (characters 7-14) is in the future");
	char want = pii_id_check_char(id);
	char got = id[17] == 'x' ? 'X' : id[17];
	if (got != want)
		return app_fail_field(err, APP_EINVAL, "id_number",
				      "the ID number's last character (check digit) is wrong: "
				      "a typing mistake somewhere in the number");
	memcpy(out, id, 17);
	out[17] = want;
	out[18] = '\0';
	return APP_OK;
}

enum app_err pii_phone_check(const char *phone, char *out, struct app_error *err)
{
	char digits[32];
	size_t n = 0;
	const char *p = phone;
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n + 1 >= sizeof(digits))
			return app_fail_field(err, APP_EINVAL, "phone",
					      "a phone number may hold only digits, spaces, dashes and a leading +");
		digits[n++] = *p;
	}
	digits[n] = '\0';
	const char *d = digits;
	if (n == 13 && d[0] == '8' && d[1] == '6') {
		d += 2;
		n -= 2;
	}
	if (n != PII_PHONE_LEN || d[0] != '1' || d[1] < '3' || d[1] > '9')
		return app_fail_field(err, APP_EINVAL, "phone",
				      "a mobile number has 11 digits and starts with 13 to 19");
	memcpy(out, d, PII_PHONE_LEN + 1);
	return APP_OK;
}

void pii_id_mask(const char *id, char *out)
{
	size_t n = strlen(id);
	if (n < 8) {
		strcpy(out, "****");
		return;
	}
	memcpy(out, id, 4);
	memset(out + 4, '*', n - 8 > 10 ? 10 : n - 8);
	size_t stars = n - 8 > 10 ? 10 : n - 8;
	memcpy(out + 4 + stars, id + n - 4, 4);
	out[8 + stars] = '\0';
}

void pii_phone_mask(const char *phone, char *out)
{
	size_t n = strlen(phone);
	if (n < 7) {
		strcpy(out, "****");
		return;
	}
	memcpy(out, phone, 3);
	memcpy(out + 3, "****", 4);
	memcpy(out + 7, phone + n - 4, 4);
	out[11] = '\0';
}

void pii_name_mask(const char *name, char out[PII_NAME_MASK_MAX])
{
	size_t first = 0, n = 0;
	if (name[0]) /* the first character: its lead byte and continuation bytes */
		for (first = 1; ((unsigned char)name[first] & 0xC0) == 0x80 && first < 4; first++)
			;
	memcpy(out, name, first);
	n = first;
	for (const char *p = name + first; *p && n < PII_NAME_MASK_MAX - 1; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			out[n++] = '*';
	out[n] = '\0';
}
