#!/bin/sh
# cross-test.sh ARCH...: the end-to-end tests (tests/e2e) and tests/cross
# against dist/gosu-ARCH, one pytest run each, as root: natively where the
# kernel runs the binary itself, otherwise under qemu-user through
# binfmt_misc. tests/cross/emulation.py skips, with the reason, the cases
# qemu-user cannot carry out; tests/cross/test_emulated.py checks the
# documented fallback for them. A table of the results closes the run.
# Environment: PYTHON, DIST (default dist), CROSS_JOBS (parallel runs,
# default one per core), CROSS_PYTEST_ARGS.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
DIST=${DIST:-dist}
case $DIST in /*) ;; *) DIST=$PWD/$DIST ;; esac
OUT=build/cross
if [ "$(id -u)" != 0 ]; then
	# Like the end-to-end tests, which skip without root.
	echo "cross-test: skipped: needs root (binfmt_misc, and switching users in private mount namespaces)"
	exit 0
fi
[ $# -gt 0 ] || { echo "usage: $0 ARCH..." >&2; exit 2; }
[ -x build/probe ] || { echo "cross-test: no build/probe (make build/probe)" >&2; exit 1; }

DIST=$DIST scripts/binfmt-setup.sh "$@"
mkdir -p $OUT
jobs=${CROSS_JOBS:-$(nproc 2>/dev/null || echo 1)}

one() { # arch: its pytest run, its output to $OUT/ARCH.log
	start=$(date +%s)
	rc=0
	# shellcheck disable=SC2086 # CROSS_PYTEST_ARGS: words for pytest
	GOSU_BINARY=$DIST/gosu-$1 GOSU_ARCH=$1 PYTHONPATH=tests/cross \
		"$PYTHON" -m pytest -q -p no:cacheprovider -p emulation -rs \
		--junitxml="$OUT/$1".xml ${CROSS_PYTEST_ARGS:-} tests/e2e tests/cross \
		> "$OUT/$1".log 2>&1 || rc=$?
	echo $(($(date +%s) - start)) > "$OUT/$1".seconds
	echo $rc > "$OUT/$1".rc
}

# CROSS_JOBS arches at a time (default: one per core); outputs in order.
rm -f $OUT/*.xml $OUT/*.rc
n=0
for arch in "$@"; do
	one "$arch" &
	n=$((n + 1))
	if [ $n -ge "$jobs" ]; then
		wait
		n=0
	fi
done
wait
status=0
for arch in "$@"; do
	echo "=== cross-test $arch: $DIST/gosu-$arch"
	cat "$OUT/$arch".log
	[ "$(cat "$OUT/$arch".rc 2>/dev/null)" = 0 ] || status=1
done
"$PYTHON" scripts/cross-summary.py "$DIST" $OUT "$@" | tee $OUT/summary.txt
exit $status
