/*
 * textcache.h - a small thread-safe cache of finished answers (serialised
 * JSON), each stamped with the data generation it was made from.
 *
 * A lookup names the generation the caller just read from the store; an
 * entry of another generation is a miss. So a change anywhere, by any
 * process, is seen by the next request, while unchanged data is served
 * without touching its tables. When the cache fills up (half its slots, or
 * TEXTCACHE_BYTES of answers) it is emptied whole: simple, and fine for
 * reference data that changes rarely.
 */
#ifndef CORE_TEXTCACHE_H
#define CORE_TEXTCACHE_H

#include "core/strbuf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXTCACHE_SLOTS 4096 /* entries at most half of this */
#define TEXTCACHE_BYTES (32u << 20) /* total size of the answers kept */
#define TEXTCACHE_KEY_MAX 48

struct textcache_entry;

struct textcache {
	pthread_mutex_t mu;
	struct textcache_entry *slots; /* allocated on first store */
	size_t used;
	size_t bytes;
	uint64_t hits, misses;
};

#define TEXTCACHE_INIT { .mu = PTHREAD_MUTEX_INITIALIZER }

/* Append the entry for key made at generation gen to out; false on a miss. */
bool textcache_get(struct textcache *c, const char *key, int64_t gen, struct strbuf *out);
/* Remember data[0..len) for key at generation gen (copied). */
void textcache_put(struct textcache *c, const char *key, int64_t gen, const char *data,
		   size_t len);
/* Forget everything. */
void textcache_clear(struct textcache *c);

#endif
