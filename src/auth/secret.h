/*
 * secret.h - passwords, tokens and codes: making them, checking them, and
 * the hashes under which they are stored (libsodium).
 *
 * Passwords are stored as Argon2id strings; session tokens, API keys and
 * invitation codes are random and stored only as BLAKE2b-256 hashes, so a
 * copy of the database lets nobody sign in. Comparisons of secrets are
 * constant-time.
 */
#ifndef AUTH_SECRET_H
#define AUTH_SECRET_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_TOKEN_MAX 64     /* room for any token, with its prefix */
#define SECRET_PWHASH_MAX 128   /* room for an Argon2id string */
#define SECRET_PASSWORD_MIN 8   /* characters */
#define SECRET_PASSWORD_MAX 128 /* bytes */

#define SECRET_SESSION_PREFIX "bms_"
#define SECRET_API_KEY_PREFIX "bmk_"

/* A new random token: prefix + 43 characters of base64url (256 bits). */
void secret_token_new(const char *prefix, char out[SECRET_TOKEN_MAX]);
/* A new invitation code: 10 characters without look-alikes (no 0/O, 1/I/L). */
void secret_invite_code(char out[16]);
/* A new one-time password: 12 characters, letters and digits. */
void secret_one_time_password(char out[16]);

/* The stored form of a token or code. */
void secret_hash(const char *token, uint8_t out[TOKEN_HASH_LEN]);
/* The CSRF token that goes with a session token (derived, never stored). */
void secret_csrf(const char *session_token, char out[SECRET_TOKEN_MAX]);
/* Constant-time equality of two strings (of any lengths). */
bool secret_equal(const char *a, const char *b);

/*
 * Check a new password: at least 8 characters, at most 128 bytes, UTF-8, at
 * least two kinds of letters, digits and other signs, and not the phone
 * number. APP_EINVAL says which rule failed (field "password").
 */
enum app_err secret_password_check(const char *password, const char *phone,
				   struct app_error *err);
/* Hash a password with Argon2id (32 MiB, 3 passes; at most two hashes or
 * checks run at once, the others wait). */
enum app_err secret_password_hash(const char *password, char out[SECRET_PWHASH_MAX],
				  struct app_error *err);
/*
 * True when password matches hash. With an empty hash (no such account) a
 * dummy hash is checked, so that timing does not tell accounts apart.
 */
bool secret_password_verify(const char *hash, const char *password);

#endif
