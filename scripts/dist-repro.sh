#!/bin/sh
# dist-repro.sh ARCH...: builds dist twice from a copy of the sources, in two
# directories of different names and depths, with another umask, time zone
# and locale, and checks that every binary comes out byte for byte the same,
# and the same as ./dist where that was built from the same sources; the
# bills of materials too (SHA256SUMS covers them), made at the same
# SOURCE_DATE_EPOCH as ./dist's.
set -eu
cd "$(dirname "$0")/.."
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
tmp=$(mktemp -d /tmp/gosu-repro.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
arches="$*"
build() { # dir umask TZ LANG
	mkdir -p "$1"
	tar -cf - Makefile mk src scripts | tar -xf - -C "$1"
	(cd "$1" && umask "$2" && TZ=$3 LC_ALL=$4 LANG=$4 \
		make -s -j2 dist DIST_ARCHES="$arches" >/dev/null)
}
build "$tmp/a" 022 UTC C
build "$tmp/very/much/longer/path/b" 077 Pacific/Kiritimati C.UTF-8
if ! cmp -s "$tmp/a/dist/SHA256SUMS" "$tmp/very/much/longer/path/b/dist/SHA256SUMS"; then
	echo "dist-repro: two builds differ:" >&2
	diff "$tmp/a/dist/SHA256SUMS" "$tmp/very/much/longer/path/b/dist/SHA256SUMS" >&2 || true
	exit 1
fi
cat "$tmp/a/dist/SHA256SUMS"
if [ -f dist/SHA256SUMS ]; then
	if cmp -s dist/SHA256SUMS "$tmp/a/dist/SHA256SUMS"; then
		echo "dist-repro: same bytes twice, and the same as ./dist"
	else
		echo "dist-repro: same bytes twice; ./dist differs (built from other sources or flags?)"
	fi
else
	echo "dist-repro: same bytes twice"
fi
