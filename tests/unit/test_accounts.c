/*
 * test_accounts.c - unit tests of src/auth/accounts against a fresh SQLite
 * store with the demo county loaded: creating accounts (validation errors
 * naming the field, who may create whom where), signing in (one answer for
 * an unknown phone and a wrong password; throttling after 5 failures per
 * account or per address, lifted 15 minutes later), resolving session
 * tokens and API keys (valid, expired, revoked, unknown, a session whose
 * user is gone), changing a password, invitations (single use, expiry, bad
 * input consumes nothing),
 * and the audit trail these actions leave: complete, masked, verifiable,
 * and tampering with one entry in the database file is found and named.
 *
 * Time is moved with clock_set_offset(), never waited for; every test
 * starts and ends with the offset at 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "auth/accounts.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/pii.h"
#include "regions/regions.h"
#include "store/store.h"
#include "testutil.h"

#include <sqlite3.h>

#define COUNTY "990101"
#define TOWN "990101103"
#define VILLAGE "990101103200"
#define SIBLING_VILLAGE "990101103201"
#define OTHER_TOWN_VILLAGE "990101104200"
#define ADDR "192.0.2.1"
#define TTL 3600
#define GOOD_PW "bianmin-2026"

struct fixture {
	char dir[256];
	char db[300];
	struct store *s;
	struct auth_caller sys; /* the command line: everything everywhere */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	clock_set_offset(0);
	tu_tempdir(f->dir, sizeof(f->dir));
	tu_path(f->db, sizeof(f->db), f->dir, "test.db");
	struct app_error e;
	if (store_open(&f->s, f->db, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK ||
	    regions_demo_import(f->s, "test", NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	accounts_system_caller(&f->sys, "cli:test");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	clock_set_offset(0);
	store_close(f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static int64_t create_ok(struct fixture *f, const struct auth_caller *by, const char *name,
			 const char *phone, const char *region, const char *role, char otp[16])
{
	struct accounts_new_user in = { .name = name, .phone = phone, .region = region,
					.role = role };
	int64_t id = 0;
	char ignored[16];
	struct app_error e;
	app_error_clear(&e);
	if (accounts_create_user(f->s, by, &in, &id, otp ? otp : ignored, &e) != APP_OK)
		fail_msg("cannot create %s (%s in %s): %s", name, role ? role : "resident", region,
			 e.msg);
	assert_true(id > 0);
	return id;
}

static void login_ok(struct fixture *f, const char *phone, const char *pw, const char *addr,
		     struct accounts_session *out)
{
	struct app_error e;
	app_error_clear(&e);
	if (accounts_login(f->s, phone, pw, addr, TTL, out, &e) != APP_OK)
		fail_msg("cannot sign in as %s: %s", phone, e.msg);
}

static void resolve_ok(struct fixture *f, const char *token, struct auth_caller *c)
{
	struct app_error e;
	app_error_clear(&e);
	if (accounts_resolve(f->s, token, NULL, c, &e) != APP_OK)
		fail_msg("cannot resolve '%.8s...': %s", token, e.msg);
}

/* The stored form of GOOD_PW, hashed once: Argon2id is slow on purpose. */
static const char *good_hash(void)
{
	static char hash[SECRET_PWHASH_MAX];
	struct app_error e;
	if (!hash[0] && secret_password_hash(GOOD_PW, hash, &e) != APP_OK)
		fail_msg("cannot hash: %s", e.msg);
	return hash;
}

/*
 * A person to act as: a user in region with role (NULL: resident) and
 * password GOOD_PW, put straight into the store (accounts_create_user is
 * tested on its own); c receives them as a signed-in caller.
 */
static int64_t person(struct fixture *f, const char *name, const char *phone, const char *region,
		      const char *role, struct auth_caller *c)
{
	struct user u = { .created_at = clock_now() };
	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.phone, sizeof(u.phone), "%s", phone);
	snprintf(u.region, sizeof(u.region), "%s", region);
	struct role_grant g;
	snprintf(g.role, sizeof(g.role), "%s", role ? role : "resident");
	snprintf(g.region, sizeof(g.region), "%s", region);
	struct audit_note note = { "cli:test", "user.create", "user:new", region, "test person" };
	int64_t id = 0;
	struct app_error e;
	if (store_user_create(f->s, &u, good_hash(), &g, &note, &id, &e) != APP_OK)
		fail_msg("cannot make %s: %s", name, e.msg);
	memset(c, 0, sizeof(*c));
	c->kind = AUTH_SESSION;
	c->user_id = id;
	snprintf(c->actor, sizeof(c->actor), "user:%lld", (long long)id);
	if (auth_load_grants(f->s, c, &e) != APP_OK)
		fail_msg("cannot load the grants of %s: %s", name, e.msg);
	return id;
}

static void expect_create_fails(struct fixture *f, const struct auth_caller *by,
				const struct accounts_new_user *in, enum app_err want,
				const char *field, const char *why)
{
	int64_t id = -7;
	char otp[16] = "untouched";
	struct app_error e;
	app_error_clear(&e);
	enum app_err rc = accounts_create_user(f->s, by, in, &id, otp, &e);
	if (rc != want)
		fail_msg("creating %s in %s: got %s (%s), want %s", in->name ? in->name : "(null)",
			 in->region ? in->region : "(null)", app_err_name(rc), e.msg,
			 app_err_name(want));
	assert_string_equal(e.field, field);
	assert_contains(e.msg, why);
	assert_int_equal(id, -7);
}

/* ---- creating accounts ---- */

static void test_create_user(void **state)
{
	struct fixture *f = *state;
	struct accounts_new_user in = { .name = "张秀英", .phone = "+86 138-1234-5678",
					.id_number = "41168119850101123x", .region = VILLAGE };
	int64_t id = 0;
	char otp[16] = "";
	struct app_error e;
	assert_int_equal(accounts_create_user(f->s, &f->sys, &in, &id, otp, &e), APP_OK);
	assert_true(id > 0);
	assert_int_equal(strlen(otp), 12);

	struct user u;
	assert_int_equal(store_user_get(f->s, id, &u, &e), APP_OK);
	assert_string_equal(u.name, "张秀英");
	assert_string_equal(u.phone, "13812345678");         /* canonical */
	assert_string_equal(u.id_number, "41168119850101123X"); /* upper-case X */
	assert_string_equal(u.region, VILLAGE);
	assert_true(u.must_change_password);
	assert_false(u.disabled);
	/* a resident grant where they live */
	struct role_grant g[4];
	int n = 0;
	assert_int_equal(store_grants_of(f->s, id, g, 4, &n, &e), APP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(g[0].role, "resident");
	assert_string_equal(g[0].region, VILLAGE);

	/* the same phone, in any spelling, or the same ID number: a conflict */
	struct accounts_new_user dup = { .name = "另一人", .phone = "8613812345678",
					 .region = VILLAGE };
	expect_create_fails(f, &f->sys, &dup, APP_ECONFLICT, "phone", "");
	dup.phone = "13900000000";
	dup.id_number = "41168119850101123X";
	expect_create_fails(f, &f->sys, &dup, APP_ECONFLICT, "id_number", "");
}

struct user_count {
	int n;
};

static bool count_fn(void *ctx, const struct user *u)
{
	(void)u;
	((struct user_count *)ctx)->n++;
	return true;
}

static void test_create_user_validation(void **state)
{
	struct fixture *f = *state;
	struct accounts_new_user ok = { .name = "王五", .phone = "13800000001", .region = VILLAGE };
	struct accounts_new_user in;

	in = ok, in.name = "";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "name", "a name is required");
	in = ok, in.name = NULL;
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "name", "a name is required");
	in = ok, in.name = "王\n五";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "name", "control characters");
	in = ok, in.name = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "name", "at most 30 characters");
	in = ok, in.name = "bad \xff";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "name", "UTF-8");

	in = ok, in.phone = NULL;
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "phone", "required");
	in = ok, in.phone = "";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "phone", "required");
	in = ok, in.phone = "12800000001";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "phone", "starts with 13 to 19");
	in = ok, in.phone = "1380000000";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "phone", "11 digits");

	in = ok, in.id_number = "411681198501011234";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "id_number", "check digit");
	in = ok, in.id_number = "41168119930229123X";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "id_number", "not a real date");
	/* "today" comes from the clock: twenty years ago, a 2010 birth is the future */
	clock_set_offset(-20LL * 366 * 86400);
	in = ok, in.id_number = "411681201001011238";
	char check[PII_ID_LEN + 1];
	assert_int_equal(pii_id_check(in.id_number, 20261129, check, NULL), APP_OK);
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "id_number", "in the future");
	clock_set_offset(0);

	in = ok, in.region = "";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "region", "required");
	in = ok, in.region = NULL;
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "region", "required");
	in = ok, in.region = "99010110320";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "region", "11 digits");
	in = ok, in.region = "990101103299";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "region", "not in the registry");
	in = ok, in.role = "boss";
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "role", "unknown role 'boss'");

	int64_t hh = 0;
	struct app_error e;
	assert_int_equal(accounts_household_create(f->s, &f->sys, SIBLING_VILLAGE, "王楼村 8 号",
						   &hh, &e),
			 APP_OK);
	in = ok, in.household_id = hh;
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "household_id", "is not in region");
	in = ok, in.household_id = hh + 1000;
	expect_create_fails(f, &f->sys, &in, APP_EINVAL, "household_id", "is not in region");
	in = ok, in.region = SIBLING_VILLAGE, in.household_id = hh;
	int64_t id;
	char otp[16];
	assert_int_equal(accounts_create_user(f->s, &f->sys, &in, &id, otp, &e), APP_OK);
	struct user u;
	assert_int_equal(store_user_get(f->s, id, &u, &e), APP_OK);
	assert_int_equal(u.household_id, hh);

	/* nothing that failed above left an account behind */
	assert_int_equal(u.id, id);
	assert_int_equal(store_user_by_phone(f->s, "13800000001", &u, NULL, 0, &e), APP_OK);
	assert_int_equal(u.id, id);
	struct user_count uc = { 0 };
	assert_int_equal(store_user_list(f->s, "99", 0, 100, count_fn, &uc, &e), APP_OK);
	assert_int_equal(uc.n, 1);
}

