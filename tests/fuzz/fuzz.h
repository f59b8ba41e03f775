/*
 * fuzz.h - what every harness in tests/fuzz shares.
 *
 * A harness is one LLVMFuzzerTestOneInput() that feeds its input to one
 * parser and checks the invariants the parser promises. It is linked either
 * with libFuzzer (clang, `make fuzz`) or with replay.c (the normal compiler,
 * `make test`), so it uses nothing of libFuzzer's but this entry point.
 *
 * FUZZ_CHECK is for the harness's own invariants: unlike assert() it stays
 * on under NDEBUG, and it names the broken invariant before aborting so that
 * both libFuzzer and the replay driver report the input as a crash.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,    \
				__LINE__, #cond);                                     \
			abort();                                                      \
		}                                                                     \
	} while (0)

#endif
