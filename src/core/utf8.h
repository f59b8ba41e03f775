/*
 * utf8.h - UTF-8 checks for untrusted text.
 *
 * Strict RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
#ifndef CORE_UTF8_H
#define CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (NUL bytes are rejected too). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in well-formed s[0..n). */
size_t utf8_length(const char *s, size_t n);

/*
 * Copy s (NULL: "") into out, which has cap >= 1 bytes, cutting a longer
 * string at a character boundary so that well-formed input stays
 * well-formed. Returns out.
 */
const char *utf8_copy_cut(char *out, size_t cap, const char *s);

#endif
