#!/bin/sh
# dist-check.sh DIST ARCH...: dist/SHA256SUMS matches the binaries and lists
# exactly them; each is a static ELF without a path of the build inside; a
# table of sizes. (cross-test checks each one further, running it.)
set -eu
cd "$(dirname "$0")/.."
dist=$1
shift
(cd "$dist" && sha256sum --quiet -c SHA256SUMS)
listed=$(awk '{print $2}' "$dist/SHA256SUMS" | sort | tr '\n' ' ')
wanted=$(for a in "$@"; do echo "gosu-$a"; done | sort | tr '\n' ' ')
[ "$listed" = "$wanted" ] || { echo "dist-check: SHA256SUMS lists '$listed', want '$wanted'" >&2; exit 1; }
for a in "$@"; do
	f=$dist/gosu-$a
	if grep -q -a -F -e "$PWD" -e "$(pwd -P)" "$f"; then
		echo "dist-check: $f holds a path of the build" >&2
		exit 1
	fi
	printf '%-10s %8d bytes  %s\n' "$a" "$(wc -c < "$f")" \
		"$(file -b "$f" 2>/dev/null | cut -d, -f1-2 || true)"
done
echo "dist-check: $# binaries, checksums match"
