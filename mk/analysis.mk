# Evidence that hostile input cannot trick the program: fuzzing, sanitizers,
# valgrind and static analysis. Included by the Makefile.
#
#   make fuzz            the libFuzzer target (fuzz/) for FUZZ_TIME seconds
#                        (60), then its big-input build for FUZZ_BIG_TIME (30)
#   make fuzz-regress    every seed of fuzz/corpus through both builds once
#   make test-sanitize   unit tests and the e2e suite built with ASan+UBSan
#   make test-valgrind   e2e cases under valgrind memcheck: the real (musl,
#                        static) binary, and a glibc build for the heap
#   make lint            gcc -fanalyzer, cppcheck, clang-tidy; any warning fails
#   make analysis        all of the above
# CI (`make check`) runs them all, the fuzzer for 60 + 30 seconds.

.PHONY: fuzz fuzz-build fuzz-regress fuzz-corpus test-sanitize test-valgrind \
	lint lint-gcc lint-cppcheck lint-clang-tidy analysis

# ---------------------------------------------------------------- fuzzing
# One target, fuzz/fuzz_resolve.c, built twice: $(FUZZ_BIN) leaves out the
# two costly input modes (lines of 1 MiB, 65536 groups) and runs thousands
# of inputs a second; $(FUZZ_BIG_BIN) has them. `make fuzz` runs the first
# for FUZZ_TIME seconds, then the second for FUZZ_BIG_TIME.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_BIG_TIME ?= 30
# Extra libFuzzer options, e.g. FUZZ_OPTS=-seed=1
FUZZ_OPTS ?=
FUZZ_BIN := $(B)/fuzz/fuzz_resolve
FUZZ_BIG_BIN := $(B)/fuzz/fuzz_resolve_big
FUZZ_SRCS := fuzz/fuzz_resolve.c fuzz/model.c tests/unit/memdb.c $(PURE:%=src/%.c)
FUZZ_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -Itests/unit -Ifuzz -g -O1 \
	-fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# Inputs of 64 KiB at most are enough for every line structure; the long
# lines and the 65536 groups are made by the target from flags in the input.
FUZZ_ARGS := -max_len=65536 -timeout=20 -rss_limit_mb=2048 -dict=fuzz/resolve.dict \
	-print_final_stats=1

