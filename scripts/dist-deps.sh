#!/bin/sh
# dist-deps.sh PACKAGE...: installs Debian packages (the cross compilers,
# the multiarch musl-dev:<arch> packages, qemu-user-static, mandoc, ...)
# when some are missing, first adding to dpkg the architectures that
# PACKAGE:<arch> names.
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && { echo "dist-deps: all $# packages installed"; exit 0; }
echo "dist-deps: installing$missing"
known=" $(dpkg --print-architecture) $(dpkg --print-foreign-architectures | tr '\n' ' ') "
for p in $missing; do
	case $p in
	*:*)
		arch=${p##*:}
		case $known in *" $arch "*) ;; *)
			dpkg --add-architecture "$arch"
			known="$known$arch "
		esac ;;
	esac
done
apt-get -o DPkg::Lock::Timeout=900 update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing >/dev/null
