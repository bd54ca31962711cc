"""Hostile input, end to end: the real binary, as root, each case in its own
mount namespace with its own /etc (conftest.py). Every refusal is checked
three ways: exit status 1, nothing on stdout (the command, the probe, never
ran), and the exact message. Where behaviour.md says an odd input works
(a sign, leading zeros, a missing file), the case checks that it works,
and what it gives.

The numbers are the ones that tricked other tools: 2^32 - 1 ("no change"
to the kernel), 2^32 (0 once cut to 32 bits), -1, 2^63, 2^64 (0 once cut to
64 bits) and a number too large for any integer type.

Names with "slow" in them build files of megabytes; `make test-valgrind`
leaves them out."""

import os

import pytest

from conftest import run_ns

BIG = ["4294967295", "4294967296", "-1", "9223372036854775808", "18446744073709551616",
       "99999999999999999999"]
# Numbers that equal 1000 once cut to 32 or 64 bits.
WRAPS_TO_1000 = ["4294968296", "18446744073709552616"]

PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "app:x:1000:1000:app:/home/app:/bin/sh\n")
GROUP = "root:x:0:\napp:x:1000:\nstaff:x:50:app\n"
RANGE = "uids and gids must be in range 0-2147483647"
LINE_MAX = 1 << 20


def no_user(name):
    return f"unable to find user {escape(name)}: no matching entries in passwd file"


def no_group(name):
    return f"unable to find group {escape(name)}: no matching entries in group file"


def escape(s):
    """Go's strconv.Quote, without the quotes, for the text this file uses:
    what a message shows of bytes from outside."""
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
             "\v": "\\v", "\\": "\\\\", '"': '\\"'}
    out = ""
    for c in s:
        if c in named:
            out += named[c]
        elif ord(c) < 0x20 or ord(c) == 0x7f:
            out += f"\\x{ord(c):02x}"
        elif 0x80 <= ord(c) < 0xa0 or c in "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out += f"\\u{ord(c):04x}"
        else:
            out += c
    return out


def go_quote(s):
    return f'"{escape(s)}"'


def malformed(name, path, line, field, value):
    return (f"malformed entry {go_quote(name)} at {path} line {line}: "
            f"{field} {go_quote(value)} is not a number in range 0-4294967294")


def refused(r, spec, reason):
    assert (r.rc, r.out, r.stderr) == (1, b"", f"error: failed switching to '{escape(spec)}': {reason}\n")


def switched(r, uid, gid, home, groups=None):
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, r.home) == ([uid] * 4, [gid] * 4, home)
    if groups is not None:
        assert r.groups == sorted(groups)


# ------------------------------------------------------------------ the spec

@pytest.mark.parametrize("n", BIG)
def test_spec_user_number_out_of_range(gosu, n):
    refused(gosu(n, passwd=PASSWD, group=GROUP), n, RANGE)


@pytest.mark.parametrize("n", BIG)
def test_spec_group_number_out_of_range(gosu, n):
    for spec in (f"app:{n}", f"0:{n}", f":{n}"):
        refused(gosu(spec, passwd=PASSWD, group=GROUP), spec, RANGE)


@pytest.mark.parametrize("n", BIG)
def test_spec_number_is_never_a_name(gosu, n):
    # D10: a crafted entry named like the number, with uid 0, is not it.
    passwd = f"{n}:x:0:0:trap:/root:/bin/sh\n" + PASSWD
    group = f"{n}:x:0:\n" + GROUP
    refused(gosu(n, passwd=passwd, group=group), n, RANGE)
    refused(gosu(f"app:{n}", passwd=passwd, group=group), f"app:{n}", RANGE)


@pytest.mark.parametrize("n", BIG)
def test_spec_number_never_matches_an_out_of_range_entry(gosu, n):
    passwd = f"evil:x:{n}:{n}::/evil:/bin/sh\n" + PASSWD
    group = f"evil:x:{n}:\n" + GROUP
    refused(gosu(n, passwd=passwd, group=group), n, RANGE)
    refused(gosu(f"app:{n}", passwd=passwd, group=group), f"app:{n}", RANGE)


