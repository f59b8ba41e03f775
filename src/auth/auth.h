/*
 * auth.h - who is calling, and what they may do where.
 *
 * A caller is anonymous, a signed-in user (session token, by cookie or
 * Bearer header) or a machine (API key). Each holds role grants, and a grant
 * (role, region) covers the region's whole subtree. Roles give permissions
 * (role_perms[] in auth.c, the one table that says who may do what).
 *
 * auth_scope() is THE place where region scope is decided: every handler
 * that touches an object of a region asks it, and an object outside the
 * caller's scope answers APP_ENOTFOUND (no leak of existence), while an
 * action the caller's roles lack anywhere answers APP_EPERM.
 */
#ifndef AUTH_AUTH_H
#define AUTH_AUTH_H

#include "core/division.h"
#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

enum auth_role {
	ROLE_RESIDENT,
	ROLE_VILLAGE_ADMIN, /* village party secretary (owner) and committee (admins) */
	ROLE_KEY_PERSON,    /* 包村干部, 纪委书记, 民警, 水电工, 村医 ... */
	ROLE_TOWN_SUPERVISOR,
	ROLE_COUNTY_SUPERVISOR,
	ROLE_AGENCY_OPERATOR,
	ROLE_LAWYER,
	ROLE_SYSTEM_ADMIN,
	ROLE_BRIDGE, /* a chat platform's robot, for API keys only */
	ROLE_EXCHANGE_MEMBER, /* an agency's system in the data exchange, for API keys only */
	ROLE__MAX
};
extern const char *const auth_role_names[ROLE__MAX];
extern const char *const auth_role_names_zh[ROLE__MAX];
bool auth_role_parse(const char *name, enum auth_role *out);

enum auth_perm {
	PERM_NONE = 0,
	PERM_USERS_READ = 1u << 0,    /* see accounts in scope (masked) */
	PERM_USERS_MANAGE = 1u << 1,  /* create accounts, households, invitations */
	PERM_PERSONAL_DATA = 1u << 2, /* reveal ID and phone numbers (audited) */
	PERM_ROLES_MANAGE = 1u << 3,  /* grant and remove roles */
	PERM_AUDIT_READ = 1u << 4,    /* read the audit trail of objects in scope */
	PERM_OPERATE = 1u << 5,       /* see how the deployment runs (scheduled jobs) */
	PERM_GROUPS_READ = 1u << 6,   /* see service groups in scope, their members and duty */
	PERM_GROUPS_MANAGE = 1u << 7, /* members, rosters, duty rota and settings of groups */
	PERM_INGEST = 1u << 8,        /* post messages in bulk from another chat platform */
	PERM_GROUPS_SUPERVISE = 1u << 9, /* read recalled and hidden messages and their history */
	PERM_CASES_READ = 1u << 10,   /* see residents' demands in scope */
	PERM_CASES_HANDLE = 1u << 11, /* acknowledge, handle, escalate, 吹哨, 退单 demands in scope */
	PERM_EXCHANGE_MEMBER = 1u << 12, /* upload batches and pull, as the member its key is bound to */
	PERM_EXCHANGE_ADMIN = 1u << 13,  /* see the exchange's members, datasets, subscriptions, pushes;
					  * approve conditional subscriptions */
	PERM_ENTITLE_READ = 1u << 14,   /* see entitlements (免申即享) and bundles in scope, masked */
	PERM_ENTITLE_MANAGE = 1u << 15, /* run programmes, record objections, reviews, consent and
					 * appeals, publish; start bundles, mark their services */
	PERM_DELIVERIES_HANDLE = 1u << 16, /* act on delivery tasks in scope (出发, 送达, 无法送达);
					    * see the outbox of notifications, masked */
};

/* The permissions each role gives (auth.c). */
extern const unsigned auth_role_perms[ROLE__MAX];

enum auth_kind { AUTH_ANONYMOUS, AUTH_SESSION, AUTH_API_KEY };

#define AUTH_GRANTS_MAX 32

struct auth_grant {
	enum auth_role role;
	char region[DIVISION_CODE_MAX + 1];
};

struct auth_caller {
	enum auth_kind kind;
	int64_t user_id; /* AUTH_SESSION */
	int64_t key_id;  /* AUTH_API_KEY */
	char actor[32];  /* for the audit trail: "user:12", "apikey:3", "anonymous" */
	bool by_cookie;  /* session from a cookie: unsafe methods need the CSRF token */
	bool must_change_password;
	uint8_t session_hash[TOKEN_HASH_LEN];
	int ngrants;
	struct auth_grant grants[AUTH_GRANTS_MAX];
	unsigned perms; /* union over grants */
};

/* An anonymous caller. */
void auth_caller_anonymous(struct auth_caller *c);

/*
 * Decide whether c may use permission perm on an object of region.
 * APP_OK when a grant with perm covers region; APP_EPERM when c holds perm
 * nowhere; APP_ENOTFOUND when c holds it, but not for that region (the
 * object is out of scope and must look absent). err gets a plain message.
 */
enum app_err auth_scope(const struct auth_caller *c, unsigned perm, const char *region,
			struct app_error *err);

/* True when c holds perm for some region. */
bool auth_has(const struct auth_caller *c, unsigned perm);

/*
 * The narrowest region where c holds perm (for listings with no region
 * given): the region of c's first grant with perm, or NULL.
 */
const char *auth_home_region(const struct auth_caller *c, unsigned perm);

/* Load a user's grants into c (from the store) and compute c->perms. */
enum app_err auth_load_grants(struct store *s, struct auth_caller *c, struct app_error *err);

#endif
