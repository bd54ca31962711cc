# Distribution: static binaries for gosu's architectures, checksums, the
# cross tests under qemu-user, the man page and the examples.
#
#   make dist-deps      install the cross compilers, qemu-user-static, mandoc (apt-get)
#   make dist           dist/gosu-<arch> for each of DIST_ARCHES, and dist/SHA256SUMS
#   make dist-check     SHA256SUMS matches and lists exactly them; no build path inside
#   make dist-repro     two builds in two other directories give the same bytes
#   make cross-test     the end-to-end tests against every dist/gosu-<arch>, under qemu-user
#   make test-examples  the example entrypoint, in private mount namespaces
#   make man-lint       gosu.1 through mandoc -T lint and groff -ww
#   make install        also installs gosu.1 (install-man)
#
# Each binary is built from the same sources and flags (but for a few per
# arch, DIST_ARCH_CFLAGS_<arch>, for size) against musl,
# statically: Debian's gcc-<triple> cross compiler with the musl-dev:<arch>
# multiarch package's specs file (its <musl-triple>-gcc wrapper, what
# musl-gcc is for amd64). riscv64 is not a Debian 12 architecture, so it has
# no musl-dev package: make dist-deps builds musl for it from Debian's musl
# source package (scripts/dist-musl-src.sh) into DIST_MUSL_PREFIX, in the
# same layout. loong64 keeps static glibc, where a cross compiler exists:
# Debian 12 has none, and its musl (1.2.3) has no loongarch64 port. No path
# or timestamp goes into a binary: objects are built from relative paths,
# -ffile-prefix-map maps the rest, and there is no debug info, build id or
# .comment section. Next to each binary, dist/gosu-<arch>.spdx.json: its
# bill of materials (SPDX 2.3), made by scripts/dist-sbom.py from the
# binary's hashes and the versions dpkg reports.

DIST ?= dist
DIST_B := $(B)/dist
DIST_OPT ?= -Os
DIST_CFLAGS := $(BASE_CFLAGS) $(DIST_OPT) -ffile-prefix-map=$(CURDIR)/=
DIST_LDFLAGS := $(BASE_LDFLAGS) -s
# glibc's static start-up code does apply RELRO (musl's does not, hence
# BASE_LDFLAGS's -z norelro): keep it, on whole pages, for the glibc builds.
DIST_LDFLAGS_GLIBC := -Wl,-z,relro -Wl,-z,common-page-size=4096
# Where dist-deps installs the musl it builds from source.
DIST_MUSL_PREFIX ?= /usr/local

# gosu's architecture name -> compiler, the Debian packages that bring it,
# and the directory of its kernel headers (musl's headers have none).
DIST_CC_amd64 := musl-gcc
DIST_CC_i386 := i386-linux-musl-gcc
DIST_CC_arm64 := aarch64-linux-musl-gcc
DIST_CC_armhf := arm-linux-musleabihf-gcc
DIST_CC_armel := arm-linux-musleabi-gcc
DIST_CC_ppc64el := powerpc64le-linux-musl-gcc
DIST_CC_s390x := s390x-linux-musl-gcc
DIST_CC_riscv64 := $(DIST_MUSL_PREFIX)/bin/riscv64-linux-musl-gcc
DIST_CC_mips64el := mips64el-linux-musl-gcc
DIST_CC_loong64 := loongarch64-linux-gnu-gcc

# Per-arch code generation, for size, within each Debian architecture's
# baseline ISA and ABI (compiling and linking; amd64 is the native build's).
# Every address below 2 GiB, so that one lui/daddiu pair makes it, not six
# instructions or a GOT load; -msym32 does not check that, dist-check does.
DIST_ARCH_CFLAGS_mips64el := -msym32
# Where n32 (always 32-bit addresses) links, instead of 0x120000000.
DIST_ARCH_LDFLAGS_mips64el := -Wl,-Ttext-segment=0x10000000
# No AIX traceback table after each function (Linux unwinds with DWARF), and
# no VSX (POWER8 has it; without, copies need no little-endian xxswapd).
DIST_ARCH_CFLAGS_ppc64el := -mtraceback=no -mno-vsx
# adr (+-1 MiB, the linker fails past it) instead of adrp+add.
DIST_ARCH_CFLAGS_arm64 := -mcmodel=tiny
# Thumb-1 (armv5te has it, and blx for interworking with musl's ARM code),
# as armhf is Thumb-2 by default.
DIST_ARCH_CFLAGS_armel := -mthumb
# bras (+-64 KiB, the linker fails past it) instead of brasl for our calls.
DIST_ARCH_CFLAGS_s390x := -msmall-exec
# Callee-saved registers saved and restored by libgcc's millicode routines.
DIST_ARCH_CFLAGS_riscv64 := -msave-restore

