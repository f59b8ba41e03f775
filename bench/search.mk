# bench/search.mk - the search evaluation program (bench/search_recall.c),
# run by bench/search_recall.sh. Include it from the Makefile with
#
#     include bench/search.mk
#
# or, until then, name both files: make -f Makefile -f bench/search.mk TARGET.
#
#   make build/bench/search_recall     the program (needs ICU: libicu-dev)
#   make bench-search                  bench/search_recall.sh (real messages,
#                                      1 M synthetic ones, PostgreSQL check)

SEARCH_ICU := $(shell pkg-config --cflags --libs icu-uc icu-i18n 2>/dev/null)

$(BUILD)/bench/search_recall: bench/search_recall.c $(BUILD)/libbianmin.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbianmin.a $(LIBS) $(SEARCH_ICU)

.PHONY: bench-search
bench-search: $(BUILD)/bench/search_recall
	@bench/search_recall.sh $(BUILD)/bench/search_recall
