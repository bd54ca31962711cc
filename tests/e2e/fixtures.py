"""The fixtures and tables of the conformance cases, as data."""

PASSWD_A = """\
root:x:0:0:root user:/root:/bin/bash
adm:x:42:43:adm:/var/adm:/bin/false
111:x:222:333::/var/garbage
odd:x:111:112::/home/odd:::::
2147483647:x:0:0:maxint32:/root:/bin/bash
2147483648:x:0:0:toolarge:/root:/bin/bash
9223372036854775807:x:0:0:maxint64:/root:/bin/bash
9223372036854775808:x:0:0:maxint64plusone:/root:/bin/bash
-42:x:12:13:broken:/very/broken
user7456:x:7456:100:Vasya:/home/user7456
this is just some garbage data
"""

GROUP_A = """\
root:x:0:root
adm:x:43:
grp:x:1234:root,adm,user7456
444:x:555:111
odd:x:444:
2147483647:x:1235:
2147483648:x:1236:
9223372036854775807:x:1237:
9223372036854775808:x:1238:
this is just some garbage data
""" + "largegroup:x:1000:" + ",".join(f"user{i}" for i in range(1, 7501))

C = 8888  # the caller's real uid and gid in these tables

# spec -> (uid, gid, groups applied, HOME)
FIXTURE_A_OK = {
    "root": (0, 0, [0, 1234], "/root"),
    "adm": (42, 43, [43, 1234], "/var/adm"),
    "root:adm": (0, 43, [43], "/root"),
    "adm:1234": (42, 1234, [1234], "/var/adm"),
    "42:1234": (42, 1234, [1234], "/var/adm"),
    "1337:1234": (1337, 1234, [1234], "/"),
    "1337": (1337, C, [C], "/"),
    "": (C, C, [C], "/"),
    ":": (C, C, [C], "/"),
    "111": (111, 112, [112], "/home/odd"),
    "111:444": (111, 444, [444], "/home/odd"),
    "7456": (7456, 100, [100, 1234, 1000], "/home/user7456"),
    "user7456:": (7456, 100, [100, 1234, 1000], "/home/user7456"),
    "7456:2147483647": (7456, 2147483647, [2147483647], "/home/user7456"),
    "2147483647:43": (2147483647, 43, [43], "/"),
    "2147483647": (2147483647, C, [C], "/"),
    "+0": (0, 0, [0, 1234], "/root"),
    "007:0": (7, 0, [0], "/"),
    "root:adm:extra": (0, 43, [43], "/root"),
    ":root": (C, 0, [0], "/"),
}

RANGE = "uids and gids must be in range 0-2147483647"


def no_user(name):
    return f"unable to find user {name}: no matching entries in passwd file"


def no_group(name):
    return f"unable to find group {name}: no matching entries in group file"


FIXTURE_A_FAIL = {
    **{s: no_user("notuser") for s in ("notuser", "notuser:notgroup", "notuser:adm", "notuser:8888")},
    **{s: no_group("notgroup") for s in ("root:notgroup", "8888:notgroup")},
    **{s: RANGE for s in ("-1:0", "0:-3", "-5:-2", "-42", "-43", "42:2147483648", "2147483648:43",
                          "2147483648", "7456:9223372036854775807", "9223372036854775807:43",
                          "9223372036854775807", "9223372036854775808", "0:9223372036854775808",
                          "99999999999999999999")},
    **{s: no_user(s) for s in ("0x10", " 0", "0 ", "1_000", "+", "-")},
    "this is just some garbage data":
        'malformed entry "this is just some garbage data" at /etc/passwd line 11: '
        'uid "" is not a number in range 0-4294967294',
}

# A Debian-like database for gosu's own acceptance checks.
PASSWD_DEBIAN = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
games:x:5:60:games:/usr/games:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
GROUP_DEBIAN = """\
root:x:0:
daemon:x:1:
bin:x:2:
games:x:60:
users:x:100:games
nogroup:x:65534:
"""
