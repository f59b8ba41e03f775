/*
 * chain.c - hashing audit entries into a chain; see chain.h.
 */
#include "core/chain.h"

#include <sodium.h>
#include <string.h>

static void add_u64(crypto_generichash_state *st, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	crypto_generichash_update(st, b, sizeof(b));
}

static void add_text(crypto_generichash_state *st, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	add_u64(st, n);
	crypto_generichash_update(st, (const unsigned char *)(s ? s : ""), n);
}

void chain_hash(const uint8_t prev[CHAIN_HASH_LEN], const struct chain_entry *e,
		uint8_t out[CHAIN_HASH_LEN])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, CHAIN_HASH_LEN);
	crypto_generichash_update(&st, prev, CHAIN_HASH_LEN);
	add_u64(&st, (uint64_t)e->id);
	add_u64(&st, (uint64_t)e->at);
	add_text(&st, e->actor);
	add_text(&st, e->action);
	add_text(&st, e->object);
	add_text(&st, e->region);
	add_text(&st, e->summary);
	crypto_generichash_final(&st, out, CHAIN_HASH_LEN);
}
