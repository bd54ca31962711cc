#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus (fuzz/corpus/) from the conformance
fixtures (tests/e2e/fixtures.py) and real database files (fuzz/files/:
Debian 12's, as installed and as base-passwd ships them, and Alpine's
from alpine-baselayout). The layout of an input is described at the top of
fuzz/fuzz_resolve.c. Run it again after changing either; the names are
hashes of the contents, so it only ever adds files."""

import hashlib
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
import fixtures  # noqa: E402

CALLERS = {(0, 0): 0, (8888, 8888): 1, (1000, 1000): 2}
LINE_MAX = 1 << 20


def seed(spec, passwd, group, caller=(8888, 8888), flags=0, pchunk=0, gchunk=0, grow=0,
         bulk=0):
    """One input: the header, then spec NUL passwd NUL NUL group."""
    sel = CALLERS.get(caller, 3)
    head = bytes([flags | sel << 4, pchunk, gchunk, grow, bulk])
    head += struct.pack("<II", *caller) if sel == 3 else bytes(8)
    enc = (lambda s: s if isinstance(s, bytes) else s.encode())
    return head + enc(spec) + b"\0" + enc(passwd) + b"\0\0" + enc(group)


def main():
    out = HERE / "corpus"
    out.mkdir(exist_ok=True)
    seeds = []

    # Fixture A, with its 7500-member line cut short to keep seeds small.
    group_a = fixtures.GROUP_A.split("largegroup:")[0] + "largegroup:x:1000:" + ",".join(
        f"user{i}" for i in range(7400, 7501))
    for spec in list(fixtures.FIXTURE_A_OK) + list(fixtures.FIXTURE_A_FAIL):
        seeds.append(seed(spec, fixtures.PASSWD_A, group_a))
        seeds.append(seed(spec, fixtures.PASSWD_A, group_a, pchunk=3, gchunk=7))
    # Fixture B: no files at all, then passwd alone.
    for spec in ("", "0", "0:0", "root", "0:wheel"):
        seeds.append(seed(spec, "", "", flags=3))
    seeds.append(seed("root", fixtures.PASSWD_A, "", flags=2))
    for spec in ("0", "root", "0:", "0:0", "0:root", "root:0", "root:root", "1000", "0:1000",
                 "root:1000", "1000:1000", "1000:root", "1000:daemon", "games", "games:daemon",
                 "", ":0", "bogus", "0day", "0:bogus", "0:0day"):
        seeds.append(seed(spec, fixtures.PASSWD_DEBIAN, fixtures.GROUP_DEBIAN, caller=(0, 0)))

    # Real files.
    real = [("debian12", "debian12.passwd", "debian12.group"),
            ("debian-base", "debian-base-passwd.master", "debian-base-group.master"),
            ("alpine", "alpine.passwd", "alpine.group")]
    specs = ["root", "0", "", ":", "nobody", "nobody:nogroup", "65534", "65534:65534",
             "daemon", "daemon:adm", "adm", "games", "games:users", "squid", "1000",
             "1000:1000", "postgres", "root:tty", "bin:0", "+0", "-0:-0", "4294967294",
             "nosuch", "root:nosuch", "2147483648"]
    for _, pw, gr in real:
        pw = (HERE / "files" / pw).read_bytes()
        gr = (HERE / "files" / gr).read_bytes()
        for spec in specs:
            for caller in ((0, 0), (1000, 1000)):
                seeds.append(seed(spec, pw, gr, caller=caller))
        seeds.append(seed("root", pw, gr, caller=(0, 0), pchunk=1, gchunk=1))
        seeds.append(seed("", pw, gr, caller=(65534, 65534), pchunk=5, gchunk=2))
        # Bits 6-7 of the chunk bytes: the size the files claim at open
        # (their own, one byte, twice their own).
        for hint in (0x40, 0x80, 0xc0):
            seeds.append(seed("nobody", pw, gr, caller=(0, 0), pchunk=hint, gchunk=hint | 3))

    # The hostile inputs of the e2e suite, small enough to mutate.
    big = ["4294967294", "4294967295", "4294967296", "-1", "9223372036854775808",
           "18446744073709551616", "99999999999999999999", "-0", "+0", "00000000000000000000",
           " 0", "0 ", "0x0", "+-0", "1\x000", ""]
    for n in big:
        seeds.append(seed("u", f"u:x:{n}:5::/h:/bin/sh\n", "g:x:5:u\n"))
        seeds.append(seed("u", f"u:x:5:{n}::/h:/bin/sh\n", "g:x:5:u\n"))
        seeds.append(seed("u", "u:x:5:5::/h:/bin/sh\n", f"g:x:{n}:u\n"))
        seeds.append(seed("u:g", "u:x:5:5::/h:/bin/sh\n", f"g:x:{n}:\n"))
        seeds.append(seed(n, "r:x:0:0::/root:\n", "g:x:0:\n"))
        seeds.append(seed(f"0:{n}", "r:x:0:0::/root:\n", "g:x:0:\n"))
    seeds += [
        seed("a", b"a\0b:x:1:1::/ab:\nab:x:2:2::/h\0ome:\na:x:3:3::/a:\n", b"g:x:9:a\0x,a\n"),
        seed("ab", b"ab:x:2:2::/h\0ome:\n", ""),
        seed("2", b"a\0b:x:2:2::/ab:\n", b"g:x:9:a\ng2:x:10:a\0b\n", caller=(0, 0)),
        seed("u", "# u:x:0:0::/:\n\n  \t\r\nu:x:7:7::/u:\r\n", "g:x:8:u\r\n#g:x:0:u\n"),
        seed("+", "+::::::\n+root::0:0::/:\n-bad:x:0:0::/:\n", ""),
        seed("0:5", "+::::::\n+root::0:0::/:\n", ""),
        seed("u", "u:x:1:1::/u:\n", "a:x:30:,u,\nb:x:1:u\nc:x:40:x,,u,u\nd:x:30:u\n"),
        seed("u", "u:x:1:1", "g:x:2:u"),  # no newline at the end
        seed("root", "", "", flags=4),
        seed("root", "", "", flags=4 | 128),
        seed("5", "", "", flags=4),
        seed("root", "root:x:0:0::/:\n", "", flags=8),
        seed("root", "root:x:0:0::/:\n", "", flags=8 | 64),
        seed("root:0", "root:x:0:0::/:\n", "", flags=8),
        seed("", "r:x:4294967294:0::/:\n", "", caller=(4294967294, 4294967294)),
        seed("", "r:x:123456:0::/:\n", "", caller=(123456, 7)),
    ]
    # Lines at the limit: 0x01 marks where the long run goes.
    # A run of 1048572 + d bytes replaces the 0x01.
    for d in (0, 3, 4, 5, 7):
        seeds.append(seed("root", "long:x:1:1::/:\x01\nroot:x:0:0::/root:\n", "",
                          grow=0xa0 | 1 << 3 | d, pchunk=16))
        seeds.append(seed("app", "app:x:100:100::/app:\n", "g:x:5:\x01app\nh:x:6:app\n",
                          grow=0xa0 | 2 << 3 | d, gchunk=1))
        seeds.append(seed("root", "root:x:0:0::/root:\n\x01", "", grow=0xa0 | 1 << 3 | d))
        seeds.append(seed("0", "\x01\nroot:x:0:0::/root:\n", "", grow=0xa0 | 1 << 3 | d))
    # Around 65536 memberships.
    for k in (0, 7, 8, 9, 15):
        seeds.append(seed("app", "app:x:100:100::/app:\n", "g:x:5:app\n", bulk=0xb0 | k))
        seeds.append(seed("app", "app:x:100:100::/app:\n", "g:x:1000000:app\nbad:x::app\n",
                          bulk=0xb0 | k))

    written = 0
    for s in seeds:
        path = out / hashlib.sha1(s).hexdigest()
        if not path.exists():
            path.write_bytes(s)
            written += 1
    print(f"{len(seeds)} seeds, {written} new, in {out}")


if __name__ == "__main__":
    main()
