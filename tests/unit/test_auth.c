/*
 * test_auth.c - unit tests of src/auth/auth: the role table (who may do
 * what), region scope as auth_scope() decides it for grants at village,
 * town and county level (OK inside the subtree, APP_ENOTFOUND outside it so
 * that nothing leaks, APP_EPERM for a permission held nowhere), sibling
 * villages and towns, codes that share a prefix without being inside, several
 * grants at once, role names, and the home region used for listings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "testutil.h"

/* The demo county 990101; town 990101103; its villages 990101103200.. */
#define COUNTY "990101"
#define TOWN "990101103"
#define VILLAGE "990101103200"
#define SIBLING_VILLAGE "990101103201"
#define OTHER_TOWN "990101104"
#define OTHER_TOWN_VILLAGE "990101104200"
#define OTHER_COUNTY "990102"

static const unsigned all_perms[] = { PERM_USERS_READ,    PERM_USERS_MANAGE, PERM_PERSONAL_DATA,
				      PERM_ROLES_MANAGE,  PERM_AUDIT_READ,   PERM_OPERATE,
				      PERM_GROUPS_READ,   PERM_GROUPS_MANAGE, PERM_GROUPS_SUPERVISE,
				      PERM_CASES_READ,    PERM_CASES_HANDLE, PERM_EXCHANGE_MEMBER,
				      PERM_EXCHANGE_ADMIN, PERM_ENTITLE_READ, PERM_ENTITLE_MANAGE,
				      PERM_DELIVERIES_HANDLE };
enum { NPERMS = sizeof(all_perms) / sizeof(all_perms[0]) };

/* A signed-in caller holding the grants given as role, region pairs. */
static void caller(struct auth_caller *c, int n, ...)
{
	auth_caller_anonymous(c);
	c->kind = AUTH_SESSION;
	c->user_id = 1;
	snprintf(c->actor, sizeof(c->actor), "user:1");
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		c->grants[i].role = (enum auth_role)va_arg(ap, int);
		snprintf(c->grants[i].region, sizeof(c->grants[i].region), "%s",
			 va_arg(ap, const char *));
		c->perms |= auth_role_perms[c->grants[i].role];
	}
	va_end(ap);
	c->ngrants = n;
}

static const char *const rc_names[] = { [APP_OK] = "OK", [APP_ENOTFOUND] = "ENOTFOUND",
					[APP_EPERM] = "EPERM" };

static const char *rc_name(enum app_err rc)
{
	return rc < (int)(sizeof(rc_names) / sizeof(rc_names[0])) && rc_names[rc] ? rc_names[rc]
										   : "other";
}

static void expect_scope(const struct auth_caller *c, unsigned perm, const char *region,
			 enum app_err want)
{
	struct app_error e;
	app_error_clear(&e);
	enum app_err rc = auth_scope(c, perm, region, &e);
	if (rc != want)
		fail_msg("scope of perm %#x on '%s' for grant %s@%s: got %s, want %s", perm,
			 region ? region : "(null)", c->ngrants ? auth_role_names[c->grants[0].role] : "-",
			 c->ngrants ? c->grants[0].region : "-", rc_name(rc), rc_name(want));
	if (want != APP_OK) {
		assert_int_equal(e.code, want);
		assert_true(e.msg[0] != '\0');
		/* out of scope looks like absent: the message says nothing of the region */
		if (want == APP_ENOTFOUND && region && *region)
			assert_null(strstr(e.msg, region));
	}
}

/* ---- the role table ---- */

