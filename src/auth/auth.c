/*
 * auth.c - roles, the permissions they give, and the region scope check.
 */
#include "auth/auth.h"

#include <stdio.h>
#include <string.h>

const char *const auth_role_names[ROLE__MAX] = {
	[ROLE_RESIDENT] = "resident",
	[ROLE_VILLAGE_ADMIN] = "village_admin",
	[ROLE_KEY_PERSON] = "key_person",
	[ROLE_TOWN_SUPERVISOR] = "town_supervisor",
	[ROLE_COUNTY_SUPERVISOR] = "county_supervisor",
	[ROLE_AGENCY_OPERATOR] = "agency_operator",
	[ROLE_LAWYER] = "lawyer",
	[ROLE_SYSTEM_ADMIN] = "system_admin",
	[ROLE_BRIDGE] = "bridge",
	[ROLE_EXCHANGE_MEMBER] = "exchange_member",
};

const char *const auth_role_names_zh[ROLE__MAX] = {
	[ROLE_RESIDENT] = "居民",
	[ROLE_VILLAGE_ADMIN] = "村两委",
	[ROLE_KEY_PERSON] = "关键人员",
	[ROLE_TOWN_SUPERVISOR] = "乡镇督导",
	[ROLE_COUNTY_SUPERVISOR] = "县级督导",
	[ROLE_AGENCY_OPERATOR] = "部门经办",
	[ROLE_LAWYER] = "律师",
	[ROLE_SYSTEM_ADMIN] = "系统管理员",
	[ROLE_BRIDGE] = "消息桥接",
	[ROLE_EXCHANGE_MEMBER] = "交换成员",
};

/*
 * Who may do what. Supervisors see accounts and the audit trail of their
 * area but handle no personal data; village cadres manage their villagers
 * and may reveal a phone number to call them back; only system
 * administrators grant roles.
 */
const unsigned auth_role_perms[ROLE__MAX] = {
	[ROLE_RESIDENT] = PERM_NONE,
	[ROLE_VILLAGE_ADMIN] = PERM_USERS_READ | PERM_USERS_MANAGE | PERM_PERSONAL_DATA |
			       PERM_AUDIT_READ | PERM_GROUPS_READ | PERM_GROUPS_MANAGE |
			       PERM_CASES_READ | PERM_CASES_HANDLE,
	[ROLE_KEY_PERSON] = PERM_USERS_READ | PERM_GROUPS_READ | PERM_CASES_READ |
			    PERM_CASES_HANDLE,
	[ROLE_TOWN_SUPERVISOR] = PERM_USERS_READ | PERM_AUDIT_READ | PERM_GROUPS_READ |
				 PERM_GROUPS_SUPERVISE | PERM_CASES_READ | PERM_CASES_HANDLE |
				 PERM_ENTITLE_READ,
	[ROLE_COUNTY_SUPERVISOR] = PERM_USERS_READ | PERM_AUDIT_READ | PERM_GROUPS_READ |
				   PERM_GROUPS_SUPERVISE | PERM_CASES_READ | PERM_CASES_HANDLE |
				   PERM_ENTITLE_READ,
	/* a county department: takes whistled (吹哨) and escalated demands, and
	 * runs the programmes of 免申即享 (src/entitle) */
	[ROLE_AGENCY_OPERATOR] = PERM_CASES_READ | PERM_CASES_HANDLE | PERM_ENTITLE_READ |
				 PERM_ENTITLE_MANAGE | PERM_DELIVERIES_HANDLE,
	[ROLE_LAWYER] = PERM_NONE,
	[ROLE_SYSTEM_ADMIN] = PERM_USERS_READ | PERM_USERS_MANAGE | PERM_PERSONAL_DATA |
			      PERM_ROLES_MANAGE | PERM_AUDIT_READ | PERM_OPERATE | PERM_GROUPS_READ |
			      PERM_GROUPS_MANAGE | PERM_GROUPS_SUPERVISE | PERM_CASES_READ |
			      PERM_CASES_HANDLE | PERM_EXCHANGE_MEMBER | PERM_EXCHANGE_ADMIN |
			      PERM_ENTITLE_READ | PERM_ENTITLE_MANAGE | PERM_DELIVERIES_HANDLE,
	[ROLE_BRIDGE] = PERM_INGEST,
	/* an agency's system: what it may touch is its member's (src/exchange) */
	[ROLE_EXCHANGE_MEMBER] = PERM_EXCHANGE_MEMBER,
};

bool auth_role_parse(const char *name, enum auth_role *out)
{
	for (int i = 0; i < ROLE__MAX; i++) {
		if (name && strcmp(name, auth_role_names[i]) == 0) {
			*out = (enum auth_role)i;
			return true;
		}
	}
	return false;
}

void auth_caller_anonymous(struct auth_caller *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = AUTH_ANONYMOUS;
	snprintf(c->actor, sizeof(c->actor), "anonymous");
}

bool auth_has(const struct auth_caller *c, unsigned perm) { return (c->perms & perm) == perm; }

enum app_err auth_scope(const struct auth_caller *c, unsigned perm, const char *region,
			struct app_error *err)
{
	if (!auth_has(c, perm))
		return app_fail(err, APP_EPERM, "your role does not allow this");
	/* Scope is a prefix test, sound only for real codes: "9901011032" starts
	 * with town 990101103 but lies in nobody's subtree. */
	enum division_level level;
	if (!region || division_code_check(region, &level, NULL) != APP_OK)
		return app_fail(err, APP_ENOTFOUND, "not found");
	for (int i = 0; i < c->ngrants; i++) {
		const struct auth_grant *g = &c->grants[i];
		if ((auth_role_perms[g->role] & perm) == perm &&
		    division_code_within(region, g->region))
			return APP_OK;
	}
	return app_fail(err, APP_ENOTFOUND, "not found");
}

const char *auth_home_region(const struct auth_caller *c, unsigned perm)
{
	for (int i = 0; i < c->ngrants; i++)
		if ((auth_role_perms[c->grants[i].role] & perm) == perm)
			return c->grants[i].region;
	return NULL;
}

enum app_err auth_load_grants(struct store *s, struct auth_caller *c, struct app_error *err)
{
	struct role_grant g[AUTH_GRANTS_MAX];
	int n = 0;
	enum app_err rc = store_grants_of(s, c->user_id, g, AUTH_GRANTS_MAX, &n, err);
	if (rc != APP_OK)
		return rc;
	c->ngrants = 0;
	c->perms = 0;
	for (int i = 0; i < n; i++) {
		enum auth_role role;
		if (!auth_role_parse(g[i].role, &role))
			continue; /* a role this build does not know gives nothing */
		c->grants[c->ngrants].role = role;
		snprintf(c->grants[c->ngrants].region, sizeof(c->grants[c->ngrants].region), "%s",
			 g[i].region);
		c->perms |= auth_role_perms[role];
		c->ngrants++;
	}
	return APP_OK;
}
