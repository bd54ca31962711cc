# make bench: timing and memory against Debian's gosu, setpriv and the
# physical floor; see BENCHMARKS.md. Needs root; installs what it needs.
#   make bench BENCH_ARGS='--blocks 100 --runs 200'   more runs
#   make bench BENCH_ARGS=--no-scale                  skip the 100k databases
#   make bench BENCH_ARGS=--no-ladder                 skip the floor's steps
#   make bench BENCH_ARGS='--baseline OTHER/gosu'     another build beside ours

BENCH := $(B)/bench
BENCH_TOOLS := $(BENCH)/noop $(BENCH)/trampoline $(BENCH)/floor $(BENCH)/readall \
	$(BENCH)/runner $(BENCH)/peakrss
BENCH_ARGS ?=

.PHONY: bench bench-tools
bench:
	@sh bench/deps.sh
	@# Again from the top: the packages just installed may change CC.
	$(MAKE) --no-print-directory gosu bench-tools
	/usr/bin/python3 bench/bench.py $(BENCH_ARGS)
	/usr/bin/python3 bench/bench_map_ids.py

# The --map-ids figures alone.
.PHONY: bench-map-ids
bench-map-ids: gosu bench-tools
	/usr/bin/python3 bench/bench_map_ids.py

# The required-work floor stopped after each of its steps (floor.c).
BENCH_LADDER := $(foreach n,0 1 2 3 4 5,$(BENCH)/floor-$(n))
BENCH_TOOLS += $(BENCH_LADDER)

bench-tools: $(BENCH_TOOLS)

$(BENCH):
	mkdir -p $@

# The floors, built the way gosu is: the same compiler, flags and layout.
$(BENCH)/noop $(BENCH)/trampoline $(BENCH)/floor $(BENCH)/readall: $(BENCH)/%: bench/%.c Makefile mk/bench.mk | $(BENCH) $(KHDR)
	$(CC) $(BASE_CFLAGS) $(KHDR_FLAGS) -Os $(BASE_LDFLAGS) -s -o $@ $<
$(BENCH_LADDER): $(BENCH)/floor-%: bench/floor.c Makefile mk/bench.mk | $(BENCH) $(KHDR)
	$(CC) $(BASE_CFLAGS) $(KHDR_FLAGS) -Os $(BASE_LDFLAGS) -s -DSTEPS=$* -o $@ $<

# The measuring tools are static too: fork copies the parent's page tables
# into every child, so a small parent keeps both the time and the child's
# ru_maxrss free of the runner's own weight.
$(BENCH)/runner $(BENCH)/peakrss: $(BENCH)/%: bench/%.c Makefile mk/bench.mk | $(BENCH)
	$(CC) $(BASE_CFLAGS) -O2 $(BASE_LDFLAGS) -o $@ $<
