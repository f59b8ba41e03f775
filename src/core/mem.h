/*
 * mem.h - allocation that never returns NULL, and the per-request arena.
 *
 * Out of memory is not recoverable in this program: x*alloc log one line and
 * abort. An arena hands out memory that lives until arena_release(); a request
 * handler takes everything it needs from its request's arena (the h2o model)
 * so that nothing is freed piecemeal.
 */
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

struct arena_block;
struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
/* Free every block; the arena may be used again afterwards. */
void arena_release(struct arena *a);
/* n bytes aligned for any type; lives until arena_release(). */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
