/*
 * secret.c - tokens, codes and passwords with libsodium; see secret.h.
 */
#include "auth/secret.h"
#include "core/utf8.h"

#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void ensure_sodium(void)
{
	if (sodium_init() < 0)
		abort();
}

void secret_token_new(const char *prefix, char out[SECRET_TOKEN_MAX])
{
	ensure_sodium();
	uint8_t raw[32];
	randombytes_buf(raw, sizeof(raw));
	size_t n = strlen(prefix);
	memcpy(out, prefix, n);
	sodium_bin2base64(out + n, SECRET_TOKEN_MAX - n, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

static void random_chars(const char *alphabet, size_t n, char *out)
{
	ensure_sodium();
	uint32_t len = (uint32_t)strlen(alphabet);
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(len)];
	out[n] = '\0';
}

void secret_invite_code(char out[16])
{
	random_chars("23456789ABCDEFGHJKMNPQRSTUVWXYZ", 10, out);
}

void secret_one_time_password(char out[16])
{
	random_chars("23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ", 12, out);
}

void secret_hash(const char *token, uint8_t out[TOKEN_HASH_LEN])
{
	ensure_sodium();
	crypto_generichash(out, TOKEN_HASH_LEN, (const unsigned char *)token, strlen(token), NULL,
			   0);
}

void secret_csrf(const char *session_token, char out[SECRET_TOKEN_MAX])
{
	static const unsigned char context[] = "bianmin csrf v1";
	uint8_t key[TOKEN_HASH_LEN], mac[32];
	secret_hash(session_token, key);
	crypto_generichash(mac, sizeof(mac), context, sizeof(context) - 1, key, sizeof(key));
	sodium_bin2base64(out, SECRET_TOKEN_MAX, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool secret_equal(const char *a, const char *b)
{
	uint8_t ha[TOKEN_HASH_LEN], hb[TOKEN_HASH_LEN];
	/* Hash first: equal-length inputs for sodium_memcmp, whatever was sent. */
	secret_hash(a, ha);
	secret_hash(b, hb);
	return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}

enum app_err secret_password_check(const char *pw, const char *phone, struct app_error *err)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n == 0)
		return app_fail_field(err, APP_EINVAL, "password", "a password is required");
	if (n > SECRET_PASSWORD_MAX || !utf8_valid(pw, n))
		return app_fail_field(err, APP_EINVAL, "password",
				      "a password must be UTF-8 text of at most %d bytes",
				      SECRET_PASSWORD_MAX);
	if (utf8_length(pw, n) < SECRET_PASSWORD_MIN)
		return app_fail_field(err, APP_EINVAL, "password",
				      "a password needs at least %d characters", SECRET_PASSWORD_MIN);
	int letters = 0, digits = 0, others = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			letters = 1;
		else if (c >= '0' && c <= '9')
			digits = 1;
		else
			others = 1;
	}
	if (letters + digits + others < 2)
		return app_fail_field(err, APP_EINVAL, "password",
				      "a password needs two kinds of characters: letters, digits "
				      "or other signs");
	if (phone && *phone && strstr(pw, phone))
		return app_fail_field(err, APP_EINVAL, "password",
				      "a password must not contain the phone number");
	return APP_OK;
}

/*
 * Argon2id costs: 32 MiB and 3 passes (stronger than OWASP's minimum of
 * 19 MiB and 2 passes; about 0.1 s here, against 0.29 s for libsodium's
 * "interactive" 64 MiB and 2 passes), and at most PWHASH_AT_ONCE hashes at
 * a time: each holds its memory while it runs, so a burst of sign-ins on
 * every HTTP thread would otherwise take the server's memory up by 32 MiB
 * per thread. Others wait their turn. A hash keeps the costs it was made
 * with, so older hashes still verify.
 */
enum { PWHASH_AT_ONCE = 2 };
#define PWHASH_MEMLIMIT (32u << 20)
#define PWHASH_OPSLIMIT 3u

static sem_t pwhash_slots;
static pthread_once_t pwhash_once = PTHREAD_ONCE_INIT;

static void make_slots(void)
{
	if (sem_init(&pwhash_slots, 0, PWHASH_AT_ONCE) != 0)
		abort();
}

static void slot_take(void)
{
	pthread_once(&pwhash_once, make_slots);
	while (sem_wait(&pwhash_slots) != 0)
		; /* EINTR: a signal, wait again */
}

static void slot_give(void)
{
	sem_post(&pwhash_slots);
}

enum app_err secret_password_hash(const char *pw, char out[SECRET_PWHASH_MAX],
				  struct app_error *err)
{
	ensure_sodium();
	static_assert(crypto_pwhash_STRBYTES <= SECRET_PWHASH_MAX, "room for the hash");
	slot_take();
	int r = crypto_pwhash_str_alg(out, pw, strlen(pw), PWHASH_OPSLIMIT, PWHASH_MEMLIMIT,
				      crypto_pwhash_ALG_ARGON2ID13);
	slot_give();
	if (r != 0)
		return app_fail(err, APP_EINTERNAL, "cannot hash the password: out of memory");
	return APP_OK;
}

static char dummy_hash[SECRET_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	struct app_error ignored;
	secret_password_hash("not a real password 1", dummy_hash, &ignored);
}

bool secret_password_verify(const char *hash, const char *pw)
{
	ensure_sodium();
	bool none = !hash || !*hash;
	if (none) { /* no such account: as long as a real check, to tell nothing */
		pthread_once(&dummy_once, make_dummy);
		hash = dummy_hash;
	}
	slot_take();
	bool ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	slot_give();
	return ok && !none;
}