$(FUZZ_BIN) $(FUZZ_BIG_BIN): $(FUZZ_SRCS) $(wildcard src/*.h fuzz/*.h tests/unit/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(if $(findstring big,$(@F)),-DFUZZ_BIG=1) -o $@ $(FUZZ_SRCS)

# The --map-ids plan's target, fuzz/fuzz_mapplan.c, with its own seeds.
FUZZ_PLAN_BIN := $(B)/fuzz/fuzz_mapplan
FUZZ_PLAN_TIME ?= 30
FUZZ_PLAN_ARGS := -max_len=16384 -timeout=20 -dict=fuzz/resolve.dict -print_final_stats=1
$(FUZZ_PLAN_BIN): fuzz/fuzz_mapplan.c $(PURE:%=src/%.c) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/fuzz_mapplan.c $(PURE:%=src/%.c)

fuzz-build: $(FUZZ_BIN) $(FUZZ_BIG_BIN) $(FUZZ_PLAN_BIN)

# New inputs go to $(B)/fuzz/corpus*; fuzz/corpus, the seeds, is only read.
# A failure leaves its input in $(B)/fuzz/ (crash-*, big-crash-*): rerun it
# with the same binary, `$(FUZZ_BIN) FILE`.
fuzz: fuzz-build
	@mkdir -p $(B)/fuzz/corpus $(B)/fuzz/corpus-big
	$(FUZZ_BIN) $(FUZZ_ARGS) -artifact_prefix=$(B)/fuzz/ -max_total_time=$(FUZZ_TIME) \
		$(FUZZ_OPTS) $(B)/fuzz/corpus fuzz/corpus
	$(FUZZ_BIG_BIN) $(FUZZ_ARGS) -artifact_prefix=$(B)/fuzz/big- -max_total_time=$(FUZZ_BIG_TIME) \
		$(FUZZ_OPTS) $(B)/fuzz/corpus-big fuzz/corpus
	@mkdir -p $(B)/fuzz/corpus-mapplan
	$(FUZZ_PLAN_BIN) $(FUZZ_PLAN_ARGS) -artifact_prefix=$(B)/fuzz/plan- -max_total_time=$(FUZZ_PLAN_TIME) \
		$(FUZZ_OPTS) $(B)/fuzz/corpus-mapplan fuzz/corpus-mapplan

# Every seed once, through both builds: a quick check, no mutation.
fuzz-regress: fuzz-build
	$(FUZZ_BIN) $(FUZZ_ARGS) -runs=0 fuzz/corpus
	$(FUZZ_BIG_BIN) $(FUZZ_ARGS) -runs=0 fuzz/corpus
	$(FUZZ_PLAN_BIN) $(FUZZ_PLAN_ARGS) -runs=0 fuzz/corpus-mapplan

# Regenerates the seeds from the fixtures and fuzz/files/.
fuzz-corpus:
	$(PYTHON) fuzz/mkcorpus.py

# ------------------------------------------------------------- sanitizers
# The unit tests and a dynamically linked gosu (ASan cannot be static) built
# with AddressSanitizer and UndefinedBehaviorSanitizer; the e2e suite then
# runs that gosu. Any report fails: UBSan does not recover, and a report
# exits 66, a status gosu never uses, on top of the text on stderr that the
# tests compare.
SAN_CC ?= clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1
SAN := $(B)/sanitize
# The tests give gosu an environment of their own, so the sanitizers'
# options are compiled in: fuzz/sanitize_options.c (with its one LSan
# suppression and the reason for it).
# Tests that cannot hold for a sanitized, dynamically linked build, each
# with its reason:
# - the cases that unmount /proc: the ASan runtime reads /proc/self/maps and
#   /proc/self/exe at start and warns on stderr without them (the static
#   gosu is tested there by the plain e2e run);
# - the file that keeps changing: gosu fails there under strace, and
#   LeakSanitizer, which runs at exit, cannot work under ptrace (the case
#   of the rewrite that gosu survives execs the command, no exit: it runs).
SAN_DESELECT ?= -k 'not without_proc and not True-set and not keeps_changing'

$(SAN)/unit: $(wildcard tests/unit/*.c) $(PURE:%=src/%.c) $(wildcard src/*.h tests/unit/*.h)
	@mkdir -p $(@D)
	$(SAN_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -Itests/unit $(SAN_FLAGS) -o $@ \
		$(wildcard tests/unit/*.c) $(PURE:%=src/%.c)

$(SAN)/gosu: $(SRCS_LIBC_MALLOC) $(wildcard src/*.h) fuzz/sanitize_options.c
	@mkdir -p $(@D)
	$(SAN_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(SAN_FLAGS) -o $@ $(SRCS_LIBC_MALLOC) fuzz/sanitize_options.c

# src/malloc.c, the static binary's own allocator, is left out of every
# sanitized and valgrind build (they bring their own malloc); its unit test
# runs it renamed beside libc's, so that test is built sanitized too: UBSan
# sees its pointer arithmetic, ASan any access outside its arena.
$(SAN)/malloc: tests/malloc/test_malloc.c src/malloc.c tests/unit/check.c
	@mkdir -p $(@D)
	$(SAN_CC) -std=gnu11 $(WARN) -Wno-missing-prototypes -D_GNU_SOURCE -Itests/unit $(SAN_FLAGS) \
		-Dmalloc=arena_malloc -Dfree=arena_free -Drealloc=arena_realloc -Dcalloc=arena_calloc \
		-o $@ $^

test-sanitize: $(SAN)/unit $(SAN)/gosu $(if $(wildcard tests/malloc/test_malloc.c),$(SAN)/malloc) $(TEST_PROGS)
	$(SAN)/unit
	$(if $(wildcard tests/malloc/test_malloc.c),$(SAN)/malloc)
	GOSU_BINARY=$(SAN)/gosu $(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e $(SAN_DESELECT)

# ---------------------------------------------------------------- valgrind
# The e2e suite with gosu under valgrind memcheck, twice:
# - the real program: the objects of ./gosu (musl, -Os), statically linked
#   as ./gosu is, only not stripped. Memcheck follows every byte there (use
#   of uninitialised values, uninitialised bytes handed to a system call
#   such as setgroups, capset or the seccomp filter, bad stack accesses),
#   but it cannot replace malloc inside a static binary (where malloc is
#   src/malloc.c's arena anyway); and linked against musl's libc.so
#   instead, memcheck's malloc and musl's own get mixed up (musl calls its
#   malloc from inside libc.so, where valgrind cannot reach it, and hands
#   memory left over in loaded libraries to it: "invalid free" reports);
# - so for the heap, the same sources built with the host's gcc against
#   glibc, dynamically: heap overruns, use after free, double free, and
#   leaks (definite and indirect ones are errors). Valgrind starts glibc
#   programs slowly (half a second), so this run takes the suites of the
#   command line, conformance and process state (VG_HEAP_TESTS); the
#   hostile-input cases, resolver paths all, get the heap checks of the
#   sanitized run and of the fuzzer instead.
# GOSU_BINARY is a small script that runs valgrind on the binary; valgrind
# writes to one log per process in $(VG)/logs, which must all be empty at
# the end (with -q it writes only errors). Its exit status on an error,
# 99, fails the test too.
# By its full path: some tests run gosu with no PATH.
VALGRIND ?= $(or $(shell command -v valgrind 2>/dev/null),/usr/bin/valgrind)
VG := $(B)/valgrind
VG_OPTS := -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --vgdb=no --trace-children=no
# (--track-origins=yes tells where an uninitialised value came from, at
# twice the time: add it to VG_OPTS when a report needs explaining.)
# Which tests, and which not, with the reasons:
# - test_cli.py, test_conformance.py, test_hostile.py, test_process.py: the
#   command line, every resolution, every hostile input, the credential
#   change and what the command inherits: all of the program's paths;
# - not the usage texts (help, unknown_option, usage, argv0: valgrind gives
#   the client the real binary's path as argv[0], so the printed name
#   differs);
# - not the environment checks (home, environment, every_other): valgrind
#   adds LD_PRELOAD, LD_LIBRARY_PATH and GLIBCXX_FORCE_NEW to the client's
#   environment, so they reach the command;
# - not the descriptor, pid and process-state checks (descriptor, same_pid,
#   long_running, process_state): valgrind holds descriptors and runs the
#   client under its own launcher until the execve;
# - not the commands whose execve fails (exec_failure, shebang): valgrind
#   cannot recover from a failed execve and dies (exit 101);
# - not the cases marked slow (1 MiB lines, 100k groups): minutes under
#   valgrind; the fuzzer and the sanitized run cover them.
VG_TESTS ?= tests/e2e/test_cli.py tests/e2e/test_conformance.py tests/e2e/test_process.py \
	$(wildcard tests/e2e/test_hostile.py)
VG_HEAP_TESTS ?= tests/e2e/test_cli.py tests/e2e/test_conformance.py tests/e2e/test_process.py
VG_DESELECT ?= -k 'not help and not unknown_option and not usage and not argv0 \
	and not home and not environment and not every_other and not descriptor and not same_pid \
	and not long_running and not process_state and not exec_failure and not shebang and not slow'

$(VG)/gosu: $(OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_LDFLAGS) -o $@ $(OBJS)

$(VG)/gosu-glibc: $(SRCS_LIBC_MALLOC) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -O1 -g -o $@ $(SRCS_LIBC_MALLOC)

$(VG)/run-%: $(VG)/% mk/analysis.mk
	printf '#!/bin/sh\nexec %s %s --log-file=%s/vg-%s.%%p %s "$$@"\n' \
		'$(VALGRIND)' '$(VG_OPTS)' '$(abspath $(VG)/logs)' '$*' '$(abspath $<)' > $@
	chmod 755 $@

# The two runs go side by side (two cores), the first one's output after.
test-valgrind: $(VG)/run-gosu $(VG)/run-gosu-glibc $(TEST_PROGS)
	rm -rf $(VG)/logs && mkdir -p $(VG)/logs && chmod 1777 $(VG)/logs
	@echo "valgrind: $(VG_TESTS) through $(VG)/gosu (static, musl), $(VG_HEAP_TESTS) through $(VG)/gosu-glibc"
	@GOSU_BINARY=$(VG)/run-gosu $(PYTHON) -m pytest -q -p no:cacheprovider $(VG_TESTS) \
		$(VG_DESELECT) > $(VG)/static.out 2>&1 & static=$$!; \
	GOSU_BINARY=$(VG)/run-gosu-glibc $(PYTHON) -m pytest -q -p no:cacheprovider $(VG_HEAP_TESTS) \
		$(VG_DESELECT) > $(VG)/heap.out 2>&1 && heap=0 || heap=$$?; \
	wait $$static && st=0 || st=$$?; \
	echo "== valgrind, $(VG)/gosu (the static musl build):"; cat $(VG)/static.out; \
	echo "== valgrind, $(VG)/gosu-glibc (the glibc build, for the heap):"; cat $(VG)/heap.out; \
	n=$$(ls $(VG)/logs | wc -l); bad=$$(find $(VG)/logs -type f -size +0 | sort); \
	for f in $$bad; do echo "== $$f"; cat $$f; done; \
	if [ -n "$$bad" ] || [ $$st != 0 ] || [ $$heap != 0 ]; then \
		echo "valgrind: errors in $$(echo $$bad | wc -w) of $$n runs of gosu; pytest $$st, $$heap"; exit 1; fi; \
	echo "valgrind: $$n runs of gosu, no error, no leak"

# ------------------------------------------------------- static analysis
# Three analysers, each on the system compiler's view of the code (the
# musl-gcc wrapper is for building only): any diagnostic fails.
# - gcc -fanalyzer (with the build's warnings) on src/ and fuzz/;
# - cppcheck on src/, fuzz/ and the unit tests, the x86_64 Linux configuration
#   (the architecture tables #error elsewhere), its suppressions with
#   their reasons in cppcheck-suppressions.xml;
# - clang-tidy on src/ and fuzz/, the checks and the reasons for the few
#   left out in .clang-tidy.
# The unit tests are left to cppcheck: their CHECK() macro returns through
# check.c, which the path-following analysers cannot see into, so they
# report every "if (!CHECK(p != NULL)) continue;" as a NULL dereference.
ANALYZE_SRCS := $(SRCS) $(wildcard fuzz/*.c)
ANALYZE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -Itests/unit -Ifuzz
CPPCHECK_FLAGS := --enable=warning,style,performance,portability --error-exitcode=1 \
	--inline-suppr --std=c11 --library=posix -D_GNU_SOURCE -D__linux__ -D__x86_64__ \
	-D__GNUC__ -Isrc -Itests/unit -Ifuzz --suppress-xml=cppcheck-suppressions.xml --quiet \
	--template='{file}:{line}: {severity}: {message} [{id}]'

lint: lint-gcc lint-cppcheck lint-clang-tidy
	@echo "lint: $(words $(ANALYZE_SRCS)) files through gcc -fanalyzer and clang-tidy, src fuzz $(wildcard tests/unit tests/malloc) through cppcheck: no warning"

# src/malloc.c is malloc, realloc and free: the analyzer's model of those
# three (a block from malloc must reach free, nothing is read after free)
# cannot hold inside their own bodies, so for that file alone its two
# checkers of that model are off; every other checker stays on.
ANALYZE_MALLOC_FLAGS := -Wno-analyzer-malloc-leak -Wno-analyzer-use-after-free

lint-gcc:
	@set -e; for f in $(ANALYZE_SRCS); do echo "gcc -fanalyzer $$f"; \
		extra=; [ $$f != src/malloc.c ] || extra='$(ANALYZE_MALLOC_FLAGS)'; \
		$(HOSTCC) $(ANALYZE_CFLAGS) -O2 -fanalyzer -fdiagnostics-path-format=separate-events \
		$$extra -c -o /dev/null $$f; done

lint-cppcheck:
	@echo "cppcheck src fuzz $(wildcard tests/unit tests/malloc)"
	@cppcheck $(CPPCHECK_FLAGS) src fuzz $(wildcard tests/unit tests/malloc)

# (clang-tidy counts the warnings it hides in system headers on stderr,
# "N warnings generated.": that line is dropped, nothing else.)
lint-clang-tidy:
	@mkdir -p $(B)
	@echo "clang-tidy $(ANALYZE_SRCS)"
	@rc=0; clang-tidy --quiet $(ANALYZE_SRCS) -- $(ANALYZE_CFLAGS) >$(B)/clang-tidy.log 2>&1 || rc=$$?; \
	grep -v ' warnings\{0,1\} generated\.$$' $(B)/clang-tidy.log || true; exit $$rc

# Everything above, and the fuzzer for FUZZ_TIME + FUZZ_BIG_TIME seconds.
analysis: lint test-sanitize test-valgrind fuzz-regress fuzz

# For `make deps` and `make check` (CI).
DEPS += clang clang-tidy cppcheck valgrind libclang-rt-14-dev
CHECKS += lint test-sanitize test-valgrind fuzz-regress fuzz
