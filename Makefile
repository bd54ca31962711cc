# gosu in C. `make` builds a static, stripped ./gosu; see README.md.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

# Static by default: musl-gcc when it is there, otherwise the system cc.
ifeq ($(origin CC),default)
CC := $(if $(shell command -v musl-gcc 2>/dev/null),musl-gcc,cc)
endif
HOSTCC ?= cc
# Debian's python3, where apt-get puts pytest.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)

OPT ?= -Os
CFLAGS ?= $(OPT)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
# -fno-pie: the binaries are static and not position-independent; PIE code
# would put every constant table holding an address in writable data, where
# each page touched costs a page fault. 64-bit file offsets and inode
# numbers on 32-bit glibc too: its 32-bit fstat fails with EOVERFLOW on a
# large inode number, which would hide the mode of /proc/self/exe.
BASE_CFLAGS := -std=gnu11 $(WARN) -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-ident -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -fno-pie
LDFLAGS ?= -s
# No page of padding between code and data (the data segment may start in
# the file right after the code), and no RELRO: a static musl binary never
# applies it, its data segment stays writable anyway.
BASE_LDFLAGS := -static -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,noseparate-code -Wl,-z,norelro -Wl,-z,common-page-size=16

B := build

# musl-gcc searches only musl's headers; the kernel's come from the system.
ifeq ($(notdir $(CC)),musl-gcc)
KHDR := $(B)/khdr
KHDR_FLAGS := -isystem $(KHDR)
NOCRT := $(B)/nocrt
endif

# musl's specs link gcc's crtbeginS.o and crtendS.o, which register C++
# exception frames and transactional-memory clones and run their
# destructors: nothing a C program without them needs, and with them come
# .init_array, .fini_array, .eh_frame and .got (664 bytes on amd64). Empty
# objects of those names in a directory searched first (-B) stand in.
# $(call nocrt,DIR): the flags; DIR/crtbeginS.o and DIR/crtendS.o are made
# by $(CC) from nothing.
nocrt = $(if $(1),-B$(1)/)

