# bench/rules.mk - the rules benchmark program (bench/rules_bench.c), run by
# bench/rules.sh. Not included by the Makefile; the script names both files:
# make -f Makefile -f bench/rules.mk TARGET.

$(BUILD)/bench/rules_bench: bench/rules_bench.c $(BUILD)/libbianmin.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbianmin.a $(LIBS)