static void test_create_user_scope(void **state)
{
	struct fixture *f = *state;
	struct auth_caller admin, town, resident;
	person(f, "王建国", "19900000002", VILLAGE, "village_admin", &admin);
	person(f, "陈镇长", "19900000005", TOWN, "town_supervisor", &town);
	person(f, "张秀英", "19900000001", VILLAGE, NULL, &resident);

	/* a village admin creates residents of their village */
	char otp[16];
	int64_t id = create_ok(f, &admin, "村民甲", "13700000001", VILLAGE, NULL, otp);
	struct app_error e;
	struct user u;
	assert_int_equal(store_user_get(f->s, id, &u, &e), APP_OK);
	assert_string_equal(u.region, VILLAGE);
	create_ok(f, &admin, "村民乙", "13700000002", VILLAGE, "resident", NULL);

	struct accounts_new_user in = { .name = "村民丙", .phone = "13700000003",
					.region = SIBLING_VILLAGE };
	/* the next village is out of scope: it looks absent */
	expect_create_fails(f, &admin, &in, APP_ENOTFOUND, "", "not found");
	in.region = OTHER_TOWN_VILLAGE;
	expect_create_fails(f, &admin, &in, APP_ENOTFOUND, "", "not found");
	in.region = TOWN;
	expect_create_fails(f, &admin, &in, APP_ENOTFOUND, "", "not found");
	/* any role but resident needs PERM_ROLES_MANAGE, which they lack */
	in.region = VILLAGE;
	in.role = "key_person";
	expect_create_fails(f, &admin, &in, APP_EPERM, "", "your role does not allow this");
	in.role = "village_admin";
	expect_create_fails(f, &admin, &in, APP_EPERM, "", "your role does not allow this");
	/* a supervisor reads but creates no one; a resident does nothing */
	in.role = NULL;
	expect_create_fails(f, &town, &in, APP_EPERM, "", "your role does not allow this");
	expect_create_fails(f, &resident, &in, APP_EPERM, "", "your role does not allow this");
	struct auth_caller anon;
	auth_caller_anonymous(&anon);
	expect_create_fails(f, &anon, &in, APP_EPERM, "", "");
	/* validation comes first: bad input is named whatever the caller */
	in.phone = "12345";
	expect_create_fails(f, &town, &in, APP_EINVAL, "phone", "11 digits");
	assert_int_equal(store_user_by_phone(f->s, "13700000003", &u, NULL, 0, &e), APP_ENOTFOUND);

	/* a county system administrator may give roles in the county only */
	struct auth_caller sysadmin;
	person(f, "系统管理员", "19900000009", COUNTY, "system_admin", &sysadmin);
	create_ok(f, &sysadmin, "村医", "13700000004", VILLAGE, "key_person", NULL);
	in = (struct accounts_new_user){ .name = "外县人", .phone = "13700000005",
					 .region = "990102" };
	expect_create_fails(f, &sysadmin, &in, APP_EINVAL, "region", "not in the registry");
	struct region next = { .code = "990102", .parent_code = "9901", .level = DIV_COUNTY,
			       .name = "邻县" };
	assert_int_equal(store_regions_import(f->s, &next, 1, NULL, NULL, &e), APP_OK);
	expect_create_fails(f, &sysadmin, &in, APP_ENOTFOUND, "", "not found");
	in.role = "system_admin";
	expect_create_fails(f, &sysadmin, &in, APP_ENOTFOUND, "", "not found");
	/* the command line may */
	int64_t other = create_ok(f, &f->sys, "外县人", "13700000005", "990102", "system_admin", NULL);
	/* a system administrator of the next county who is also a village admin
	 * here creates residents here, but gives no roles here */
	assert_int_equal(accounts_grant(f->s, &f->sys, other, "village_admin", VILLAGE, true, &e),
			 APP_OK);
	struct auth_caller both = { .kind = AUTH_SESSION, .user_id = other };
	assert_int_equal(auth_load_grants(f->s, &both, &e), APP_OK);
	assert_int_equal(both.ngrants, 2);
	create_ok(f, &both, "村民丁", "13700000006", VILLAGE, NULL, NULL);
	in = (struct accounts_new_user){ .name = "村民戊", .phone = "13700000007",
					 .region = VILLAGE, .role = "key_person" };
	expect_create_fails(f, &both, &in, APP_EPERM, "", "cannot grant role key_person");
	in.region = "990102";
	create_ok(f, &both, "村民戊", "13700000007", "990102", "key_person", NULL);
}

