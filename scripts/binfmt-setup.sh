#!/bin/sh
# binfmt-setup.sh ARCH...: make the kernel run each dist/gosu-ARCH, through
# qemu-user (Debian's qemu-user-static) where it cannot run it itself.
# Mounts binfmt_misc if needed and registers the missing qemu handlers from
# qemu-user-static's /usr/lib/binfmt.d/*.conf (flags OPF: 'F' opens the
# emulator now, so it works in any mount namespace; no 'C', so a setuid bit
# on an emulated binary gives nothing) or, failing that, with update-binfmts.
# Needs root; changes the machine (binfmt_misc is global), as systemd-binfmt
# or binfmt-support would at boot.
set -eu
BINFMT=/proc/sys/fs/binfmt_misc

qemu_name() {
	case $1 in
	amd64) echo x86_64 ;;
	i386) echo i386 ;;
	arm64) echo aarch64 ;;
	armhf | armel) echo arm ;;
	ppc64el) echo ppc64le ;;
	s390x) echo s390x ;;
	riscv64) echo riscv64 ;;
	mips64el) echo mips64el ;;
	loong64) echo loongarch64 ;;
	*) echo "binfmt-setup: unknown arch $1" >&2; return 1 ;;
	esac
}

runs() { "$1" --version >/dev/null 2>&1; }

for arch in "$@"; do
	bin=${DIST:-dist}/gosu-$arch
	[ -x "$bin" ] || { echo "binfmt-setup: no $bin (make dist)" >&2; exit 1; }
	runs "$bin" && continue
	q=qemu-$(qemu_name "$arch")
	if [ ! -e $BINFMT/register ]; then
		mount -t binfmt_misc binfmt_misc $BINFMT
	fi
	if [ -e "$BINFMT/$q" ]; then
		echo 1 > "$BINFMT/$q"
	elif [ -f "/usr/lib/binfmt.d/$q.conf" ]; then
		cat "/usr/lib/binfmt.d/$q.conf" > $BINFMT/register
	elif command -v update-binfmts >/dev/null 2>&1 && [ -f "/usr/share/binfmts/$q" ]; then
		update-binfmts --enable "$q"
	else
		echo "binfmt-setup: no qemu handler for $arch: apt-get install qemu-user-static" >&2
		exit 1
	fi
	echo 1 > $BINFMT/status
	if ! runs "$bin"; then
		echo "binfmt-setup: $bin still does not run; $BINFMT/$q says:" >&2
		cat "$BINFMT/$q" >&2
		exit 1
	fi
	echo "binfmt-setup: $arch runs through $(sed -n 's/^interpreter //p' "$BINFMT/$q") ($(grep '^flags' "$BINFMT/$q"))"
done
