/*
 * chain.h - the hash of one audit entry, linking it to the one before
 * (信息留痕: a change to any entry breaks every hash after it).
 *
 * hash = BLAKE2b-256(prev_hash || id || at || each text field), where every
 * field is length-prefixed so that no two different entries hash alike by
 * moving bytes between fields. The first entry's prev_hash is all zeros.
 */
#ifndef CORE_CHAIN_H
#define CORE_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#define CHAIN_HASH_LEN 32

struct chain_entry {
	int64_t id;
	int64_t at;
	const char *actor, *action, *object, *region, *summary;
};

void chain_hash(const uint8_t prev[CHAIN_HASH_LEN], const struct chain_entry *e,
		uint8_t out[CHAIN_HASH_LEN]);

#endif
