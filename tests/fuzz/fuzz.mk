# tests/fuzz/fuzz.mk - libFuzzer harnesses and their corpus replay.
# Included from the Makefile; see tests/fuzz/README.md.
#
#   make fuzz                        build build/fuzz/fuzz_* with clang and libFuzzer
#   make fuzz-run FUZZ_SECONDS=60    run each harness that long on its corpus
#   make fuzz-merge                  minimise each corpus in place (-merge=1)
#   make test-fuzz                   replay every corpus (also part of `make test`)
#
# The fuzzers link a second copy of the library, compiled by clang with
# coverage and the sanitizers into build/fuzz/ by a recursive make. The replay
# binaries link each harness with tests/fuzz/replay.c under the normal
# compiler and flags (so also under `make SANITIZE=...`), no libFuzzer needed.

FUZZ_NAMES   := csv regions_csv division utf8 config terms calendar matcher form rules exchange ingest
FUZZ_CC      ?= clang
FUZZ_BUILD   := build/fuzz
FUZZ_SAN     := address,undefined
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_CORPUS  := tests/fuzz/corpus
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_REPLAY  := $(FUZZ_NAMES:%=$(BUILD)/tests/replay_fuzz_%)
FUZZ_CFLAGS  := -std=c17 -D_GNU_SOURCE $(WARN) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer,$(FUZZ_SAN) -fno-sanitize-recover=all -Isrc -Itests/fuzz

.PHONY: fuzz fuzz-lib fuzz-run fuzz-merge test-fuzz

fuzz: $(FUZZ_BIN)

# Always ask the sub-make: it alone knows whether a library source changed.
fuzz-lib:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
		SANITIZE=fuzzer-no-link,$(FUZZ_SAN) $(FUZZ_BUILD)/libbianmin.a

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h fuzz-lib
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_BUILD)/libbianmin.a $(LIBS)

# Each harness for FUZZ_SECONDS on a scratch copy of its corpus; new inputs
# go to build/fuzz/corpus/NAME and crashes to build/fuzz/crashes/. Keep a
# crash by copying it into tests/fuzz/corpus/NAME (see the README).
fuzz-run: fuzz
	@set -e; for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/crashes; \
		echo "fuzz_$$n: $(FUZZ_SECONDS)s"; \
		$(FUZZ_BUILD)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -jobs=$(FUZZ_JOBS) \
			-workers=$(FUZZ_JOBS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$n- \
			$(FUZZ_BUILD)/corpus/$$n $(FUZZ_CORPUS)/$$n; \
	done

# Reduce each checked-in corpus to the inputs that add coverage, merging in
# what fuzz-run found. Named inputs (seed-*, crash-*) are always kept; the
# rest are libFuzzer's, named by their SHA-1, and are kept only when they
# reach code the others do not (-use_counters=0: new edges, not new hit
# counts, which keeps the checked-in corpus to a few dozen small files; the
# richer working corpus stays in build/fuzz/corpus).
fuzz-merge: fuzz
	@set -e; for n in $(FUZZ_NAMES); do \
		m=$(FUZZ_BUILD)/merged/$$n; rm -rf $$m; mkdir -p $$m $(FUZZ_BUILD)/corpus/$$n; \
		cp $(FUZZ_CORPUS)/$$n/*-* $$m/ 2>/dev/null || true; \
		$(FUZZ_BUILD)/fuzz_$$n -merge=1 -use_counters=0 $$m $(FUZZ_CORPUS)/$$n $(FUZZ_BUILD)/corpus/$$n \
			2>&1 | grep MERGE-OUTER | tail -n 1; \
		rm -f $(FUZZ_CORPUS)/$$n/*; cp $$m/* $(FUZZ_CORPUS)/$$n/; \
	done

$(BUILD)/tests/replay_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
		$(BUILD)/libbianmin.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(BUILD)/libbianmin.a $(LIBS)

test-build: $(FUZZ_REPLAY)

test-fuzz: $(FUZZ_REPLAY)
	@scripts/test.sh $(BUILD) fuzz