@pytest.mark.parametrize("spec,want", [
    ("+0", (0, 0, "/root")), ("-0", (0, 0, "/root")), ("0000000000000000000000000", (0, 0, "/root")),
    ("+1000", (1000, 1000, "/home/app")), ("0001000", (1000, 1000, "/home/app")),
    ("app:+50", (1000, 50, "/home/app")), ("app:-0", (1000, 0, "/home/app")),
    ("2147483647", (2147483647, 0, "/")),
])
def test_spec_signs_and_leading_zeros_work(gosu, spec, want):
    switched(gosu(spec, passwd=PASSWD, group=GROUP), *want)


@pytest.mark.parametrize("spec", [" 0", "0 ", "\t0", "0x0", "0x3e8", "1e3", "1_000", "+-0", "-+1",
                                  "+", "-", "0.0", "\uff10"])
def test_spec_that_is_no_number_is_a_name(gosu, spec):
    refused(gosu(spec, passwd=PASSWD, group=GROUP), spec, no_user(spec))


def test_spec_like_an_option_after_double_dash(gosu):
    # "--1" would be an unknown option; after "--" it is a spec, and a name.
    refused(gosu("--", "--1", gosu.probe, passwd=PASSWD, group=GROUP), "--1", no_user("--1"))


@pytest.mark.parametrize("spec", [" 0", "0x0", "+-0", "0 "])
def test_spec_group_that_is_no_number_is_a_name(gosu, spec):
    refused(gosu(f"app:{spec}", passwd=PASSWD, group=GROUP), f"app:{spec}", no_group(spec))


def test_spec_of_100_kb_name(gosu):
    spec = "a" * 100_000
    refused(gosu(spec, passwd=PASSWD, group=GROUP), spec, no_user(spec))


def test_spec_of_100_kb_group(gosu):
    spec = "app:" + "g" * 100_000
    refused(gosu(spec, passwd=PASSWD, group=GROUP), spec, no_group("g" * 100_000))


def test_spec_of_100_kb_numbers(gosu):
    # Leading zeros are fine, however many; a long number is out of range.
    switched(gosu("0" * 99_999 + "1000", passwd=PASSWD, group=GROUP), 1000, 1000, "/home/app")
    spec = "9" * 100_000
    refused(gosu(spec, passwd=PASSWD, group=GROUP), spec, RANGE)


def test_spec_of_100_kb_colons(gosu):
    # "a:b:c" is user a, group b; everything after the second ':' is ignored.
    switched(gosu("app:50" + ":" * 100_000, passwd=PASSWD, group=GROUP), 1000, 50, "/home/app")


# ------------------------------------------------------------- messages

# Bytes that would end the line and fake another, retitle or clear the
# terminal, or reorder what it shows.
CRAFTED = ["app\nerror - all good", "\x1b]0;owned\x07\x1b[2J", "a\rb", "\u202eppa", "a\u2028b",
           "\x9b31m", "\\x1b", "a\"b"]


@pytest.mark.parametrize("spec", CRAFTED)
def test_spec_bytes_are_quoted_in_messages(gosu, spec):
    r = gosu(spec, passwd=PASSWD, group=GROUP)
    assert r.err.count(b"\n") == 1 and not any(c < 0x20 and c != 0x0a for c in r.err)
    for bad in ("\u202e", "\u2028", "\x9b"):
        assert bad not in r.stderr
    refused(r, spec, no_user(spec))
    r = gosu(f"app:{spec}", passwd=PASSWD, group=GROUP)
    refused(r, f"app:{spec}", no_group(spec))


@pytest.mark.parametrize("name", ["ev\x1b[2Jil", "a\rerror - fake", "\u202eppa"])
def test_passwd_name_bytes_are_quoted_in_messages(gosu, name):
    passwd = f"{name}:x:1234:1234::/:/bin/sh\n"
    r = gosu("1234", passwd=passwd, setup=lambda: os.mkdir("/etc/group"))
    refused(r, "1234", f"unable to find groups for spec {escape(name)}: read /etc/group: is a directory")
    assert not any(c < 0x20 and c != 0x0a for c in r.err)


