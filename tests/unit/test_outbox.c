/*
 * test_outbox.c - message templates of the outbox (src/entitle/outbox.h):
 * placeholders rendered, an unknown or unclosed one refused when the
 * programme is checked, UTF-8 copied whole and a message that does not fit
 * refused rather than cut; the values of an entitlement's event (yuan,
 * period, dates in China time); which gateways may be used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "entitle/outbox.h"

#include <stdio.h>
#include <string.h>

static const char *const values[OUTBOX_VALUE__MAX] = {
	"张三", "重度残疾人医保资助", "410.00", "2026", "2026-11-08", "2026-01-01",
};

static void test_render(void **state)
{
	(void)state;
	char out[256];
	struct app_error e;
	assert_int_equal(outbox_render("{name}您好，{period}年{amount}元（{programme}），"
				       "{until}前回复；自{from}起",
				       values, out, sizeof(out), &e),
			 APP_OK);
	assert_string_equal(out, "张三您好，2026年410.00元（重度残疾人医保资助），2026-11-08前回复；"
				 "自2026-01-01起");
	/* no placeholder, a missing value */
	assert_int_equal(outbox_render("无需申请", values, out, sizeof(out), &e), APP_OK);
	assert_string_equal(out, "无需申请");
	const char *none[OUTBOX_VALUE__MAX] = { NULL };
	assert_int_equal(outbox_render("[{name}]", none, out, sizeof(out), &e), APP_OK);
	assert_string_equal(out, "[]");
}

static void test_refused(void **state)
{
	(void)state;
	char out[64] = "untouched";
	struct app_error e;
	assert_int_equal(outbox_template_check("您好{name}", &e), APP_OK);
	assert_int_equal(outbox_template_check("您好{nmae}", &e), APP_EINVAL);
	assert_string_equal(e.field, "templates");
	assert_non_null(strstr(e.msg, "{nmae}"));
	assert_int_equal(outbox_template_check("您好{name", &e), APP_EINVAL);
	assert_int_equal(outbox_template_check("您好{na{name}}", &e), APP_EINVAL);
	assert_int_equal(outbox_template_check("您好}", &e), APP_EINVAL);
	assert_int_equal(outbox_template_check("", &e), APP_EINVAL);
	assert_int_equal(outbox_template_check("\xe4\xbd", &e), APP_EINVAL);
	/* refused at rendering too, and out left as it was */
	assert_int_equal(outbox_render("{phone}", values, out, sizeof(out), &e), APP_EINVAL);
	assert_string_equal(out, "untouched");
}

static void test_fit(void **state)
{
	(void)state;
	struct app_error e;
	char out[16] = "untouched";
	/* "张三您好" is 12 bytes: fits in 13, not in 12 — never cut inside a character */
	assert_int_equal(outbox_render("{name}您好", values, out, 13, &e), APP_OK);
	assert_string_equal(out, "张三您好");
	strcpy(out, "untouched");
	assert_int_equal(outbox_render("{name}您好", values, out, 12, &e), APP_EINVAL);
	assert_string_equal(out, "untouched");
	assert_int_equal(outbox_render("{name}您好", values, out, 11, &e), APP_EINVAL);
}

static void test_values(void **state)
{
	(void)state;
	struct entitlement x;
	memset(&x, 0, sizeof(x));
	snprintf(x.person_name, sizeof(x.person_name), "李四");
	x.amount = 41000;
	x.period = 202610;
	x.consent_until = 1762617600; /* 2025-11-08T16:00Z: 9 November in China */
	x.effective_from = 20454;     /* 2026-01-01 */
	x.effective_to = 20480;       /* 2026-01-27 */
	struct outbox_values v;
	outbox_values_of(&x, ENTITLE_EV_CONSENT_ASKED, "资助", &v);
	assert_string_equal(v.v[OUTBOX_NAME], "李四");
	assert_string_equal(v.v[OUTBOX_PROGRAMME], "资助");
	assert_string_equal(v.v[OUTBOX_AMOUNT], "410.00");
	assert_string_equal(v.v[OUTBOX_PERIOD], "2026-10");
	assert_string_equal(v.v[OUTBOX_UNTIL], "2025-11-09");
	assert_string_equal(v.v[OUTBOX_FROM], "2026-01-01");
	/* a revocation says from when it stops */
	outbox_values_of(&x, ENTITLE_EV_REVOKED, "资助", &v);
	assert_string_equal(v.v[OUTBOX_FROM], "2026-01-27");
	x.period = 2026;
	outbox_values_of(&x, ENTITLE_EV_GRANTED, "资助", &v);
	assert_string_equal(v.v[OUTBOX_PERIOD], "2026");
}

static void test_gateway(void **state)
{
	(void)state;
	assert_true(outbox_gateway_ok(""));
	assert_true(outbox_gateway_ok("https://sms.example.cn/send"));
	assert_true(outbox_gateway_ok("http://127.0.0.1:9000/sms"));
	assert_false(outbox_gateway_ok("http://sms.example.cn/send"));
	assert_false(outbox_gateway_ok("http://127.0.0.1.evil.cn/"));
	assert_false(outbox_gateway_ok("https://a b"));
	assert_false(outbox_gateway_ok("ftp://127.0.0.1/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_gateway),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