static void test_role_table(void **state)
{
	(void)state;
	/* a resident (and a lawyer) may do none of these; an agency operator (a
	 * county department) reads and handles demands and runs the programmes
	 * of 免申即享, nothing else */
	assert_int_equal(auth_role_perms[ROLE_RESIDENT], PERM_NONE);
	assert_int_equal(auth_role_perms[ROLE_AGENCY_OPERATOR] & ~(PERM_CASES_READ | PERM_CASES_HANDLE |
								    PERM_ENTITLE_READ |
								    PERM_ENTITLE_MANAGE |
								    PERM_DELIVERIES_HANDLE),
			 0);
	assert_true(auth_role_perms[ROLE_AGENCY_OPERATOR] & PERM_ENTITLE_MANAGE);
	assert_int_equal(auth_role_perms[ROLE_LAWYER], PERM_NONE);
	/* an agency's system in the exchange sends and pulls data, nothing else */
	assert_int_equal(auth_role_perms[ROLE_EXCHANGE_MEMBER], PERM_EXCHANGE_MEMBER);
	/* who handles demands: the cadres of villages, supervisors, departments
	 * and system administrators; never a resident or a bridge's key */
	for (int r = 0; r < ROLE__MAX; r++) {
		bool handles = (auth_role_perms[r] & PERM_CASES_HANDLE) != 0;
		if (handles == (r == ROLE_RESIDENT || r == ROLE_LAWYER || r == ROLE_BRIDGE ||
				r == ROLE_EXCHANGE_MEMBER))
			fail_msg("role %s %s PERM_CASES_HANDLE", auth_role_names[r],
				 handles ? "has" : "lacks");
		if (handles && !(auth_role_perms[r] & PERM_CASES_READ))
			fail_msg("role %s handles demands it cannot read", auth_role_names[r]);
	}
	/* only a system administrator manages roles */
	for (int r = 0; r < ROLE__MAX; r++) {
		bool manages = (auth_role_perms[r] & PERM_ROLES_MANAGE) != 0;
		if (manages != (r == ROLE_SYSTEM_ADMIN))
			fail_msg("role %s %s PERM_ROLES_MANAGE", auth_role_names[r],
				 manages ? "has" : "lacks");
	}
	/* a system administrator holds every permission */
	for (int p = 0; p < NPERMS; p++)
		assert_true(auth_role_perms[ROLE_SYSTEM_ADMIN] & all_perms[p]);
	/* personal data: village cadres and system administrators only */
	for (int r = 0; r < ROLE__MAX; r++) {
		bool pii = (auth_role_perms[r] & PERM_PERSONAL_DATA) != 0;
		if (pii != (r == ROLE_VILLAGE_ADMIN || r == ROLE_SYSTEM_ADMIN))
			fail_msg("role %s %s PERM_PERSONAL_DATA", auth_role_names[r],
				 pii ? "has" : "lacks");
	}
	/* supervisors read accounts, groups and the audit trail but change nothing */
	for (int r = ROLE_TOWN_SUPERVISOR; r <= ROLE_COUNTY_SUPERVISOR; r++) {
		assert_true(auth_role_perms[r] & PERM_USERS_READ);
		assert_true(auth_role_perms[r] & PERM_AUDIT_READ);
		assert_true(auth_role_perms[r] & PERM_GROUPS_READ);
		assert_true(auth_role_perms[r] & PERM_GROUPS_SUPERVISE);
		assert_false(auth_role_perms[r] & PERM_USERS_MANAGE);
		assert_false(auth_role_perms[r] & PERM_GROUPS_MANAGE);
	}
	/* a key person sees the villagers and their groups and handles demands,
	 * nothing more */
	assert_int_equal(auth_role_perms[ROLE_KEY_PERSON],
			 PERM_USERS_READ | PERM_GROUPS_READ | PERM_CASES_READ | PERM_CASES_HANDLE);
	/* how the deployment runs is for system administrators only */
	for (int r = 0; r < ROLE__MAX; r++)
		assert_int_equal((auth_role_perms[r] & PERM_OPERATE) != 0, r == ROLE_SYSTEM_ADMIN);
	/* a village admin manages villagers but grants no roles */
	assert_true(auth_role_perms[ROLE_VILLAGE_ADMIN] & PERM_USERS_MANAGE);

	/* every role has names, and parsing a name gives the role back */
	for (int r = 0; r < ROLE__MAX; r++) {
		assert_non_null(auth_role_names[r]);
		assert_non_null(auth_role_names_zh[r]);
		enum auth_role got = ROLE__MAX;
		assert_true(auth_role_parse(auth_role_names[r], &got));
		assert_int_equal(got, r);
	}
	enum auth_role got = ROLE_LAWYER;
	assert_false(auth_role_parse("admin", &got));
	assert_false(auth_role_parse("System_Admin", &got));
	assert_false(auth_role_parse("system_admin ", &got));
	assert_false(auth_role_parse("", &got));
	assert_false(auth_role_parse(NULL, &got));
	assert_int_equal(got, ROLE_LAWYER); /* untouched */
}

/* ---- scope ---- */

static void test_anonymous_and_resident(void **state)
{
	(void)state;
	struct auth_caller c;
	auth_caller_anonymous(&c);
	assert_int_equal(c.kind, AUTH_ANONYMOUS);
	assert_string_equal(c.actor, "anonymous");
	assert_int_equal(c.ngrants, 0);
	for (int p = 0; p < NPERMS; p++) {
		assert_false(auth_has(&c, all_perms[p]));
		expect_scope(&c, all_perms[p], VILLAGE, APP_EPERM);
	}
	/* a resident's grant on their own village gives nothing there */
	caller(&c, 1, ROLE_RESIDENT, VILLAGE);
	for (int p = 0; p < NPERMS; p++)
		expect_scope(&c, all_perms[p], VILLAGE, APP_EPERM);
	assert_null(auth_home_region(&c, PERM_USERS_READ));
}