SRCS := $(wildcard src/*.c)
# src/malloc.c replaces musl's malloc in the static binary; glibc builds,
# the sanitizers and valgrind keep their libc's.
SRCS_LIBC_MALLOC := $(filter-out src/malloc.c,$(SRCS))
OBJS := $(patsubst src/%.c,$(B)/obj/%.o,$(if $(filter musl-gcc,$(notdir $(CC))),$(SRCS),$(SRCS_LIBC_MALLOC)))
# The pure part: no system call; unit tests and the fuzzer link it alone.
PURE := buf errtext lines resolve path env ttyguard ttypolicy scan initsig capname rungroups str \
	mapplan mapsource

.PHONY: all test test-unit test-e2e check deps install clean
all: gosu

# The libc's objects bring a .comment section (the compiler's name) that
# no one reads from the binary: the bill of materials names the compiler.
OBJCOPY ?= objcopy

gosu: $(OBJS) Makefile $(if $(NOCRT),$(NOCRT)/crtbeginS.o $(NOCRT)/crtendS.o)
	$(CC) $(BASE_LDFLAGS) $(call nocrt,$(NOCRT)) $(LDFLAGS) -o $@.tmp $(OBJS)
	$(OBJCOPY) --remove-section=.comment $@.tmp
	mv $@.tmp $@

ifdef NOCRT
$(NOCRT)/crtbeginS.o $(NOCRT)/crtendS.o: Makefile
	@mkdir -p $(@D)
	$(CC) -x c -c -o $@ /dev/null
endif

$(B)/obj/%.o: src/%.c $(wildcard src/*.h) Makefile | $(B)/obj $(KHDR)
	$(CC) $(BASE_CFLAGS) $(KHDR_FLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj $(B)/test:
	mkdir -p $@

$(B)/khdr:
	mkdir -p $@
	ln -sfn /usr/include/linux /usr/include/asm-generic $@/
	ln -sfn /usr/include/$$($(HOSTCC) -print-multiarch)/asm $@/asm

# Unit tests: the pure sources built for the host, with their test.
UNIT_TESTS := $(B)/test/unit
TEST_CFLAGS ?= -O1 -g
$(B)/test/unit: $(wildcard tests/unit/*.c) $(PURE:%=src/%.c) $(wildcard src/*.h tests/unit/*.h) | $(B)/test
	$(HOSTCC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -Itests/unit $(TEST_CFLAGS) -o $@ \
		$(wildcard tests/unit/*.c) $(PURE:%=src/%.c)

# The end-to-end tests run the probe as the command under test, and
# execwith to start gosu with an exact argv and environment, ttyprobe to
# try typing into the terminal.
TEST_PROGS := $(B)/probe $(B)/execwith $(B)/ttyprobe
$(TEST_PROGS): $(B)/%: tests/%.c | $(B)/obj $(KHDR)
	$(CC) $(BASE_CFLAGS) $(KHDR_FLAGS) $(CFLAGS) -static -o $@ $<

test: test-unit test-e2e

# The binary's own allocator, renamed so that it runs beside libc's.
UNIT_TESTS += $(B)/test/malloc
$(B)/test/malloc: tests/malloc/test_malloc.c src/malloc.c tests/unit/check.c | $(B)/test
	$(HOSTCC) -std=gnu11 $(WARN) -Wno-missing-prototypes -D_GNU_SOURCE -Itests/unit $(TEST_CFLAGS) \
		-Dmalloc=arena_malloc -Dfree=arena_free -Drealloc=arena_realloc -Dcalloc=arena_calloc \
		-o $@ $^

# The scanning without SSE2: the path every other architecture takes.
UNIT_TESTS += $(B)/test/scan-word
$(B)/test/scan-word: tests/unit/test_scan.c tests/unit/check.c src/scan.c src/scan.h | $(B)/test
	$(HOSTCC) -std=gnu11 $(WARN) -D_GNU_SOURCE -U__SSE2__ -Isrc -Itests/unit $(TEST_CFLAGS) -o $@ \
		tests/unit/test_scan.c tests/unit/check.c src/scan.c

test-unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do $$t; done

test-e2e: gosu $(TEST_PROGS)
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e

# The Debian packages the build and the tests use (Debian's gosu is the
# reference the tests compare with); mk/ fragments add theirs.
DEPS := gcc make musl-tools linux-libc-dev python3 python3-pytest util-linux gosu strace
# It says what it installs; with the cross toolchains of mk/dist.mk that is
# about 480 MB.
deps:
	@echo "deps: apt-get update, then install (about 480 MB with the cross toolchains): $(sort $(DEPS))"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(sort $(DEPS))

# Everything CI runs; mk/ fragments add their targets to CHECKS.
CHECKS := test
# The test runs write no __pycache__ into the tree (sudo make check would
# leave it to root).
export PYTHONDONTWRITEBYTECODE := 1

install: gosu
	install -D -m 0755 gosu $(DESTDIR)$(BINDIR)/gosu

clean:
	rm -rf $(B) gosu

# Further targets (benchmarks, distribution, analysis) live in mk/.
-include $(wildcard mk/*.mk)

# make check: each part of CHECKS in turn (one failing does not stop the
# rest), its output also in $(B)/check/PART.log, then one closing line
# over them all, from each part's own counts (scripts/check-summary.py).
# Run as root in a user's tree (sudo make check), it hands what it built
# back to the tree's owner, so that `make clean` still works for them.
CHECK_LOG := $(B)/check
check:
	@rm -rf $(CHECK_LOG) && mkdir -p $(CHECK_LOG)
	@for part in $(CHECKS); do \
		{ $(MAKE) --no-print-directory $$part 2>&1; echo $$? > $(CHECK_LOG)/$$part.rc; } \
			| tee $(CHECK_LOG)/$$part.log; \
	done; \
	rc=0; $(PYTHON) scripts/check-summary.py $(CHECK_LOG) $(CHECKS) || rc=$$?; \
	owner=$$(stat -c %u:%g .); \
	if [ "$$(id -u)" = 0 ] && [ "$$owner" != 0:0 ]; then \
		chown -R "$$owner" $(B) $(wildcard gosu $(DIST)); fi; \
	exit $$rc
