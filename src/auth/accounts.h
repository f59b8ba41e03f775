/*
 * accounts.h - the rules of accounts: who may create whom where, signing in
 * and out, throttling, one-time passwords, invitations, API keys, households
 * and role grants. Every change leaves an audit entry; personal data in
 * audit summaries is masked.
 */
#ifndef AUTH_ACCOUNTS_H
#define AUTH_ACCOUNTS_H

#include "auth/auth.h"
#include "auth/secret.h"

#define ACCOUNTS_NAME_MAX_CHARS 30

/* A person's name: UTF-8, 1 to ACCOUNTS_NAME_MAX_CHARS characters, no
 * control characters. APP_EINVAL with field "name" otherwise. */
enum app_err accounts_check_name(const char *name, struct app_error *err);
#define ACCOUNTS_LOCK_FAILURES 5     /* failed sign-ins that lock ... */
#define ACCOUNTS_LOCK_WINDOW 900     /* ... within this many seconds, for as long */
#define ACCOUNTS_INVITE_TTL (7 * 86400)

/* A system caller for the command line: every permission everywhere. */
void accounts_system_caller(struct auth_caller *c, const char *actor);

struct accounts_new_user {
	const char *name;
	const char *phone;
	const char *id_number; /* NULL or "" when not given */
	const char *region;
	int64_t household_id;  /* 0 when none */
	const char *role;      /* NULL: resident */
};

/*
 * Create an account on behalf of by, with a one-time password written to
 * otp (the person must change it at first sign-in). by needs
 * PERM_USERS_MANAGE for the region, and PERM_ROLES_MANAGE there for any role
 * but resident. Errors name the field at fault.
 */
enum app_err accounts_create_user(struct store *s, const struct auth_caller *by,
				  const struct accounts_new_user *in, int64_t *id, char otp[16],
				  struct app_error *err);

struct accounts_session {
	char token[SECRET_TOKEN_MAX];
	char csrf[SECRET_TOKEN_MAX];
	int64_t expires_at;
	struct user user;
};

/*
 * Sign in with phone and password from address addr. Wrong credentials give
 * APP_EAUTH with one message for both cases; after 5 failures in 15 minutes
 * for the account or the address, APP_ETHROTTLED for 15 minutes.
 */
enum app_err accounts_login(struct store *s, const char *phone, const char *password,
			    const char *addr, int64_t ttl, struct accounts_session *out,
			    struct app_error *err);

/*
 * Who is calling: from an "Authorization: Bearer ..." value (session token
 * or API key) or else from the session cookie's value (both may be NULL:
 * anonymous). Unknown, expired or revoked credentials give APP_EAUTH saying
 * which. out is filled in every case.
 */
enum app_err accounts_resolve(struct store *s, const char *bearer, const char *cookie,
			      struct auth_caller *out, struct app_error *err);

/*
 * Check again, for a long request such as an event stream, that caller c
 * (resolved earlier) still holds: its session neither closed nor expired,
 * its account not disabled; and reload its grants. APP_EAUTH when it no
 * longer holds. Callers by API key are taken as they are.
 */
enum app_err accounts_recheck(struct store *s, struct auth_caller *c, struct app_error *err);
enum app_err accounts_logout(struct store *s, const struct auth_caller *c,
			     struct app_error *err);
enum app_err accounts_change_password(struct store *s, const struct auth_caller *c,
				      const char *old_password, const char *new_password,
				      struct app_error *err);

/* An invitation code for region (and household) valid 7 days. */
enum app_err accounts_invite_create(struct store *s, const struct auth_caller *by,
				    const char *region, int64_t household_id, char code[16],
				    int64_t *expires_at, struct app_error *err);
/*
 * Join with an invitation code: creates a resident and signs them in.
 * Refusals (unknown, used or expired code, phone taken) count against the
 * address addr like failed sign-ins, so that codes cannot be guessed nor
 * phone numbers probed: 5 in 15 minutes lock the address (APP_ETHROTTLED).
 */
enum app_err accounts_invite_accept(struct store *s, const char *code,
				    const struct accounts_new_user *in, const char *password,
				    const char *addr, int64_t ttl, struct accounts_session *out,
				    struct app_error *err);

enum app_err accounts_household_create(struct store *s, const struct auth_caller *by,
				       const char *region, const char *address, int64_t *id,
				       struct app_error *err);

/* Grant or remove a role; by needs PERM_ROLES_MANAGE for the region. */
enum app_err accounts_grant(struct store *s, const struct auth_caller *by, int64_t user_id,
			    const char *role, const char *region, bool add, struct app_error *err);

/* A new API key for a machine client; the key is shown once. */
enum app_err accounts_api_key_add(struct store *s, const char *actor, const char *name,
				  const char *role, const char *region,
				  char key[SECRET_TOKEN_MAX], int64_t *id, struct app_error *err);
enum app_err accounts_api_key_revoke(struct store *s, const char *actor, int64_t id,
				     struct app_error *err);

/* The demo accounts (one per role in the demo county), created if missing. */
struct accounts_demo_account {
	const char *role, *region, *name, *phone, *what;
};
extern const struct accounts_demo_account accounts_demo_accounts[];
extern const size_t accounts_demo_count;
#define ACCOUNTS_DEMO_PASSWORD "demo-2026"
enum app_err accounts_demo_create(struct store *s, int *created, struct app_error *err);

#endif
