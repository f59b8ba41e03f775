/*
 * test_httpc.c - unit tests of which endpoints may receive personal data
 * (core/httpc.h httpc_url_ok): https anywhere, plain http only to this
 * machine, and the disguises that would send it elsewhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/httpc.h"

static void test_https_anywhere(void **state)
{
	(void)state;
	assert_true(httpc_url_ok("https://sms.example.cn/send", 512));
	assert_true(httpc_url_ok("https://10.1.2.3:8443/push", 512));
	assert_false(httpc_url_ok("https://", 512));
}

static void test_plain_http_local_only(void **state)
{
	(void)state;
	assert_true(httpc_url_ok("http://127.0.0.1:8080/sms", 512));
	assert_true(httpc_url_ok("http://localhost/sms", 512));
	assert_true(httpc_url_ok("http://localhost", 512));
	assert_true(httpc_url_ok("http://[::1]:9000/", 512));
	assert_false(httpc_url_ok("http://sms.example.cn/send", 512));
	assert_false(httpc_url_ok("http://127.0.0.1.example.cn/", 512));
	assert_false(httpc_url_ok("http://localhostile.cn/", 512));
}

static void test_disguised_hosts_refused(void **state)
{
	(void)state;
	/* user information before '@': curl connects to the host after it */
	assert_false(httpc_url_ok("http://localhost:1@evil.example/", 512));
	assert_false(httpc_url_ok("http://127.0.0.1:80@evil.example/x", 512));
	assert_false(httpc_url_ok("http://localhost:/x", 512));
	assert_false(httpc_url_ok("http://localhost:80x/", 512));
	assert_false(httpc_url_ok("ftp://localhost/", 512));
	assert_false(httpc_url_ok("http://localhost/ a", 512));
	assert_false(httpc_url_ok("https://sms.example.cn/send", 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https_anywhere),
		cmocka_unit_test(test_plain_http_local_only),
		cmocka_unit_test(test_disguised_hosts_refused),
	};
	return cmocka_run_group_tests_name("httpc", tests, NULL, NULL);
}
