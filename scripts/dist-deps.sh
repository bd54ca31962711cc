#!/bin/sh
# dist-deps.sh PACKAGE...: installs Debian packages (the cross compilers,
# qemu-user-static, mandoc, ...) when some are missing.
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && { echo "dist-deps: all $# packages installed"; exit 0; }
echo "dist-deps: installing$missing"
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
