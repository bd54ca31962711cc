#!/bin/sh
# man-lint.sh PAGE: the man page renders without a warning, through mandoc's
# linter (style messages aside) and through groff with every warning on.
set -eu
page=$1
status=0
if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -T lint -W warning "$page" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out" >&2
		status=1
	fi
else
	echo "man-lint: no mandoc (apt-get install mandoc)" >&2
	status=1
fi
if command -v groff >/dev/null 2>&1; then
	out=$(LC_ALL=C.UTF-8 groff -ww -z -mandoc -Tutf8 "$page" 2>&1) || status=1
	if [ -n "$out" ]; then
		echo "$out" >&2
		status=1
	fi
else
	echo "man-lint: no groff (apt-get install groff-base)" >&2
	status=1
fi
[ $status = 0 ] && echo "man-lint: $page: no warnings (mandoc -T lint, groff -ww)"
exit $status
