#!/bin/sh
# dist-check.sh DIST ARCH...: dist/SHA256SUMS matches the binaries and their
# bills of materials and lists exactly them; each binary is a static ELF
# without a path of the build inside, linked with musl (glibc only for
# loong64, which Debian's musl does not support), and its bill of materials
# is what the facts give now (scripts/dist-sbom.py --check); a table of
# sizes. (cross-test checks each one further, running it.)
set -eu
cd "$(dirname "$0")/.."
dist=$1
shift
(cd "$dist" && sha256sum --quiet -c SHA256SUMS)
listed=$(awk '{print $2}' "$dist/SHA256SUMS" | sort | tr '\n' ' ')
wanted=$(for a in "$@"; do echo "gosu-$a"; echo "gosu-$a.spdx.json"; done | sort | tr '\n' ' ')
[ "$listed" = "$wanted" ] || { echo "dist-check: SHA256SUMS lists '$listed', want '$wanted'" >&2; exit 1; }
for a in "$@"; do
	f=$dist/gosu-$a
	if grep -q -a -F -e "$PWD" -e "$(pwd -P)" "$f"; then
		echo "dist-check: $f holds a path of the build" >&2
		exit 1
	fi
	case $a in loong64) libc=glibc ;; *) libc=musl ;; esac
	if ! grep -q -a -F "on linux/$a; $libc)" "$f"; then
		echo "dist-check: $f: its version line does not say linux/$a; $libc" >&2
		exit 1
	fi
	"${PYTHON:-python3}" scripts/dist-sbom.py --check "$a" "$f" "build/dist/$a/link.trace" "$f.spdx.json"
	printf '%-10s %8d bytes  %-6s %s\n' "$a" "$(wc -c < "$f")" "$libc" \
		"$(file -b "$f" 2>/dev/null | cut -d, -f1-2 || true)"
done
echo "dist-check: $# binaries, checksums and bills of materials match"
