#!/bin/sh
# gosu-arch.sh [TARGETARCH [TARGETVARIANT]]: the name of the gosu binary
# (gosu-<arch>) for Docker's platform arguments, or, without them, for this
# machine. gosu's names are Debian's: amd64 i386 arm64 armhf armel ppc64el
# s390x riscv64 mips64el loong64.
set -eu
arch=${1:-}
variant=${2:-}
if [ -z "$arch" ]; then
	if command -v dpkg > /dev/null 2>&1; then
		arch=$(dpkg --print-architecture)
	else
		arch=$(uname -m)
	fi
fi
case $arch in
amd64 | x86_64) echo amd64 ;;
386 | i386 | i486 | i586 | i686) echo i386 ;;
arm64 | aarch64) echo arm64 ;;
armhf | armv7l | armv7 | armv8l) echo armhf ;;
armel | armv6l | armv5tel | armv5l) echo armel ;;
arm)
	case $variant in
	v6 | v5) echo armel ;;
	*) echo armhf ;;
	esac
	;;
ppc64el | ppc64le) echo ppc64el ;;
s390x) echo s390x ;;
riscv64) echo riscv64 ;;
mips64el | mips64le | mips64) echo mips64el ;;
loong64 | loongarch64) echo loong64 ;;
*)
	echo "gosu-arch: no gosu binary for '$arch'" >&2
	exit 1
	;;
esac
