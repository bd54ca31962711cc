#!/bin/sh
# What `make bench` needs, installed with apt-get when missing.
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "make bench: must run as root (gosu switches users only for root;" \
	     "the scaling benchmark mounts in a private namespace)" >&2
	exit 1
fi

# gcc, make: the build; musl-tools: the static binaries; binutils: readelf;
# gosu: the reference; util-linux: setpriv and unshare; mount: mount;
# python3: the report; linux-libc-dev: the kernel headers the build links in;
# tini: what --init is measured against.
need=
for p in gcc make musl-tools binutils linux-libc-dev gosu util-linux mount python3 tini; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		need="$need $p"
done
if [ -n "$need" ]; then
	echo "make bench: installing$need" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need
fi
