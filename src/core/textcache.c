/*
 * textcache.c - open-addressing table of answers; see textcache.h.
 */
#include "core/textcache.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

struct textcache_entry {
	char key[TEXTCACHE_KEY_MAX];
	int64_t gen;
	char *data; /* NULL: empty slot */
	size_t len;
};

static size_t slot_of(const struct textcache *c, const char *key)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	size_t i = (size_t)h & (TEXTCACHE_SLOTS - 1);
	while (c->slots[i].data && strcmp(c->slots[i].key, key) != 0)
		i = (i + 1) & (TEXTCACHE_SLOTS - 1);
	return i;
}

static void clear_locked(struct textcache *c)
{
	if (!c->slots)
		return;
	for (size_t i = 0; i < TEXTCACHE_SLOTS; i++) {
		free(c->slots[i].data);
		c->slots[i].data = NULL;
	}
	c->used = 0;
	c->bytes = 0;
}

bool textcache_get(struct textcache *c, const char *key, int64_t gen, struct strbuf *out)
{
	bool hit = false;
	pthread_mutex_lock(&c->mu);
	if (c->slots && strlen(key) < TEXTCACHE_KEY_MAX) {
		struct textcache_entry *e = &c->slots[slot_of(c, key)];
		if (e->data && e->gen == gen) {
			strbuf_add(out, e->data, e->len);
			hit = true;
		}
	}
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void textcache_put(struct textcache *c, const char *key, int64_t gen, const char *data,
		   size_t len)
{
	if (strlen(key) >= TEXTCACHE_KEY_MAX)
		return;
	pthread_mutex_lock(&c->mu);
	if (!c->slots)
		c->slots = xcalloc(TEXTCACHE_SLOTS, sizeof(*c->slots));
	if (c->used >= TEXTCACHE_SLOTS / 2 || c->bytes + len > TEXTCACHE_BYTES)
		clear_locked(c);
	struct textcache_entry *e = &c->slots[slot_of(c, key)];
	if (e->data) {
		c->bytes -= e->len;
		free(e->data);
	} else {
		c->used++;
		memcpy(e->key, key, strlen(key) + 1);
	}
	e->data = xstrndup(data, len);
	e->len = len;
	c->bytes += len;
	e->gen = gen;
	pthread_mutex_unlock(&c->mu);
}

void textcache_clear(struct textcache *c)
{
	pthread_mutex_lock(&c->mu);
	clear_locked(c);
	free(c->slots);
	c->slots = NULL;
	pthread_mutex_unlock(&c->mu);
}