DIST_GNU_i386 := i686-linux-gnu
DIST_GNU_arm64 := aarch64-linux-gnu
DIST_GNU_armhf := arm-linux-gnueabihf
DIST_GNU_armel := arm-linux-gnueabi
DIST_GNU_ppc64el := powerpc64le-linux-gnu
DIST_GNU_s390x := s390x-linux-gnu
DIST_GNU_riscv64 := riscv64-linux-gnu
DIST_GNU_mips64el := mips64el-linux-gnuabi64
DIST_GNU_loong64 := loongarch64-linux-gnu

DIST_PKG_amd64 := musl-tools musl-dev linux-libc-dev
$(foreach a,i386 arm64 armhf armel ppc64el s390x mips64el,$(eval \
  DIST_PKG_$(a) := gcc-$(DIST_GNU_$(a)) linux-libc-dev-$(a)-cross musl-dev:$(a)))
DIST_PKG_riscv64 := gcc-riscv64-linux-gnu linux-libc-dev-riscv64-cross dpkg-dev
DIST_PKG_loong64 := gcc-loongarch64-linux-gnu libc6-dev-loong64-cross

DIST_KHDR_amd64 := $(B)/khdr
$(foreach a,i386 arm64 armhf armel ppc64el s390x riscv64 mips64el,$(eval \
  DIST_KHDR_$(a) := $(DIST_B)/khdr-$(a)))

DIST_ALL_ARCHES := amd64 i386 arm64 armhf armel ppc64el s390x riscv64 mips64el loong64
DIST_ARCHES ?= amd64 i386 arm64 armhf armel ppc64el s390x riscv64 mips64el \
	$(if $(shell command -v $(DIST_CC_loong64) 2>/dev/null),loong64)
DIST_LIBC = $(if $(filter loong64,$(1)),glibc,musl)
DIST_BINS := $(sort $(DIST_ARCHES:%=$(DIST)/gosu-%))
DIST_SBOMS := $(DIST_BINS:%=%.spdx.json)
# src/malloc.c replaces musl's malloc; glibc keeps its own (its static
# start-up code allocates with it).
DIST_SRCS_musl := $(sort $(SRCS))
DIST_SRCS_glibc := $(sort $(SRCS_LIBC_MALLOC))
DIST_PACKAGES := $(sort $(foreach a,$(DIST_ARCHES),$(DIST_PKG_$(a))) \
	qemu-user-static mandoc groff-base busybox-static passwd file python3-pytest util-linux)