@pytest.mark.parametrize("cmd", CRAFTED)
def test_command_bytes_are_quoted_in_messages(gosu, cmd):
    path = f"/nonexistent/{cmd}"
    r = gosu("app", path, passwd=PASSWD, group=GROUP)
    assert (r.rc, r.out) == (127, b"")
    assert r.stderr == f"error: exec: {go_quote(path)}: stat {escape(path)}: no such file or directory\n"
    assert not any(c < 0x20 and c != 0x0a for c in r.err)


def test_ordinary_specs_are_byte_identical(gosu):
    spec = "o'brien.\u00e9t\u00e9-x_1@example"
    r = gosu(spec, passwd=PASSWD, group=GROUP)
    assert r.stderr == (f"error: failed switching to '{spec}': unable to find user {spec}: "
                        "no matching entries in passwd file\n")


# ------------------------------------------------------- numbers in the files

@pytest.mark.parametrize("n", BIG)
def test_passwd_uid_field_out_of_range(gosu, n):
    passwd = f"evil:x:{n}:0:evil:/root:/bin/sh\n" + PASSWD
    refused(gosu("evil", passwd=passwd, group=GROUP), "evil",
            malformed("evil", "/etc/passwd", 1, "uid", n))


@pytest.mark.parametrize("n", BIG)
def test_passwd_gid_field_out_of_range(gosu, n):
    passwd = PASSWD + f"evil:x:1234:{n}:evil:/root:/bin/sh\n"
    for spec in ("evil", "1234", "evil:50"):
        refused(gosu(spec, passwd=passwd, group=GROUP), spec,
                malformed("evil", "/etc/passwd", 3, "gid", n))


@pytest.mark.parametrize("n", BIG)
def test_group_gid_field_out_of_range_through_a_membership(gosu, n):
    group = GROUP + f"evil:x:{n}:root,app\n"
    for spec in ("app", "root", "0", "1000:"):
        refused(gosu(spec, passwd=PASSWD, group=group), spec,
                malformed("evil", "/etc/group", 4, "gid", n))


@pytest.mark.parametrize("n", BIG)
def test_group_gid_field_out_of_range_by_name(gosu, n):
    group = f"evil:x:{n}:\n" + GROUP
    refused(gosu("app:evil", passwd=PASSWD, group=group), "app:evil",
            malformed("evil", "/etc/group", 1, "gid", n))


@pytest.mark.parametrize("n", BIG)
def test_out_of_range_entries_are_skipped_by_numeric_lookups(gosu, n):
    # Never read as 0: uid 0 and gid 0 find root's entries, after them.
    passwd = f"evil:x:{n}:{n}:evil:/evil:/bin/sh\n" + PASSWD
    group = f"evil:x:{n}:\n" + GROUP
    switched(gosu("0", passwd=passwd, group=group), 0, 0, "/root")
    switched(gosu("", passwd=passwd, group=group), 0, 0, "/root")
    switched(gosu("app:0", passwd=passwd, group=group), 1000, 0, "/home/app", [0])


@pytest.mark.parametrize("n", WRAPS_TO_1000)
def test_numbers_are_never_cut_to_32_or_64_bits(gosu, n):
    passwd = f"evil:x:{n}:0:evil:/root:/bin/sh\n" + PASSWD
    group = f"evil:x:{n}:app\n" + GROUP
    # uid 1000 is app's entry, not evil's (which, cut short, would read 1000).
    switched(gosu("1000", passwd=passwd, group=group.replace(":app\n", ":\n", 1)), 1000, 1000,
             "/home/app", [1000, 50])
    switched(gosu("app:1000", passwd=passwd, group=group), 1000, 1000, "/home/app", [1000])
    # The membership through evil's group is an error, not gid 1000.
    refused(gosu("app", passwd=passwd, group=group), "app",
            malformed("evil", "/etc/group", 1, "gid", n))


# Field texts: None where the field is malformed, else the number it is.
FIELDS = [(" 0", None), ("0 ", None), ("\t7", None), ("7\t", None), ("+7", 7), ("-0", 0), ("+0", 0),
          ("007", 7), ("0x7", None), ("0X7", None), ("7e0", None), ("1_000", None), ("7.0", None),
          ("", None), ("+", None), ("-", None), ("++7", None), ("-+7", None), ("\x007", None),
          ("7\x00", None), ("\u0667", None), ("4294967294", 4294967294)]