/* ---- signing in ---- */

static void test_login(void **state)
{
	struct fixture *f = *state;
	char otp[16];
	int64_t id = create_ok(f, &f->sys, "张秀英", "13812345678", VILLAGE, NULL, otp);
	struct accounts_session ses;
	memset(&ses, 0, sizeof(ses));
	int64_t before = clock_now();
	login_ok(f, "+86 138 1234 5678", otp, ADDR, &ses);
	assert_int_equal(strncmp(ses.token, SECRET_SESSION_PREFIX, 4), 0);
	assert_int_equal(strlen(ses.token), 47);
	char csrf[SECRET_TOKEN_MAX];
	secret_csrf(ses.token, csrf);
	assert_string_equal(ses.csrf, csrf);
	assert_true(ses.expires_at >= before + TTL && ses.expires_at <= clock_now() + TTL);
	assert_int_equal(ses.user.id, id);
	assert_string_equal(ses.user.phone, "13812345678");
	assert_true(ses.user.must_change_password);

	/* a second sign-in is a second session */
	struct accounts_session ses2;
	login_ok(f, "13812345678", otp, ADDR, &ses2);
	assert_string_not_equal(ses.token, ses2.token);

	/* an unknown phone and a wrong password get the same answer */
	struct app_error e1, e2;
	app_error_clear(&e1);
	app_error_clear(&e2);
	assert_int_equal(accounts_login(f->s, "13900000000", otp, "192.0.2.2", TTL, &ses, &e1),
			 APP_EAUTH);
	assert_int_equal(accounts_login(f->s, "13812345678", "not-the-otp-1", "192.0.2.3", TTL,
					&ses, &e2),
			 APP_EAUTH);
	assert_int_equal(e1.code, e2.code);
	assert_string_equal(e1.msg, e2.msg);
	assert_string_equal(e1.field, e2.field);
	assert_contains(e1.msg, "wrong phone number or password");
	/* and the session given out before is untouched */
	assert_string_equal(ses.csrf, csrf);

	/* malformed input is named, before anything is looked up */
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(accounts_login(f->s, "12812345678", otp, ADDR, TTL, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "phone");
	assert_int_equal(accounts_login(f->s, NULL, otp, ADDR, TTL, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "phone");
	assert_int_equal(accounts_login(f->s, "13812345678", "", ADDR, TTL, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "password");
	assert_int_equal(accounts_login(f->s, "13812345678", NULL, ADDR, TTL, &ses, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "password");
}

static void expect_login(struct fixture *f, const char *phone, const char *pw, const char *addr,
			 enum app_err want, const char *why)
{
	struct accounts_session ses;
	struct app_error e;
	app_error_clear(&e);
	enum app_err rc = accounts_login(f->s, phone, pw, addr, TTL, &ses, &e);
	if (rc != want)
		fail_msg("sign-in of %s from %s at offset %lld: got %s (%s), want %s", phone, addr,
			 (long long)clock_offset(), app_err_name(rc), e.msg, app_err_name(want));
	if (why)
		assert_contains(e.msg, why);
}

static void test_throttle_account(void **state)
{
	struct fixture *f = *state;
	struct auth_caller c;
	person(f, "张秀英", "13812345678", VILLAGE, NULL, &c);
	/* five failures, from five different addresses */
	for (int i = 0; i < ACCOUNTS_LOCK_FAILURES; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
		expect_login(f, "13812345678", "wrong-password-1", addr, APP_EAUTH, "wrong phone");
	}
	/* now even the right password is refused, from anywhere */
	expect_login(f, "13812345678", GOOD_PW, ADDR, APP_ETHROTTLED, "try again in 15 minutes");
	expect_login(f, "13812345678", GOOD_PW, "203.0.113.9", APP_ETHROTTLED, "too many");
	/* other accounts are not affected */
	struct auth_caller other;
	person(f, "李四", "13812345679", VILLAGE, NULL, &other);
	expect_login(f, "13812345679", GOOD_PW, ADDR, APP_OK, NULL);

	/* ten minutes later: still locked, for about five more minutes */
	clock_set_offset(ACCOUNTS_LOCK_WINDOW - 300);
	expect_login(f, "13812345678", GOOD_PW, ADDR, APP_ETHROTTLED, "try again in 5 minutes");
	/* a quarter of an hour after the last failure: open again */
	clock_set_offset(ACCOUNTS_LOCK_WINDOW + 60);
	expect_login(f, "13812345678", GOOD_PW, ADDR, APP_OK, NULL);

	/* a success forgets the account's failures: four more do not lock it */
	for (int i = 0; i < ACCOUNTS_LOCK_FAILURES - 1; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "198.51.100.%d", 50 + i);
		expect_login(f, "13812345678", "wrong-password-1", addr, APP_EAUTH, NULL);
	}
	expect_login(f, "13812345678", GOOD_PW, "203.0.113.10", APP_OK, NULL);
	for (int i = 0; i < ACCOUNTS_LOCK_FAILURES - 1; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "198.51.100.%d", 60 + i);
		expect_login(f, "13812345678", "wrong-password-1", addr, APP_EAUTH, NULL);
	}
	expect_login(f, "13812345678", GOOD_PW, "203.0.113.11", APP_OK, NULL);
	clock_set_offset(0);
}

static void test_throttle_address(void **state)
{
	struct fixture *f = *state;
	struct auth_caller c;
	person(f, "张秀英", "13812345678", VILLAGE, NULL, &c);
	/* one address trying five phone numbers, none of them registered */
	for (int i = 0; i < ACCOUNTS_LOCK_FAILURES; i++) {
		char phone[32];
		snprintf(phone, sizeof(phone), "1390000000%d", i);
		expect_login(f, phone, "guess-password-1", "203.0.113.66", APP_EAUTH, "wrong phone");
	}
	/* that address is locked out, for real accounts too */
	expect_login(f, "13812345678", GOOD_PW, "203.0.113.66", APP_ETHROTTLED, "too many");
	/* the account itself is not, from elsewhere */
	expect_login(f, "13812345678", GOOD_PW, ADDR, APP_OK, NULL);
	/* and the address is let in again after the window */
	clock_set_offset(ACCOUNTS_LOCK_WINDOW + 60);
	expect_login(f, "13812345678", GOOD_PW, "203.0.113.66", APP_OK, NULL);
	clock_set_offset(0);
}

/* ---- resolving credentials ---- */

static void expect_resolve_fails(struct fixture *f, const char *bearer, const char *cookie,
				 const char *why)
{
	struct auth_caller c;
	memset(&c, 0x5a, sizeof(c));
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(accounts_resolve(f->s, bearer, cookie, &c, &e), APP_EAUTH);
	assert_contains(e.msg, why);
	/* out is filled in every case: a failed credential leaves an anonymous caller */
	assert_int_equal(c.kind, AUTH_ANONYMOUS);
	assert_int_equal(c.perms, 0);
	assert_int_equal(c.ngrants, 0);
}

static void test_resolve_sessions(void **state)
{
	struct fixture *f = *state;
	struct auth_caller c;
	struct app_error e;

	/* nothing at all: anonymous */
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(accounts_resolve(f->s, NULL, NULL, &c, &e), APP_OK);
	assert_int_equal(c.kind, AUTH_ANONYMOUS);
	assert_string_equal(c.actor, "anonymous");
	assert_int_equal(accounts_resolve(f->s, NULL, "", &c, &e), APP_OK);
	assert_int_equal(c.kind, AUTH_ANONYMOUS);

	int64_t id = person(f, "王建国", "19900000002", VILLAGE, "village_admin", &c);
	struct accounts_session ses;
	login_ok(f, "19900000002", GOOD_PW, ADDR, &ses);

	/* by Bearer header */
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(accounts_resolve(f->s, ses.token, NULL, &c, &e), APP_OK);
	assert_int_equal(c.kind, AUTH_SESSION);
	assert_int_equal(c.user_id, id);
	assert_false(c.by_cookie);
	char actor[32];
	snprintf(actor, sizeof(actor), "user:%lld", (long long)id);
	assert_string_equal(c.actor, actor);
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(ses.token, h);
	assert_memory_equal(c.session_hash, h, TOKEN_HASH_LEN);
	assert_int_equal(c.ngrants, 1);
	assert_int_equal(c.grants[0].role, ROLE_VILLAGE_ADMIN);
	assert_string_equal(c.grants[0].region, VILLAGE);
	assert_int_equal(c.perms, auth_role_perms[ROLE_VILLAGE_ADMIN]);
	/* the store gives the session with its user (one statement per check) */
	struct session_info si;
	assert_int_equal(store_session_get(f->s, h, &si, &e), APP_OK);
	assert_int_equal(si.user_id, id);
	assert_int_equal(si.user.id, id);
	assert_string_equal(si.user.name, "王建国");
	assert_string_equal(si.user.region, VILLAGE);
	assert_false(si.user.disabled);
	/* by cookie: unsafe methods will want the CSRF token */
	assert_int_equal(accounts_resolve(f->s, NULL, ses.token, &c, &e), APP_OK);
	assert_int_equal(c.kind, AUTH_SESSION);
	assert_true(c.by_cookie);
	/* a Bearer header wins over a cookie */
	assert_int_equal(accounts_resolve(f->s, ses.token, "bms_stale", &c, &e), APP_OK);
	assert_false(c.by_cookie);

	/* unknown tokens */
	char fake[SECRET_TOKEN_MAX];
	secret_token_new(SECRET_SESSION_PREFIX, fake);
	expect_resolve_fails(f, fake, NULL, "unknown session");
	expect_resolve_fails(f, NULL, fake, "unknown session");
	expect_resolve_fails(f, "", NULL, "unknown session");
	char cut[SECRET_TOKEN_MAX];
	snprintf(cut, sizeof(cut), "%.*s", (int)strlen(ses.token) - 1, ses.token);
	expect_resolve_fails(f, cut, NULL, "unknown session");

	/* expiry: valid until its last seconds, not at expires_at (the real
	 * clock may tick meanwhile, which only makes "expired" truer) */
	clock_set_offset(ses.expires_at - clock_now() - 5);
	resolve_ok(f, ses.token, &c);
	clock_set_offset(0);
	clock_set_offset(ses.expires_at - clock_now());
	expect_resolve_fails(f, ses.token, NULL, "expired");
	clock_set_offset(TTL + 1);
	expect_resolve_fails(f, ses.token, NULL, "expired");
	expect_resolve_fails(f, NULL, ses.token, "expired");
	clock_set_offset(0);
	resolve_ok(f, ses.token, &c);

	/* signing out revokes this session only */
	struct accounts_session other;
	login_ok(f, "19900000002", GOOD_PW, ADDR, &other);
	resolve_ok(f, ses.token, &c);
	assert_int_equal(accounts_logout(f->s, &c, &e), APP_OK);
	expect_resolve_fails(f, ses.token, NULL, "closed");
	expect_resolve_fails(f, NULL, ses.token, "closed");
	resolve_ok(f, other.token, &c);
	/* only a session signs out */
	struct auth_caller anon;
	auth_caller_anonymous(&anon);
	assert_int_equal(accounts_logout(f->s, &anon, &e), APP_EINVAL);
}

static void test_resolve_api_keys(void **state)
{
	struct fixture *f = *state;
	char key[SECRET_TOKEN_MAX], key2[SECRET_TOKEN_MAX];
	int64_t id = 0, id2 = 0;
	struct app_error e;
	assert_int_equal(accounts_api_key_add(f->s, "cli:test", "同步程序", "county_supervisor",
					      COUNTY, key, &id, &e),
			 APP_OK);
	assert_true(id > 0);
	assert_int_equal(strncmp(key, SECRET_API_KEY_PREFIX, 4), 0);
	assert_int_equal(strlen(key), 47);
	assert_int_equal(accounts_api_key_add(f->s, "cli:test", "另一个", "town_supervisor", TOWN,
					      key2, &id2, &e),
			 APP_OK);
	assert_true(id2 != id);

	struct auth_caller c;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(accounts_resolve(f->s, key, NULL, &c, &e), APP_OK);
	assert_int_equal(c.kind, AUTH_API_KEY);
	assert_int_equal(c.key_id, id);
	char actor[32];
	snprintf(actor, sizeof(actor), "apikey:%lld", (long long)id);
	assert_string_equal(c.actor, actor);
	assert_int_equal(c.ngrants, 1);
	assert_int_equal(c.grants[0].role, ROLE_COUNTY_SUPERVISOR);
	assert_string_equal(c.grants[0].region, COUNTY);
	assert_int_equal(c.perms, auth_role_perms[ROLE_COUNTY_SUPERVISOR]);
	assert_false(c.by_cookie);
	assert_int_equal(auth_scope(&c, PERM_USERS_READ, VILLAGE, &e), APP_OK);
	assert_int_equal(auth_scope(&c, PERM_USERS_MANAGE, VILLAGE, &e), APP_EPERM);

	/* keys do not expire with the clock */
	clock_set_offset(400LL * 86400);
	assert_int_equal(accounts_resolve(f->s, key, NULL, &c, &e), APP_OK);
	clock_set_offset(0);

	/* unknown keys, and bad input for new ones */
	char fake[SECRET_TOKEN_MAX];
	secret_token_new(SECRET_API_KEY_PREFIX, fake);
	expect_resolve_fails(f, fake, NULL, "unknown API key");
	expect_resolve_fails(f, "bmk_", NULL, "unknown API key");
	assert_int_equal(accounts_api_key_add(f->s, "cli:test", "x", "boss", COUNTY, fake, &id2, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "role");
	assert_int_equal(accounts_api_key_add(f->s, "cli:test", "", "lawyer", COUNTY, fake, &id2, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "name");
	assert_int_equal(accounts_api_key_add(f->s, "cli:test", "x", "lawyer", "990102", fake, &id2,
					      &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "region");

	/* revoked: refused at once; the other key still works; revoking again is harmless */
	assert_int_equal(accounts_api_key_revoke(f->s, "cli:test", id, &e), APP_OK);
	expect_resolve_fails(f, key, NULL, "revoked");
	assert_int_equal(accounts_resolve(f->s, key2, NULL, &c, &e), APP_OK);
	assert_int_equal(c.key_id, id2);
	assert_int_equal(accounts_api_key_revoke(f->s, "cli:test", id, &e), APP_OK);
	expect_resolve_fails(f, key, NULL, "revoked");
	assert_int_equal(accounts_api_key_revoke(f->s, "cli:test", id2 + 100, &e), APP_ENOTFOUND);
}

/* ---- passwords ---- */

static void expect_change(struct fixture *f, const struct auth_caller *c, const char *old,
			  const char *new, enum app_err want, const char *field, const char *why)
{
	struct app_error e;
	app_error_clear(&e);
	enum app_err rc = accounts_change_password(f->s, c, old, new, &e);
	if (rc != want)
		fail_msg("changing '%s' to '%s': got %s (%s), want %s", old ? old : "(null)",
			 new ? new : "(null)", app_err_name(rc), e.msg, app_err_name(want));
	assert_string_equal(e.field, field);
	assert_contains(e.msg, why);
}

static void test_change_password(void **state)
{
	struct fixture *f = *state;
	char otp[16];
	int64_t id = create_ok(f, &f->sys, "张秀英", "13812345678", VILLAGE, NULL, otp);
	struct accounts_session ses;
	login_ok(f, "13812345678", otp, ADDR, &ses);
	struct auth_caller c;
	resolve_ok(f, ses.token, &c);
	assert_true(c.must_change_password);

	/* the current password must be right; nothing else is looked at before */
	expect_change(f, &c, "not-the-otp-1", GOOD_PW, APP_EINVAL, "old_password", "wrong");
	expect_change(f, &c, NULL, GOOD_PW, APP_EINVAL, "old_password", "wrong");
	expect_change(f, &c, "", GOOD_PW, APP_EINVAL, "old_password", "wrong");
	/* each rule of a new password, with its message */
	expect_change(f, &c, otp, "", APP_EINVAL, "new_password", "required");
	expect_change(f, &c, otp, NULL, APP_EINVAL, "new_password", "required");
	expect_change(f, &c, otp, "abc123", APP_EINVAL, "new_password", "at least 8 characters");
	expect_change(f, &c, otp, "abcdefghij", APP_EINVAL, "new_password", "two kinds");
	expect_change(f, &c, otp, "me13812345678", APP_EINVAL, "new_password", "phone number");
	expect_change(f, &c, otp, "abcd1234\xff", APP_EINVAL, "new_password", "UTF-8");
	/* nothing changed so far */
	struct user u;
	struct app_error e;
	assert_int_equal(store_user_get(f->s, id, &u, &e), APP_OK);
	assert_true(u.must_change_password);

	expect_change(f, &c, otp, GOOD_PW, APP_OK, "", "");
	assert_int_equal(store_user_get(f->s, id, &u, &e), APP_OK);
	assert_false(u.must_change_password);
	resolve_ok(f, ses.token, &c);
	assert_false(c.must_change_password);
	/* the old password no longer signs in, the new one does */
	expect_login(f, "13812345678", otp, ADDR, APP_EAUTH, "wrong phone");
	expect_login(f, "13812345678", GOOD_PW, ADDR, APP_OK, NULL);
	/* the same password again is no change */
	expect_change(f, &c, GOOD_PW, GOOD_PW, APP_EINVAL, "new_password", "must differ");
	expect_change(f, &c, otp, "another-pass-1", APP_EINVAL, "old_password", "wrong");

	/* only a signed-in person has a password */
	struct auth_caller anon;
	auth_caller_anonymous(&anon);
	expect_change(f, &anon, GOOD_PW, "another-pass-1", APP_EINVAL, "", "signed-in");
	expect_change(f, &f->sys, GOOD_PW, "another-pass-1", APP_EINVAL, "", "signed-in");
}

/* ---- invitations ---- */

static enum app_err accept(struct fixture *f, const char *code, const char *name,
			   const char *phone, const char *pw, struct accounts_session *ses,
			   struct app_error *e)
{
	struct accounts_new_user in = { .name = name, .phone = phone, .region = "990102103200" };
	app_error_clear(e);
	return accounts_invite_accept(f->s, code, &in, pw, "192.0.2.1", TTL, ses, e);
}

static void test_invitations(void **state)
{
	struct fixture *f = *state;
	struct auth_caller admin;
	person(f, "王建国", "19900000002", VILLAGE, "village_admin", &admin);
	int64_t hh = 0;
	struct app_error e;
	assert_int_equal(accounts_household_create(f->s, &admin, VILLAGE, "新城村 12 号", &hh, &e),
			 APP_OK);

	char code[16];
	int64_t expires = 0, before = clock_now();
	assert_int_equal(accounts_invite_create(f->s, &admin, VILLAGE, hh, code, &expires, &e),
			 APP_OK);
	assert_int_equal(strlen(code), 10);
	assert_true(expires >= before + ACCOUNTS_INVITE_TTL &&
		    expires <= clock_now() + ACCOUNTS_INVITE_TTL);

	/* bad input uses nothing up */
	struct accounts_session ses;
	assert_int_equal(accept(f, code, "李娜", "12800000000", GOOD_PW, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "phone");
	assert_int_equal(accept(f, code, "", "13600000001", GOOD_PW, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "name");
	assert_int_equal(accept(f, code, "李娜", "13600000001", "short1", &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "password");
	assert_int_equal(accept(f, code, "李娜", "13600000001", "13600000001a", &ses, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "password");
	assert_int_equal(accept(f, code, "李娜", "19900000002", GOOD_PW, &ses, &e), APP_ECONFLICT);
	assert_int_equal(accept(f, "", "李娜", "13600000001", GOOD_PW, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "code");
	assert_int_equal(accept(f, "ABCDEFGHJK", "李娜", "13600000001", GOOD_PW, &ses, &e),
			 APP_ENOTFOUND);
	assert_string_equal(e.field, "code");

	/* accepted: a resident of the invitation's village and household (not
	 * of the region the form said), signed in, password of their choosing */
	assert_int_equal(accept(f, code, "李娜", "13600000001", GOOD_PW, &ses, &e), APP_OK);
	assert_true(ses.user.id > 0);
	assert_string_equal(ses.user.region, VILLAGE);
	assert_int_equal(ses.user.household_id, hh);
	assert_false(ses.user.must_change_password);
	struct auth_caller c;
	resolve_ok(f, ses.token, &c);
	assert_int_equal(c.user_id, ses.user.id);
	assert_int_equal(c.ngrants, 1);
	assert_int_equal(c.grants[0].role, ROLE_RESIDENT);
	assert_string_equal(c.grants[0].region, VILLAGE);
	expect_login(f, "13600000001", GOOD_PW, ADDR, APP_OK, NULL);

	/* single use */
	assert_int_equal(accept(f, code, "李雷", "13600000002", GOOD_PW, &ses, &e), APP_ECONFLICT);
	assert_string_equal(e.field, "code");
	assert_contains(e.msg, "used already");
	struct user u;
	assert_int_equal(store_user_by_phone(f->s, "13600000002", &u, NULL, 0, &e), APP_ENOTFOUND);

	/* expiry: good until seven days have passed */
	char late[16], in_time[16];
	assert_int_equal(accounts_invite_create(f->s, &admin, VILLAGE, 0, in_time, &expires, &e),
			 APP_OK);
	assert_int_equal(accounts_invite_create(f->s, &admin, VILLAGE, 0, late, &expires, &e),
			 APP_OK);
	clock_set_offset(ACCOUNTS_INVITE_TTL - 60);
	assert_int_equal(accept(f, in_time, "李雷", "13600000002", GOOD_PW, &ses, &e), APP_OK);
	assert_int_equal(ses.user.household_id, 0);
	clock_set_offset(ACCOUNTS_INVITE_TTL + 1);
	assert_int_equal(accept(f, late, "韩梅梅", "13600000003", GOOD_PW, &ses, &e), APP_EINVAL);
	assert_string_equal(e.field, "code");
	assert_contains(e.msg, "expired");
	clock_set_offset(0);

	/* who may invite where */
	assert_int_equal(accounts_invite_create(f->s, &admin, SIBLING_VILLAGE, 0, code, &expires, &e),
			 APP_ENOTFOUND);
	assert_int_equal(accounts_invite_create(f->s, &admin, VILLAGE, hh + 99, code, &expires, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "household_id");
	assert_int_equal(accounts_invite_create(f->s, &c, VILLAGE, 0, code, &expires, &e), APP_EPERM);
	assert_int_equal(accounts_invite_create(f->s, &admin, "990101103299", 0, code, &expires, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "region");
}

/* ---- the audit trail ---- */

struct scan {
	int64_t n, last_id;
	int actions[16];
	const char *const *names;
	char leaked[256]; /* a summary holding an unmasked phone number */
};

static const char *const audited[] = {
	"regions.import", "user.create", "auth.login",    "user.password", "auth.logout",
	"invite.create",  "user.join",   "apikey.create", "apikey.revoke", "household.create",
	"role.grant",     NULL,
};

static bool scan_fn(void *ctx, const struct audit_record *r)
{
	struct scan *s = ctx;
	s->n++;
	s->last_id = r->id;
	for (int i = 0; s->names[i]; i++)
		if (strcmp(r->action, s->names[i]) == 0)
			s->actions[i]++;
	/* eleven digits in a row that make a mobile number: personal data */
	const char *p = r->summary;
	for (; *p; p++) {
		int k = 0;
		while (p[k] >= '0' && p[k] <= '9')
			k++;
		if (k == 11 && p[0] == '1' && !s->leaked[0])
			snprintf(s->leaked, sizeof(s->leaked), "%lld %s: %.160s", (long long)r->id,
				 r->action, r->summary);
		if (k)
			p += k - 1;
	}
	return true;
}

static struct scan scan_all(struct fixture *f)
{
	struct scan sc = { .names = audited };
	struct app_error e;
	if (store_audit_scan(f->s, scan_fn, &sc, &e) != APP_OK)
		fail_msg("audit scan: %s", e.msg);
	return sc;
}

static void sql(const char *db, const char *stmt)
{
	sqlite3 *h = NULL;
	char *msg = NULL;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("cannot open %s: %s", db, sqlite3_errmsg(h));
	sqlite3_busy_timeout(h, 10000);
	if (sqlite3_exec(h, stmt, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", stmt, msg);
	assert_int_equal(sqlite3_changes(h), 1);
	sqlite3_close(h);
}

/* A session whose user is gone (rows changed behind the store's back, foreign
 * keys off) is an unknown session: the session check takes the user id from
 * the session's row, not from the (absent) user's. */
static void test_resolve_session_without_user(void **state)
{
	struct fixture *f = *state;
	struct auth_caller c;
	int64_t id = person(f, "王建国", "19900000002", VILLAGE, "village_admin", &c);
	struct accounts_session ses;
	login_ok(f, "19900000002", GOOD_PW, ADDR, &ses);
	resolve_ok(f, ses.token, &c);
	char stmt[160];
	snprintf(stmt, sizeof(stmt),
		 "PRAGMA foreign_keys=OFF; UPDATE sessions SET user_id = %lld WHERE user_id = %lld",
		 (long long)id + 1000, (long long)id);
	sql(f->db, stmt);
	expect_resolve_fails(f, ses.token, NULL, "unknown session");
}

static void test_audit_trail(void **state)
{
	struct fixture *f = *state;
	struct app_error e;
	/* one of everything */
	struct auth_caller admin, sysadmin, resident;
	person(f, "系统管理员", "19900000009", COUNTY, "system_admin", &sysadmin);
	person(f, "王建国", "19900000002", VILLAGE, "village_admin", &admin);
	int64_t res = person(f, "张秀英", "13812345678", VILLAGE, NULL, &resident);
	int64_t hh;
	assert_int_equal(accounts_household_create(f->s, &admin, VILLAGE, "新城村 1 号", &hh, &e),
			 APP_OK);
	char code[16];
	int64_t exp;
	assert_int_equal(accounts_invite_create(f->s, &admin, VILLAGE, hh, code, &exp, &e), APP_OK);
	struct accounts_session ses;
	assert_int_equal(accept(f, code, "李娜", "13600000001", GOOD_PW, &ses, &e), APP_OK);
	assert_int_equal(accounts_grant(f->s, &sysadmin, res, "key_person", VILLAGE, true, &e),
			 APP_OK);
	/* a village admin grants nothing, and a refused grant leaves no entry */
	assert_int_equal(accounts_grant(f->s, &admin, res, "key_person", SIBLING_VILLAGE, true, &e),
			 APP_EPERM);
	char key[SECRET_TOKEN_MAX];
	int64_t kid;
	assert_int_equal(accounts_api_key_add(f->s, "cli:test", "sync", "lawyer", COUNTY, key, &kid,
					      &e),
			 APP_OK);
	assert_int_equal(accounts_api_key_revoke(f->s, "cli:test", kid, &e), APP_OK);
	struct accounts_session rs;
	login_ok(f, "13812345678", GOOD_PW, ADDR, &rs);
	resolve_ok(f, rs.token, &resident);
	assert_int_equal(accounts_change_password(f->s, &resident, GOOD_PW, "another-pass-1", &e),
			 APP_OK);
	assert_int_equal(accounts_logout(f->s, &resident, &e), APP_OK);

	/* every action is on record, with no phone number in the clear */
	struct scan sc = scan_all(f);
	for (int i = 0; audited[i]; i++)
		if (!sc.actions[i])
			fail_msg("no audit entry for %s", audited[i]);
	assert_int_equal(sc.actions[0], 1); /* regions.import */
	assert_int_equal(sc.actions[1], 3); /* user.create */
	assert_int_equal(sc.actions[6], 1); /* user.join */
	if (sc.leaked[0])
		fail_msg("an audit summary shows a phone number: %s", sc.leaked);
	assert_int_equal(sc.last_id, sc.n);

	/* the chain verifies, all of it */
	struct audit_verify_result v;
	assert_int_equal(audit_verify(f->s, &v, &e), APP_OK);
	assert_int_equal(v.broken_id, 0);
	assert_int_equal(v.verified, sc.n);

	/* one summary altered behind the application's back */
	int64_t victim = sc.n / 2;
	char stmt[256];
	snprintf(stmt, sizeof(stmt),
		 "UPDATE audit_log SET summary = summary || ' (edited)' WHERE id = %lld",
		 (long long)victim);
	sql(f->db, stmt);
	assert_int_equal(audit_verify(f->s, &v, &e), APP_OK);
	assert_int_equal(v.broken_id, victim);
	assert_int_equal(v.verified, victim - 1);
	assert_contains(v.why, "altered");
	/* put back, it verifies again */
	snprintf(stmt, sizeof(stmt),
		 "UPDATE audit_log SET summary = substr(summary, 1, length(summary) - 9) "
		 "WHERE id = %lld",
		 (long long)victim);
	sql(f->db, stmt);
	assert_int_equal(audit_verify(f->s, &v, &e), APP_OK);
	assert_int_equal(v.broken_id, 0);
	assert_int_equal(v.verified, sc.n);

	/* the time of an entry moved */
	snprintf(stmt, sizeof(stmt), "UPDATE audit_log SET at = at - 3600 WHERE id = %lld",
		 (long long)victim + 1);
	sql(f->db, stmt);
	assert_int_equal(audit_verify(f->s, &v, &e), APP_OK);
	assert_int_equal(v.broken_id, victim + 1);
	snprintf(stmt, sizeof(stmt), "UPDATE audit_log SET at = at + 3600 WHERE id = %lld",
		 (long long)victim + 1);
	sql(f->db, stmt);

	/* an entry removed: the one after it says so */
	snprintf(stmt, sizeof(stmt), "DELETE FROM audit_log WHERE id = %lld", (long long)victim);
	sql(f->db, stmt);
	assert_int_equal(audit_verify(f->s, &v, &e), APP_OK);
	assert_int_equal(v.broken_id, victim + 1);
	assert_int_equal(v.verified, victim - 1);
	assert_contains(v.why, "missing");
}

int main(void)
{
	log_set_level(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_user_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_user_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_session_without_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_api_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invitations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_trail, setup, teardown),
	};
	return cmocka_run_group_tests_name("accounts", tests, NULL, NULL);
}
