"""cross-summary.py DIST OUTDIR ARCH...: one line per arch from the junit
files of cross-test.sh: binary size, the C library its version line names,
how it ran, tests passed, skipped, failed, seconds; then the reasons for
the skips."""

import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "cross"))
from crossenv import binfmt_handler  # noqa: E402

dist, out, arches = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
rows, reasons, totals = [], Counter(), Counter()
for arch in arches:
    binary = dist / f"gosu-{arch}"
    handler = binfmt_handler(binary)
    how = f"qemu ({handler.name})" if handler else "native"
    m = re.search(rb"on linux/[a-z0-9]+; (musl|glibc)\)", binary.read_bytes())
    libc = m.group(1).decode() if m else "?"
    xml = out / f"{arch}.xml"
    if not xml.exists():
        rows.append((arch, binary.stat().st_size, libc, how, "-", "-", "-", "no result", "-"))
        totals["failed"] += 1
        continue
    n = Counter()
    for case in ET.parse(xml).getroot().iter("testcase"):
        kids = {child.tag: child for child in case}
        if "failure" in kids or "error" in kids:
            n["failed"] += 1
        elif "skipped" in kids:
            n["skipped"] += 1
            msg = kids["skipped"].get("message", "")
            msg = re.sub(r"^under [\w-]+: ", "", msg).split(";")[0]
            reasons[msg] += 1
        else:
            n["passed"] += 1
    seconds = (out / f"{arch}.seconds").read_text().strip()
    rows.append((arch, binary.stat().st_size, libc, how, n["passed"], n["skipped"], n["failed"],
                 "ok" if not n["failed"] else "FAILED", seconds))
    totals.update(n)

print(f"{'arch':<9} {'bytes':>8}  {'libc':<5} {'runs':<20} {'passed':>6} {'skipped':>7} {'failed':>6}"
      f"  {'result':<9} {'s':>4}")
for r in rows:
    print(f"{r[0]:<9} {r[1]:>8}  {r[2]:<5} {r[3]:<20} {r[4]:>6} {r[5]:>7} {r[6]:>6}  {r[7]:<9} {r[8]:>4}")
print("skipped, by reason (per-arch total):")
for msg, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
    print(f"  {count:>4}  {msg}")
print(f"cross-test: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