@pytest.mark.parametrize("text,value", FIELDS)
def test_uid_field_texts(gosu, text, value):
    passwd = PASSWD + f"u:x:{text}:50:u:/home/u:/bin/sh\n"
    r = gosu("u", passwd=passwd, group=GROUP)
    if value is None:
        refused(r, "u", malformed("u", "/etc/passwd", 3, "uid", text))
    else:
        switched(r, value, 50, "/home/u", [50])


@pytest.mark.parametrize("text,value", FIELDS)
def test_passwd_gid_field_texts(gosu, text, value):
    passwd = PASSWD + f"u:x:1234:{text}:u:/home/u:/bin/sh\n"
    r = gosu("u", passwd=passwd, group=GROUP)
    if value is None:
        refused(r, "u", malformed("u", "/etc/passwd", 3, "gid", text))
    else:
        switched(r, 1234, value, "/home/u", [value])


@pytest.mark.parametrize("text,value", FIELDS)
def test_group_gid_field_texts(gosu, text, value):
    group = GROUP + f"g:x:{text}:app\n"
    r = gosu("app", passwd=PASSWD, group=group)
    if value is None:
        refused(r, "app", malformed("g", "/etc/group", 4, "gid", text))
    else:
        switched(r, 1000, 1000, "/home/app", [1000, 50, value])


def test_nul_bytes_in_names_and_members_match_nothing_early(gosu):
    passwd = b"ro\x00ot:x:0:0::/root:/bin/sh\n" + PASSWD.encode()
    group = b"wheel:x:10:ap\x00p,app\x00\nstaff:x:50:app\n"
    refused(gosu("ro", passwd=passwd, group=group), "ro", no_user("ro"))
    switched(gosu("app", passwd=passwd, group=group), 1000, 1000, "/home/app", [1000, 50])


def test_home_with_a_nul_byte_is_refused(gosu):
    passwd = b"u:x:1234:50::/home/u\x00/../../root:/bin/sh\n"
    refused(gosu("u", passwd=passwd, group=GROUP), "u",
            'malformed entry "u" at /etc/passwd line 1: home contains a NUL byte')


def test_comment_and_nis_lines_never_become_root(gosu):
    passwd = "#evil:x:0:0::/evil:\n+::::::\n-::::::\n+evil\n" + PASSWD.replace("root:x:0:0", "root:x:5:5")
    r = gosu("0", passwd=passwd, group=GROUP)
    switched(r, 0, 0, "/", [0])  # no entry has uid 0: the number itself
    refused(gosu("+", passwd=passwd, group=GROUP), "+", no_user("+"))
    refused(gosu("+evil", passwd=passwd, group=GROUP), "+evil", no_user("+evil"))
    refused(gosu("#evil", passwd=passwd, group=GROUP), "#evil", no_user("#evil"))


def test_nis_lines_are_never_entries_in_either_file(gosu):
    # "-app" excludes app from NIS; it is no entry with gid 0. "+wheel" does
    # not put app in group 0.
    passwd = "-app:x:1000:0::/:\n" + PASSWD
    group = "+wheel:x:0:app\n -staff:x:51:app\n+@admins:x:10:app\n" + GROUP
    switched(gosu("1000", passwd=passwd, group=group), 1000, 1000, "/home/app", [1000, 50])
    switched(gosu("app", passwd=passwd, group=group), 1000, 1000, "/home/app", [1000, 50])
    refused(gosu("app:+wheel", passwd=passwd, group=group), "app:+wheel", no_group("+wheel"))
    refused(gosu("-app", passwd=passwd, group=group), "-app", no_user("-app"))


def test_fields_are_split_at_every_colon(gosu):
    # A name or gecos cannot smuggle a ':' to shift the fields.
    passwd = "a\\:b:x:0:0::/root:\nu:x:1234:50:gecos\\:0\\:0:/home/u:/bin/sh\n"
    refused(gosu("a:b", passwd=passwd, group=GROUP), "a:b", no_user("a"))
    # No escapes: the sixth field, the home, is "0\\" here.
    switched(gosu("u", passwd=passwd, group=GROUP), 1234, 50, "0\\")