# The bill of materials says when it was made: at the last commit, or the
# newest source file's time outside git (dist-repro passes it on).
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || \
	stat -c %Y Makefile mk/*.mk src/* scripts/* | sort -n | tail -n 1)
endif
export SOURCE_DATE_EPOCH
# Rewritten only when that time changes, so that the bills of materials are
# made again after a commit and left alone otherwise.
$(DIST_B)/source-date-epoch: dist-epoch-check
	@mkdir -p $(@D)
	@echo $(SOURCE_DATE_EPOCH) | cmp -s - $@ || echo $(SOURCE_DATE_EPOCH) > $@
.PHONY: dist-epoch-check
dist-epoch-check:

# make deps installs them too (dist-deps first: it adds the architectures
# of the multiarch packages), and make check (CI) runs these.
deps: dist-deps
DEPS += $(DIST_PACKAGES)
CHECKS += man-lint test-examples dist-check dist-repro cross-test

.PHONY: dist dist-deps dist-check dist-repro dist-clean cross-test test-examples man-lint

dist: $(DIST)/SHA256SUMS

# Checksums in sha256sum's format, in a fixed order, as gosu publishes them:
# the binaries and their bills of materials.
$(DIST)/SHA256SUMS: $(DIST_BINS) $(DIST_SBOMS)
	cd $(DIST) && LC_ALL=C sha256sum $(sort $(notdir $(DIST_BINS) $(DIST_SBOMS))) > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	@cat $@

# One arch: its objects under build/dist/<arch>/, its binary and its bill of
# materials in dist/. musl's headers have none of the kernel's: a cross
# build gets those of Debian's linux-libc-dev-<arch>-cross through
# build/dist/khdr-<arch>.
define dist_arch
$(DIST_B)/khdr-$(1):
	@test -d /usr/$(DIST_GNU_$(1))/include/asm || { \
	  echo "dist: no kernel headers for $(1): make dist-deps (apt-get install $(DIST_PKG_$(1)))" >&2; \
	  exit 1; }
	@mkdir -p $$@
	ln -sfn $(foreach d,linux asm-generic asm,/usr/$(DIST_GNU_$(1))/include/$(d)) $$@/

$(DIST_B)/$(1)/%.o: src/%.c $(wildcard src/*.h) Makefile mk/dist.mk | dist-cc-$(1) $(DIST_KHDR_$(1))
	@mkdir -p $$(@D)
	$$(DIST_CC_$(1)) $$(DIST_CFLAGS) $$(DIST_ARCH_CFLAGS_$(1)) $(if $(DIST_KHDR_$(1)),-isystem $(DIST_KHDR_$(1))) -c -o $$@ $$<

# The linker's --trace: every file it linked in, for the bill of materials.
# A musl build links without gcc's crtbeginS.o/crtendS.o (see the Makefile's
# nocrt): the empty stand-ins are made by the arch's compiler.
$(DIST)/gosu-$(1): $(DIST_SRCS_$(call DIST_LIBC,$(1)):src/%.c=$(DIST_B)/$(1)/%.o) \
		$(if $(filter musl,$(call DIST_LIBC,$(1))),$(DIST_B)/$(1)/nocrt/crtbeginS.o $(DIST_B)/$(1)/nocrt/crtendS.o)
	@mkdir -p $$(@D)
	$$(DIST_CC_$(1)) $$(DIST_LDFLAGS) $$(DIST_ARCH_CFLAGS_$(1)) $$(DIST_ARCH_LDFLAGS_$(1)) $(if $(filter glibc,$(call DIST_LIBC,$(1))),$$(DIST_LDFLAGS_GLIBC)) \
		$(if $(filter musl,$(call DIST_LIBC,$(1))),$(call nocrt,$(DIST_B)/$(1)/nocrt)) \
		-Wl,--trace -o $$@.tmp $$(filter %.o,$$(filter-out %/nocrt/crtbeginS.o %/nocrt/crtendS.o,$$^)) > $(DIST_B)/$(1)/link.trace
	$(if $(DIST_GNU_$(1)),$(DIST_GNU_$(1))-objcopy,$(OBJCOPY)) --remove-section=.comment $$@.tmp
	mv $$@.tmp $$@

$(DIST_B)/$(1)/nocrt/crtbeginS.o $(DIST_B)/$(1)/nocrt/crtendS.o: Makefile mk/dist.mk | dist-cc-$(1)
	@mkdir -p $$(@D)
	$$(DIST_CC_$(1)) $$(DIST_ARCH_CFLAGS_$(1)) -x c -c -o $$@ /dev/null

$(DIST)/gosu-$(1).spdx.json: $(DIST)/gosu-$(1) scripts/dist-sbom.py src/version.h $(DIST_B)/source-date-epoch
	$(PYTHON) scripts/dist-sbom.py $(1) $$< $(DIST_B)/$(1)/link.trace > $$@.tmp
	mv $$@.tmp $$@

.PHONY: dist-cc-$(1)
dist-cc-$(1):
	@command -v $(DIST_CC_$(1)) >/dev/null 2>&1 || { \
	  echo "dist: no $(DIST_CC_$(1)) for $(1): make dist-deps (apt-get install $(DIST_PKG_$(1)))" >&2; \
	  exit 1; }
endef
$(foreach a,$(DIST_ALL_ARCHES),$(eval $(call dist_arch,$(a))))

# The packages (adding the architectures of the multiarch ones), then musl
# built from Debian's source for riscv64.
dist-deps:
	scripts/dist-deps.sh $(DIST_PACKAGES)
	$(if $(filter riscv64,$(DIST_ARCHES)),scripts/dist-musl-src.sh riscv64 $(DIST_MUSL_PREFIX))

dist-check: dist
	PYTHON=$(PYTHON) scripts/dist-check.sh $(DIST) $(DIST_ARCHES)

dist-repro:
	scripts/dist-repro.sh $(DIST_ARCHES)

dist-clean:
	rm -rf $(DIST) $(DIST_B)

# The end-to-end tests (and tests/cross) against each binary of dist/, as
# root: natively for amd64 and i386, under qemu-user through binfmt_misc for
# the others. CROSS_ARCHES picks some; CROSS_PYTEST_ARGS goes to pytest.
CROSS_ARCHES ?= $(DIST_ARCHES)
cross-test: dist $(TEST_PROGS) $(B)/probe
	PYTHON=$(PYTHON) scripts/cross-test.sh $(CROSS_ARCHES)

# The example entrypoint, run for real (as root, in private mount
# namespaces with a fixture /etc), against the gosu just built.
test-examples: gosu $(B)/probe
	GOSU_BINARY=$(CURDIR)/gosu $(PYTHON) -m pytest -q -p no:cacheprovider tests/examples

man-lint: gosu.1
	scripts/man-lint.sh gosu.1

# make install also installs the man page.
.PHONY: install-man
install: install-man
install-man: gosu.1
	install -D -m 0644 gosu.1 $(DESTDIR)$(MANDIR)/man1/gosu.1