static void test_village_grant(void **state)
{
	(void)state;
	struct auth_caller c;
	caller(&c, 1, ROLE_VILLAGE_ADMIN, VILLAGE);
	expect_scope(&c, PERM_USERS_MANAGE, VILLAGE, APP_OK);
	expect_scope(&c, PERM_USERS_READ, VILLAGE, APP_OK);
	expect_scope(&c, PERM_PERSONAL_DATA, VILLAGE, APP_OK);
	expect_scope(&c, PERM_AUDIT_READ, VILLAGE, APP_OK);
	expect_scope(&c, PERM_USERS_READ | PERM_PERSONAL_DATA, VILLAGE, APP_OK);
	/* the sibling village, the town and the county above: out of scope */
	expect_scope(&c, PERM_USERS_MANAGE, SIBLING_VILLAGE, APP_ENOTFOUND);
	expect_scope(&c, PERM_PERSONAL_DATA, SIBLING_VILLAGE, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, TOWN, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, COUNTY, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "99", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, OTHER_TOWN_VILLAGE, APP_ENOTFOUND);
	/* a permission the role lacks: EPERM wherever, in scope or not */
	expect_scope(&c, PERM_ROLES_MANAGE, VILLAGE, APP_EPERM);
	expect_scope(&c, PERM_ROLES_MANAGE, SIBLING_VILLAGE, APP_EPERM);
	expect_scope(&c, PERM_USERS_MANAGE | PERM_ROLES_MANAGE, VILLAGE, APP_EPERM);
	/* no region at all is nobody's */
	expect_scope(&c, PERM_USERS_READ, NULL, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "", APP_ENOTFOUND);
}

