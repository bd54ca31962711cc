#!/bin/sh
# dist-check.sh DIST ARCH...: dist/SHA256SUMS matches the binaries and their
# bills of materials and lists exactly them; each binary is a static ELF
# without a path of the build inside, linked with musl (glibc only for
# loong64, which Debian's musl does not support), and its bill of materials
# is what the facts give now (scripts/dist-sbom.py --check); each musl
# binary within its size budget (40 KiB for amd64, 56 KiB for the others;
# loong64's static glibc has none); mips64el's addresses all below 2 GiB,
# which its -msym32 code takes for granted; a table of sizes. (cross-test
# checks each one further, running it.)
set -eu
fail=
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
	size=$(wc -c < "$f")
	case $a in amd64) limit=40960 ;; loong64) limit= ;; *) limit=57344 ;; esac
	if [ -n "$limit" ] && [ "$size" -gt "$limit" ]; then
		echo "dist-check: $f is $size bytes, over the $limit bytes allowed for $a" >&2
		fail=1
	fi
	if [ "$a" = mips64el ]; then
		# The end of the highest segment: its address plus its size in memory.
		end=0
		for seg in $(LC_ALL=C readelf -lW "$f" | awk '$1 == "LOAD" { print $3 ":" $6 }'); do
			seg=$((${seg%:*} + ${seg#*:}))
			[ "$seg" -le "$end" ] || end=$seg
		done
		if [ "$end" -eq 0 ] || [ "$end" -gt 2147450880 ]; then
			echo "dist-check: $f reaches address $(printf '%#x' "$end"), past the 2 GiB - 32 KiB that its -msym32 code (lui + daddiu) can address" >&2
			fail=1
		fi
	fi
	printf '%-10s %8d bytes  %-6s %s\n' "$a" "$size" "$libc" \
		"$(file -b "$f" 2>/dev/null | cut -d, -f1-2 || true)"
done
[ -z "${fail:-}" ] || exit 1
echo "dist-check: $# binaries, checksums, bills of materials and sizes match"
