# bench/patrol.mk - the patrol benchmark program (bench/patrol_bench.c), run
# by bench/classify.sh. Not included by the Makefile; the script names both
# files: make -f Makefile -f bench/patrol.mk TARGET.
#
#   make -f Makefile -f bench/patrol.mk build/bench/patrol_bench
#   make -f Makefile -f bench/patrol.mk bench-patrol    bench/classify.sh

$(BUILD)/bench/patrol_bench: bench/patrol_bench.c $(BUILD)/libbianmin.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbianmin.a $(LIBS)

.PHONY: bench-patrol
bench-patrol: $(BUILD)/bench/patrol_bench $(BIN)
	@bench/classify.sh $(BUILD)/bench/patrol_bench