# --------------------------------------------------------------- long lines

def long_gecos_line(length):
    line = "long:x:1:1:" + "g" * (length - len("long:x:1:1::/:")) + ":/:"
    assert len(line) == length
    return line + "\n"


def test_passwd_line_of_exactly_1_mib_slow(gosu):
    passwd = long_gecos_line(LINE_MAX) + PASSWD
    switched(gosu("root", passwd=passwd, group=GROUP), 0, 0, "/root")


def test_passwd_line_just_over_1_mib_slow(gosu):
    passwd = long_gecos_line(LINE_MAX + 1) + PASSWD
    refused(gosu("root", passwd=passwd, group=GROUP), "root",
            "unable to find user root: read /etc/passwd: line longer than 1048576 bytes")
    refused(gosu("", passwd=passwd, group=GROUP), "",
            "unable to find user 0: read /etc/passwd: line longer than 1048576 bytes")


def test_passwd_last_line_without_newline_at_and_over_1_mib_slow(gosu):
    for length, ok in ((LINE_MAX, True), (LINE_MAX + 1, False)):
        passwd = PASSWD + long_gecos_line(length).rstrip("\n")
        r = gosu("nobody", passwd=passwd, group=GROUP)
        refused(r, "nobody", no_user("nobody") if ok else
                "unable to find user nobody: read /etc/passwd: line longer than 1048576 bytes")


def test_passwd_long_line_after_the_entry_is_never_read_slow(gosu):
    passwd = PASSWD + long_gecos_line(8 * LINE_MAX)
    switched(gosu("app", passwd=passwd, group=GROUP), 1000, 1000, "/home/app", [1000, 50])


