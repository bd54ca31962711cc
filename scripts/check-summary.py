#!/usr/bin/env python3
"""check-summary.py DIR PART...: the closing line of `make check`.

Each part left DIR/PART.log (its output) and DIR/PART.rc (its exit status).
A part's counts are the test runners' own summary lines in its log (pytest's
"N passed, N failed, N skipped", the unit tests' "unit: N passed, N
failed"); a part without any (lint, fuzz, ...) counts as one check, passed
or failed by its exit status. A part that failed without a failed count
counts one failure more. Exits 1 when anything failed."""

import re
import sys
from pathlib import Path

PYTEST = re.compile(r"^=*\s*(\d+ (passed|failed|skipped|error|errors|deselected|xfailed|xpassed)"
                    r"(, )?)+.* in [\d.]+s", re.M)
COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?)")
UNIT = re.compile(r"^unit: (\d+) passed, (\d+) failed$", re.M)


def counts(log, rc):
    c = {"passed": 0, "failed": 0, "skipped": 0}
    found = False
    for m in PYTEST.finditer(log):
        found = True
        for n, what in COUNT.findall(m.group(0)):
            c["failed" if what.startswith("error") else what] += int(n)
    for m in UNIT.finditer(log):
        found = True
        c["passed"] += int(m.group(1))
        c["failed"] += int(m.group(2))
    if not found:
        c["passed" if rc == 0 else "failed"] += 1
    elif rc != 0 and c["failed"] == 0:
        c["failed"] += 1
    return c


def main():
    d, parts = Path(sys.argv[1]), sys.argv[2:]
    total = {"passed": 0, "failed": 0, "skipped": 0}
    bad = []
    for part in parts:
        log = (d / f"{part}.log").read_text(errors="replace") if (d / f"{part}.log").exists() else ""
        rc_file = d / f"{part}.rc"
        rc = int(rc_file.read_text().strip() or 1) if rc_file.exists() else 1
        c = counts(re.sub(r"\x1b\[[0-9;]*m", "", log), rc)  # colours, at a terminal
        print(f"check: {part}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"
              + ("" if rc == 0 else f" (exit {rc})"))
        for k in total:
            total[k] += c[k]
        if rc != 0:
            bad.append(part)
    print(f"check: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped"
          + (f" (failed: {' '.join(bad)})" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