static void test_town_grant(void **state)
{
	(void)state;
	struct auth_caller c;
	caller(&c, 1, ROLE_TOWN_SUPERVISOR, TOWN);
	expect_scope(&c, PERM_USERS_READ, TOWN, APP_OK);
	expect_scope(&c, PERM_USERS_READ, VILLAGE, APP_OK);
	expect_scope(&c, PERM_USERS_READ, SIBLING_VILLAGE, APP_OK);
	expect_scope(&c, PERM_AUDIT_READ, "990101103224", APP_OK);
	/* another town of the same county, its villages, and the county */
	expect_scope(&c, PERM_USERS_READ, OTHER_TOWN, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, OTHER_TOWN_VILLAGE, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101003", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, COUNTY, APP_ENOTFOUND);
	/* supervisors handle no personal data and manage nothing */
	expect_scope(&c, PERM_PERSONAL_DATA, VILLAGE, APP_EPERM);
	expect_scope(&c, PERM_USERS_MANAGE, VILLAGE, APP_EPERM);
	expect_scope(&c, PERM_ROLES_MANAGE, VILLAGE, APP_EPERM);
}

static void test_county_grant(void **state)
{
	(void)state;
	struct auth_caller c;
	caller(&c, 1, ROLE_COUNTY_SUPERVISOR, COUNTY);
	expect_scope(&c, PERM_USERS_READ, COUNTY, APP_OK);
	expect_scope(&c, PERM_USERS_READ, TOWN, APP_OK);
	expect_scope(&c, PERM_USERS_READ, OTHER_TOWN_VILLAGE, APP_OK);
	expect_scope(&c, PERM_AUDIT_READ, "990101219224", APP_OK);
	expect_scope(&c, PERM_USERS_READ, OTHER_COUNTY, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990102103200", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "9901", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "411681103200", APP_ENOTFOUND);
	expect_scope(&c, PERM_PERSONAL_DATA, VILLAGE, APP_EPERM);

	/* a system administrator of the county manages roles there, not elsewhere */
	caller(&c, 1, ROLE_SYSTEM_ADMIN, COUNTY);
	for (int p = 0; p < NPERMS; p++) {
		expect_scope(&c, all_perms[p], VILLAGE, APP_OK);
		expect_scope(&c, all_perms[p], OTHER_COUNTY, APP_ENOTFOUND);
	}
}

/*
 * Codes sharing a prefix without being inside: the region part of a code
 * decides, not how many characters happen to match. Malformed codes (wrong
 * lengths) are never in anyone's scope.
 */
static void test_prefix_traps(void **state)
{
	(void)state;
	struct auth_caller c;
	caller(&c, 1, ROLE_TOWN_SUPERVISOR, TOWN);
	/* 9901011032 and 99010110320 begin with the town's code but are no
	 * villages of it (nor codes of any level) */
	expect_scope(&c, PERM_USERS_READ, "9901011032", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "99010110320", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "9901011032000", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101103200x", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101103x", APP_ENOTFOUND);
	/* towns 990101010 and 990101031 share 8 of 9 digits with 990101103 */
	expect_scope(&c, PERM_USERS_READ, "990101010", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101031200", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "99010110", APP_ENOTFOUND);

	caller(&c, 1, ROLE_VILLAGE_ADMIN, VILLAGE);
	expect_scope(&c, PERM_USERS_READ, "9901011032001", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "99010110320", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101103220", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101103020", APP_ENOTFOUND);

	caller(&c, 1, ROLE_COUNTY_SUPERVISOR, COUNTY);
	expect_scope(&c, PERM_USERS_READ, "9901010", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "99010", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "9901010000000", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990110", APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, "990101001", APP_OK);
}

static void test_several_grants(void **state)
{
	(void)state;
	struct auth_caller c;
	/* a village doctor in one village who is admin of another */
	caller(&c, 2, ROLE_KEY_PERSON, VILLAGE, ROLE_VILLAGE_ADMIN, SIBLING_VILLAGE);
	expect_scope(&c, PERM_USERS_READ, VILLAGE, APP_OK);
	expect_scope(&c, PERM_USERS_READ, SIBLING_VILLAGE, APP_OK);
	/* managing needs the admin grant, which covers only the other village */
	expect_scope(&c, PERM_USERS_MANAGE, SIBLING_VILLAGE, APP_OK);
	expect_scope(&c, PERM_USERS_MANAGE, VILLAGE, APP_ENOTFOUND);
	expect_scope(&c, PERM_PERSONAL_DATA, VILLAGE, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, OTHER_TOWN_VILLAGE, APP_ENOTFOUND);
	/* permissions do not combine across grants: one grant must hold them all */
	caller(&c, 2, ROLE_KEY_PERSON, COUNTY, ROLE_VILLAGE_ADMIN, VILLAGE);
	expect_scope(&c, PERM_USERS_READ | PERM_USERS_MANAGE, VILLAGE, APP_OK);
	expect_scope(&c, PERM_USERS_READ | PERM_USERS_MANAGE, SIBLING_VILLAGE, APP_ENOTFOUND);
	expect_scope(&c, PERM_USERS_READ, SIBLING_VILLAGE, APP_OK);
}

static void test_home_region(void **state)
{
	(void)state;
	struct auth_caller c;
	caller(&c, 1, ROLE_TOWN_SUPERVISOR, TOWN);
	assert_string_equal(auth_home_region(&c, PERM_USERS_READ), TOWN);
	assert_string_equal(auth_home_region(&c, PERM_AUDIT_READ), TOWN);
	assert_null(auth_home_region(&c, PERM_USERS_MANAGE));
	assert_null(auth_home_region(&c, PERM_USERS_READ | PERM_USERS_MANAGE));
	/* the first grant that holds the permission, skipping those that do not */
	caller(&c, 3, ROLE_RESIDENT, VILLAGE, ROLE_KEY_PERSON, SIBLING_VILLAGE,
	       ROLE_COUNTY_SUPERVISOR, COUNTY);
	assert_string_equal(auth_home_region(&c, PERM_USERS_READ), SIBLING_VILLAGE);
	assert_string_equal(auth_home_region(&c, PERM_AUDIT_READ), COUNTY);
	assert_null(auth_home_region(&c, PERM_PERSONAL_DATA));
	auth_caller_anonymous(&c);
	assert_null(auth_home_region(&c, PERM_USERS_READ));
	/* auth_has: the union over grants */
	caller(&c, 2, ROLE_KEY_PERSON, VILLAGE, ROLE_TOWN_SUPERVISOR, TOWN);
	assert_true(auth_has(&c, PERM_USERS_READ));
	assert_true(auth_has(&c, PERM_USERS_READ | PERM_AUDIT_READ));
	assert_false(auth_has(&c, PERM_USERS_READ | PERM_USERS_MANAGE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_table),
		cmocka_unit_test(test_anonymous_and_resident),
		cmocka_unit_test(test_village_grant),
		cmocka_unit_test(test_town_grant),
		cmocka_unit_test(test_county_grant),
		cmocka_unit_test(test_prefix_traps),
		cmocka_unit_test(test_several_grants),
		cmocka_unit_test(test_home_region),
	};
	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