def test_group_line_just_over_1_mib_slow(gosu):
    members = ",".join(f"m{i:07d}" for i in range(LINE_MAX // 9 + 1))
    group = GROUP + f"big:x:77:{members},app\n"
    assert len(group.splitlines()[-1]) > LINE_MAX
    refused(gosu("app", passwd=PASSWD, group=group), "app",
            "unable to find groups for spec app: read /etc/group: line longer than 1048576 bytes")


def test_group_line_of_1_mib_with_the_user_last_slow(gosu):
    head = "big:x:77:"
    members = "m" * (LINE_MAX - len(head) - len(",app"))
    group = GROUP + f"{head}{members},app\n"
    assert len(group.splitlines()[-1]) == LINE_MAX
    switched(gosu("app", passwd=PASSWD, group=group), 1000, 1000, "/home/app", [1000, 50, 77])


# ------------------------------------------------------------ many groups

def count_groups(gosu, spec, group, expect_rc=0):
    """The command counts its own groups in /proc/self/status (the probe
    reads lines of 4 KiB, too short for 65536 groups)."""
    r = gosu(spec, "/bin/sh", "-c", "grep '^Groups:' /proc/self/status | wc -w; id -u",
             passwd=PASSWD, group=group)
    if r.rc != 0:
        return r, None
    words, uid = r.out.decode().split()
    assert uid == "1000"
    return r, int(words) - 1


def memberships(n, start=100_000):
    return "".join(f"g{i}:x:{start + i}:app\n" for i in range(n))


def test_65536_groups_slow(gosu):
    # 65535 memberships and the primary gid: the most setgroups takes.
    r, n = count_groups(gosu, "app", GROUP.replace(":app\n", ":\n") + memberships(65535))
    assert (r.rc, n) == (0, 65536), r.stderr


def test_65536_memberships_one_of_them_the_primary_gid_slow(gosu):
    group = GROUP.replace(":app\n", ":\n") + memberships(65535) + "again:x:1000:app\n"
    r, n = count_groups(gosu, "app", group)
    assert (r.rc, n) == (0, 65536), r.stderr


def test_65537_groups_slow(gosu):
    group = GROUP.replace(":app\n", ":\n") + memberships(65536)
    refused(gosu("app", passwd=PASSWD, group=group), "app",
            "user app is a member of more than 65536 groups")


def test_65537_memberships_with_duplicates_are_fewer_groups_slow(gosu):
    # The same gid listed twice counts once (D9).
    group = GROUP.replace(":app\n", ":\n") + memberships(65535) + "dup:x:100000:app\n" * 2
    r, n = count_groups(gosu, "app", group)
    assert (r.rc, n) == (0, 65536), r.stderr


def test_100k_groups_in_the_file_slow(gosu):
    group = memberships(100_000, start=200_000).replace(":app\n", ":\n")
    group = group.replace("g0:x:200000:\n", "g0:x:200000:app\n")
    group = group.replace("g99999:x:299999:\n", "g99999:x:299999:x,app\n")
    switched(gosu("app", passwd=PASSWD, group=group), 1000, 1000, "/home/app",
             [1000, 200000, 299999])
    switched(gosu("app:g99999", passwd=PASSWD, group=group), 1000, 299999, "/home/app", [299999])


def test_100k_memberships_slow(gosu):
    refused(gosu("app", passwd=PASSWD, group=memberships(100_000)), "app",
            "user app is a member of more than 65536 groups")


def test_100k_members_on_one_line_slow(gosu):
    members = ",".join(f"u{i}" for i in range(100_000))
    group = GROUP + f"big:x:77:{members},app\n"
    switched(gosu("app", passwd=PASSWD, group=group), 1000, 1000, "/home/app", [1000, 50, 77])


# ------------------------------------------------------ the files themselves

def test_missing_files(gosu):
    # ENOENT reads as an empty file: numbers work, names do not.
    switched(gosu("1000:1000"), 1000, 1000, "/", [1000])
    switched(gosu(""), 0, 0, "/", [0])
    refused(gosu("app"), "app", no_user("app"))
    refused(gosu("0:app"), "0:app", no_group("app"))
    switched(gosu("app", passwd=PASSWD), 1000, 1000, "/home/app", [1000])


def test_empty_files(gosu):
    switched(gosu("1000:1000", passwd="", group=""), 1000, 1000, "/", [1000])
    refused(gosu("app", passwd="", group=""), "app", no_user("app"))
    refused(gosu("0:app", passwd="", group=""), "0:app", no_group("app"))
    switched(gosu("app", passwd=PASSWD, group=""), 1000, 1000, "/home/app", [1000])


def without_dac_override(gosu, spec, **kw):
    """gosu as root, but without the capabilities that read any file."""
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search", "--"]
    return run_ns([*drop, gosu.path, spec, gosu.probe], **kw)


def chmod_000(name):
    return lambda: os.chmod(f"/etc/{name}", 0)


def test_unreadable_passwd(gosu):
    for spec in ("root", "1000", ""):
        r = without_dac_override(gosu, spec, passwd=PASSWD, group=GROUP, setup=chmod_000("passwd"))
        who = spec or "0"
        refused(r, spec, f"unable to find user {who}: open /etc/passwd: permission denied")


def test_unreadable_group(gosu):
    r = without_dac_override(gosu, "app", passwd=PASSWD, group=GROUP, setup=chmod_000("group"))
    refused(r, "app", "unable to find groups for spec app: open /etc/group: permission denied")
    r = without_dac_override(gosu, "app:staff", passwd=PASSWD, group=GROUP, setup=chmod_000("group"))
    refused(r, "app:staff", "unable to find groups for spec app: open /etc/group: permission denied")
    # Not needed, not opened: a number without an entry.
    r = without_dac_override(gosu, "4242", passwd=PASSWD, group=GROUP, setup=chmod_000("group"))
    switched(r, 4242, 0, "/", [0])


def special(name, kind):
    def setup():
        path = f"/etc/{name}"
        if kind == "directory":
            os.mkdir(path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "symlink loop":
            os.symlink(f"{name}.b", path)
            os.symlink(name, f"{path}.b")
        elif kind == "/dev/zero":
            os.symlink("/dev/zero", path)
    return setup


FILE_ERRORS = {"directory": "read {}: is a directory", "fifo": "read {}: not a regular file",
               "symlink loop": "open {}: too many levels of symbolic links",
               "/dev/zero": "read {}: not a regular file"}


@pytest.mark.parametrize("kind", FILE_ERRORS)
def test_passwd_that_is_no_regular_file(gosu, kind):
    # Root callers only: a FIFO would block setpriv itself. Never blocks.
    for spec, who in (("root", "root"), ("1000", "1000"), ("", "0")):
        r = gosu(spec, group=GROUP, setup=special("passwd", kind), timeout=5)
        refused(r, spec, f"unable to find user {who}: " + FILE_ERRORS[kind].format("/etc/passwd"))


@pytest.mark.parametrize("kind", FILE_ERRORS)
def test_group_that_is_no_regular_file(gosu, kind):
    reason = "unable to find groups for spec app: " + FILE_ERRORS[kind].format("/etc/group")
    for spec in ("app", "app:staff", "1000", "app:0"):
        r = gosu(spec, passwd=PASSWD, setup=special("group", kind), timeout=5)
        refused(r, spec, reason)
    # A number without an entry needs no group file.
    switched(gosu("4242", passwd=PASSWD, setup=special("group", kind), timeout=5), 4242, 0, "/")


def test_symlinked_files_are_followed(gosu):
    def setup():
        os.rename("/etc/passwd", "/etc/passwd.real")
        os.symlink("passwd.real", "/etc/passwd")
    switched(gosu("app", passwd=PASSWD, group=GROUP, setup=setup), 1000, 1000, "/home/app")


@pytest.mark.parametrize("passwd,spec,reason", [
    ("root:x:0:0::/root:/bin/sh", None, None),  # the last line without '\n' works
    ("root:x:0:0", None, None),                 # so do missing trailing fields
    ("root:x:0:", "root", malformed("root", "/etc/passwd", 1, "gid", "")),
    ("root:x:0", "root", malformed("root", "/etc/passwd", 1, "gid", "")),
    ("root:x:", "root", malformed("root", "/etc/passwd", 1, "uid", "")),
    ("root", "root", malformed("root", "/etc/passwd", 1, "uid", "")),
])
def test_truncated_last_passwd_line(gosu, passwd, spec, reason):
    r = gosu(spec or "root", passwd=passwd, group=GROUP)
    if reason:
        refused(r, spec, reason)
    else:
        switched(r, 0, 0, "/root" if "/root" in passwd else "", [0])


@pytest.mark.parametrize("tail,spec,want", [
    ("t:x:60:app", "app", [1000, 50, 60]),
    ("t:x:60", "app:t", [60]),
    ("t:x:60:ap", "app", [1000, 50]),  # "ap" is not "app"
])
def test_truncated_last_group_line(gosu, tail, spec, want):
    r = gosu(spec, passwd=PASSWD, group=GROUP + tail)
    switched(r, 1000, want[0], "/home/app", want)


def test_truncated_last_group_line_malformed(gosu):
    for tail in ("t:x:", "t:x", "t"):
        refused(gosu("app:t", passwd=PASSWD, group=GROUP + tail), "app:t",
                malformed("t", "/etc/group", 4, "gid", ""))


# ----------------------------------------------------- command line, environment

@pytest.mark.parametrize("args", [[], ["root"], ["--"], ["--", "root"], ["--no-tty-guard", "root"]])
def test_no_command_prints_usage(gosu, args):
    r = run_ns([gosu.path, *args], passwd=PASSWD, group=GROUP)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr.startswith(f"Usage: {gosu.path} user-spec command [args]\n")


@pytest.mark.parametrize("cmd,rc,reason", [
    ("", 127, 'exec: "": executable file not found in $PATH'),
    (".", 127, 'exec: ".": executable file not found in $PATH'),
    ("..", 127, 'exec: "..": executable file not found in $PATH'),
])
def test_empty_and_dot_commands(gosu, cmd, rc, reason):
    r = gosu("app", cmd, passwd=PASSWD, group=GROUP)
    assert (r.rc, r.out, r.stderr) == (rc, b"", f"error: {reason}\n")


def test_empty_environment(gosu):
    r = gosu("app", passwd=PASSWD, group=GROUP, env={})
    switched(r, 1000, 1000, "/home/app")
    assert r.env == ["HOME=/home/app"]
    # Without PATH, a bare name is found nowhere (no default path).
    r = gosu("app", "probe", passwd=PASSWD, group=GROUP, env={})
    assert (r.rc, r.out, r.stderr) == (127, b"", 'error: exec: "probe": executable file not found in $PATH\n')
