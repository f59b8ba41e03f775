# bianmin - build, run, test and benchmark.
#
#   make            build build/bianmin
#   make run        install missing Debian packages, build, create var/bianmin.db
#                   with the demo county if missing, serve on 127.0.0.1:8080
#   make test       every test layer (unit, API on SQLite, API on PostgreSQL in a
#                   throwaway cluster when pg_virtualenv is there)
#   make bench      the benchmarks in bench/
#   make demo-shenyang  the Shenyang subsidy demo on 47,000 synthetic persons
#   make SANITIZE=address,undefined test    the same under ASan/UBSan
#   make WERROR=1   warnings are errors (CI)

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq zlib libsodium libqrencode xlsxwriter libcurl
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifneq ($(SANITIZE),)
BUILD   ?= build/sanitize
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT     := -O1 -g
else
BUILD   ?= build
SANFLAGS :=
OPT     := -O2 -g
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wno-format-nonliteral -Wvla
ifeq ($(WERROR),1)
WARN    += -Werror
endif

CFLAGS  ?= $(OPT)
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Isrc -MMD -MP \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS += $(SANFLAGS)

SRC      := $(sort $(wildcard src/*/*.c))
MAIN_SRC := src/cli/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations_sqlite.o \
            $(BUILD)/gen/migrations_pg.o $(BUILD)/gen/docs.o $(BUILD)/gen/calendar.o \
            $(BUILD)/gen/patrol_data.o
BIN      := $(BUILD)/bianmin

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test test-build test-unit test-api bench clean deps deps-test web
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The version is compiled into cmd_version.o alone, which is rebuilt whenever
# `git describe` says something else than at its last build (the stamp).
$(BUILD)/src/cli/cmd_version.o: ALL_CFLAGS += -DBIANMIN_VERSION='"$(VERSION)"'
$(BUILD)/src/cli/cmd_version.o: $(BUILD)/gen/version.stamp
$(BUILD)/gen/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
.PHONY: FORCE
FORCE:

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 -Wall -o $@ $<

$(BUILD)/gen/migrations_sqlite.c: $(BUILD)/tools/embed $(sort $(wildcard sql/sqlite/*.sql))
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed store_migration store_sqlite_migrations store_sqlite_migrations_count \
		$(sort $(wildcard sql/sqlite/*.sql)) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations_pg.c: $(BUILD)/tools/embed $(sort $(wildcard sql/pg/*.sql))
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed store_migration store_pg_migrations store_pg_migrations_count \
		$(sort $(wildcard sql/pg/*.sql)) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/docs.c: $(BUILD)/tools/embed docs/openapi.json
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed embedded_doc http_embedded_docs http_embedded_docs_count \
		docs/openapi.json > $@.tmp && mv $@.tmp $@

# the working-day calendars of data/calendar/ (src/core/calendar.c reads them)
$(BUILD)/gen/calendar.c: $(BUILD)/tools/embed $(sort $(wildcard data/calendar/*.csv))
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed calendar_file calendar_builtin_files calendar_builtin_files_count \
		$(sort $(wildcard data/calendar/*.csv)) > $@.tmp && mv $@.tmp $@

# the patrol's keyword lexicon and its classifier's model, learnt here from
# data/patrol/intent.csv by tools/patrol_model.c (src/patrol/judge.c reads them).
# PATROL_MODEL_OBJ lists the classifier's own dependencies by hand: it must
# grow if src/patrol/classify.c comes to use another module. The tool runs on
# the build host (built with $(CC), as tools/embed is).
PATROL_MODEL_OBJ := $(addprefix $(BUILD)/src/,patrol/classify.o patrol/lexicon.o patrol/matcher.o \
                    core/csv.o core/utf8.o core/mem.o core/strbuf.o core/err.o core/log.o)
$(BUILD)/tools/patrol_model: tools/patrol_model.c $(PATROL_MODEL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/gen/intent.model: $(BUILD)/tools/patrol_model data/patrol/intent.csv
	@mkdir -p $(dir $@)
	$(BUILD)/tools/patrol_model data/patrol/intent.csv $@.tmp && mv $@.tmp $@

$(BUILD)/gen/patrol_data.c: $(BUILD)/tools/embed data/patrol/lexicon.csv $(BUILD)/gen/intent.model
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed patrol_file patrol_builtin_files patrol_builtin_files_count \
		data/patrol/lexicon.csv $(BUILD)/gen/intent.model > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/libbianmin.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/$(MAIN_SRC:.c=.o) $(BUILD)/libbianmin.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# A test that injects faults names the functions it wraps (ld --wrap) here.
WRAP_test_ingest_faults := store_group_head store_ingest_fail sqlite3_step

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbianmin.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) $(WRAP_$*:%=-Wl,--wrap=%) -o $@ $< \
		$(BUILD)/libbianmin.a $(LIBS) $(shell pkg-config --libs cmocka)

deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

# Packages first, then a fresh make: pkg-config is read when make starts.
run: deps
	@$(MAKE) --no-print-directory all
	@scripts/web.sh
	@scripts/run.sh $(BIN)

# The web front end's pinned npm packages, copied into web/vendor/ (no other
# build step); `make run` and the browser tests do it themselves.
web:
	@scripts/web.sh

# TEST_LAYERS: which layers (scripts/test.sh); all of them by default
test: deps-test
	@$(MAKE) --no-print-directory test-build
	@scripts/test.sh $(BUILD) $(TEST_LAYERS)

test-build: all $(UNIT_BIN)

test-unit: $(UNIT_BIN)
	@scripts/test.sh $(BUILD) unit

test-api: all
	@scripts/test.sh $(BUILD) api

bench: all
	@bench/run.sh $(BIN)

# The classifier model the patrol uses by default (docs/classify.md), learnt
# from the repository's own labelled lines; a county may train on its own.
.PHONY: model
model: $(BIN)
	@mkdir -p var
	$(BIN) classify train --all -o var/classify.model data/patrol/intent.csv

# The Shenyang subsidy demo (docs/shenyang-demo.md): 47,000 synthetic persons
# from the federation to the paying agency; the database stays in
# var/shenyang-demo/ (an earlier run of it is replaced).
.PHONY: demo-shenyang
demo-shenyang: all
	@scripts/shenyang-demo.sh --bin $(BIN) --replace

clean:
	rm -rf build

include tests/fuzz/fuzz.mk
include bench/search.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
