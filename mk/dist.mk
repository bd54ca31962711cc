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
# Each binary is built from the same sources and flags with Debian's
# gcc-<triple> and static glibc (gosu never uses NSS, so nothing needs
# dlopen), and with musl-gcc for amd64 where it is installed. No path or
# timestamp goes into a binary: objects are built from relative paths,
# -ffile-prefix-map maps the rest, and there is no debug info, build id or
# .comment section.

DIST ?= dist
DIST_B := $(B)/dist
DIST_OPT ?= -Os
DIST_CFLAGS := $(BASE_CFLAGS) $(DIST_OPT) -ffile-prefix-map=$(CURDIR)/=
DIST_LDFLAGS := $(BASE_LDFLAGS) -s
# glibc's static start-up code does apply RELRO (musl's does not, hence
# BASE_LDFLAGS's -z norelro): keep it, on whole pages, for the glibc builds.
DIST_LDFLAGS_GLIBC := -Wl,-z,relro -Wl,-z,common-page-size=4096

# gosu's architecture name -> compiler, and the Debian packages that bring it.
DIST_MUSL := $(shell command -v musl-gcc 2>/dev/null)
DIST_CC_amd64 := $(if $(DIST_MUSL),musl-gcc,x86_64-linux-gnu-gcc)
DIST_CC_i386 := i686-linux-gnu-gcc
DIST_CC_arm64 := aarch64-linux-gnu-gcc
DIST_CC_armhf := arm-linux-gnueabihf-gcc
DIST_CC_armel := arm-linux-gnueabi-gcc
DIST_CC_ppc64el := powerpc64le-linux-gnu-gcc
DIST_CC_s390x := s390x-linux-gnu-gcc
DIST_CC_riscv64 := riscv64-linux-gnu-gcc
DIST_CC_mips64el := mips64el-linux-gnuabi64-gcc
DIST_CC_loong64 := loongarch64-linux-gnu-gcc

DIST_PKG_amd64 := musl-tools
DIST_PKG_i386 := gcc-i686-linux-gnu libc6-dev-i386-cross
DIST_PKG_arm64 := gcc-aarch64-linux-gnu libc6-dev-arm64-cross
DIST_PKG_armhf := gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
DIST_PKG_armel := gcc-arm-linux-gnueabi libc6-dev-armel-cross
DIST_PKG_ppc64el := gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
DIST_PKG_s390x := gcc-s390x-linux-gnu libc6-dev-s390x-cross
DIST_PKG_riscv64 := gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
DIST_PKG_mips64el := gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross
DIST_PKG_loong64 := gcc-loongarch64-linux-gnu libc6-dev-loong64-cross

# Debian 12 has no loong64 cross compiler: loong64 is built where one exists.
DIST_ALL_ARCHES := amd64 i386 arm64 armhf armel ppc64el s390x riscv64 mips64el loong64
DIST_ARCHES ?= amd64 i386 arm64 armhf armel ppc64el s390x riscv64 mips64el \
	$(if $(shell command -v $(DIST_CC_loong64) 2>/dev/null),loong64)
DIST_BINS := $(sort $(DIST_ARCHES:%=$(DIST)/gosu-%))
# src/malloc.c replaces musl's malloc; glibc keeps its own (its static
# start-up code allocates with it).
DIST_SRCS_musl := $(sort $(SRCS))
DIST_SRCS_glibc := $(sort $(SRCS_LIBC_MALLOC))
DIST_PACKAGES := $(sort $(foreach a,$(DIST_ARCHES),$(DIST_PKG_$(a))) \
	qemu-user-static mandoc groff-base busybox passwd file python3-pytest util-linux)

# make deps installs them too, and make check (CI) runs these.
DEPS += $(DIST_PACKAGES)
CHECKS += man-lint test-examples dist-check dist-repro cross-test

.PHONY: dist dist-deps dist-check dist-repro dist-clean cross-test test-examples man-lint

dist: $(DIST)/SHA256SUMS

# Checksums in sha256sum's format, in a fixed order, as gosu publishes them.
$(DIST)/SHA256SUMS: $(DIST_BINS)
	cd $(DIST) && LC_ALL=C sha256sum $(notdir $(DIST_BINS)) > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	@cat $@

# One arch: its objects under build/dist/<arch>/, its binary in dist/.
# musl-gcc sees only musl's headers: it gets the kernel's through build/khdr.
define dist_arch
$(DIST_B)/$(1)/%.o: src/%.c $(wildcard src/*.h) | dist-cc-$(1) $(if $(filter musl-gcc,$(DIST_CC_$(1))),$(B)/khdr)
	@mkdir -p $$(@D)
	$$(DIST_CC_$(1)) $$(DIST_CFLAGS) $(if $(filter musl-gcc,$(DIST_CC_$(1))),-isystem $(B)/khdr) -c -o $$@ $$<

$(DIST)/gosu-$(1): $(DIST_SRCS_$(if $(filter musl-gcc,$(DIST_CC_$(1))),musl,glibc):src/%.c=$(DIST_B)/$(1)/%.o)
	@mkdir -p $$(@D)
	$$(DIST_CC_$(1)) $$(DIST_LDFLAGS) $(if $(filter musl-gcc,$(DIST_CC_$(1))),,$$(DIST_LDFLAGS_GLIBC)) -o $$@.tmp $$^
	mv $$@.tmp $$@

.PHONY: dist-cc-$(1)
dist-cc-$(1):
	@command -v $(DIST_CC_$(1)) >/dev/null 2>&1 || { \
	  echo "dist: no $(DIST_CC_$(1)) for $(1): apt-get install $(DIST_PKG_$(1)) (or make dist-deps)" >&2; \
	  exit 1; }
endef
$(foreach a,$(DIST_ALL_ARCHES),$(eval $(call dist_arch,$(a))))

dist-deps:
	scripts/dist-deps.sh $(DIST_PACKAGES)

dist-check: dist
	scripts/dist-check.sh $(DIST) $(DIST_ARCHES)

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
