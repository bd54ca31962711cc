"""conformance.md's tables through the real binary, as the caller of the
tables (uid and gid 8888, with CAP_SETUID and CAP_SETGID), and gosu's own
acceptance checks as root. Each result is read by the command itself from
/proc/self/status."""

import os

import pytest

from conftest import CALLER_8888, ROOT_CALLER
from fixtures import (FIXTURE_A_FAIL, FIXTURE_A_OK, GROUP_A, GROUP_DEBIAN, PASSWD_A,
                      PASSWD_DEBIAN, no_group, no_user)


def assert_switched(r, uid, gid, groups, home):
    assert r.rc == 0, r.stderr
    assert r.uid == [uid] * 4
    assert r.gid == [gid] * 4
    assert r.groups == sorted(groups)
    assert r.home == home


def assert_refused(r, spec, reason):
    assert r.rc == 1
    assert r.out == b""  # the command never ran
    assert r.stderr == f"error: failed switching to '{spec}': {reason}\n"


@pytest.mark.parametrize("spec", FIXTURE_A_OK)
def test_fixture_a(gosu, spec):
    r = gosu(spec, passwd=PASSWD_A, group=GROUP_A, caller=CALLER_8888)
    assert_switched(r, *FIXTURE_A_OK[spec])


@pytest.mark.parametrize("spec", FIXTURE_A_FAIL)
def test_fixture_a_fails(gosu, spec):
    r = gosu(spec, passwd=PASSWD_A, group=GROUP_A, caller=CALLER_8888)
    assert_refused(r, spec, FIXTURE_A_FAIL[spec])


@pytest.mark.parametrize("spec,want", [
    ("", (8888, 8888, [8888], "/")),
    ("0", (0, 8888, [8888], "/")),
    ("0:0", (0, 0, [0], "/")),
])
def test_fixture_b_missing_files(gosu, spec, want):
    assert_switched(gosu(spec, caller=CALLER_8888), *want)


@pytest.mark.parametrize("spec,reason", [("root", no_user("root")), ("0:wheel", no_group("wheel"))])
def test_fixture_b_missing_files_fail(gosu, spec, reason):
    assert_refused(gosu(spec, caller=CALLER_8888), spec, reason)


def test_fixture_b_passwd_without_group(gosu):
    assert_switched(gosu("root", passwd=PASSWD_A, caller=CALLER_8888), 0, 0, [0], "/root")


def _dir(name):
    return lambda: os.mkdir(f"/etc/{name}")


def test_passwd_is_a_directory(gosu):
    r = gosu("root", setup=_dir("passwd"), caller=CALLER_8888)
    assert_refused(r, "root", "unable to find user root: read /etc/passwd: is a directory")


def test_group_is_a_directory(gosu):
    r = gosu("root", passwd=PASSWD_A, setup=_dir("group"), caller=CALLER_8888)
    assert_refused(r, "root", "unable to find groups for spec root: read /etc/group: is a directory")


def test_group_directory_not_needed(gosu):
    r = gosu("5", passwd=PASSWD_A, setup=_dir("group"), caller=CALLER_8888)
    assert_switched(r, 5, 8888, [8888], "/")


def test_passwd_fifo_without_writer_fails_at_once(gosu):
    # As root: setpriv, which makes the 8888 caller, would itself hang here.
    r = gosu("root", setup=lambda: os.mkfifo("/etc/passwd"), timeout=5)
    assert_refused(r, "root", "unable to find user root: read /etc/passwd: not a regular file")


def test_uid_past_32_bits_is_an_error(gosu):
    r = gosu("evil", passwd="evil:x:4294967296:0::/root:/bin/sh\n", caller=CALLER_8888)
    assert_refused(r, "evil", 'malformed entry "evil" at /etc/passwd line 1: '
                              'uid "4294967296" is not a number in range 0-4294967294')


def test_comment_line_is_no_entry(gosu):
    r = gosu("0", passwd="# root:x:0:0::/:/bin/sh\nroot:x:0:0::/root:/bin/bash\n", caller=CALLER_8888)
    assert_switched(r, 0, 0, [0], "/root")


def test_line_of_70000_bytes(gosu):
    r = gosu("root", passwd="long:x:1:1:" + "g" * 70000 + ":/:\nroot:x:0:0::/root:\n",
             caller=CALLER_8888)
    assert_switched(r, 0, 0, [0], "/root")


def test_group_line_of_70000_members(gosu):
    members = [f"m{i}" for i in range(70000)]
    members[65000] = "app"
    r = gosu("app", passwd="app:x:100:100::/app:\n", group="big:x:5:" + ",".join(members) + "\n",
             caller=CALLER_8888)
    assert_switched(r, 100, 100, [5, 100], "/app")


# gosu's acceptance checks, run as root.
ACCEPT = {
    "0": (0, 0, "/root"), "root": (0, 0, "/root"), "0:": (0, 0, "/root"),
    "0:0": (0, 0, "/root"), "0:root": (0, 0, "/root"), "root:0": (0, 0, "/root"),
    "root:root": (0, 0, "/root"),
    "1000": (1000, 0, "/"),
    "0:1000": (0, 1000, "/root"), "root:1000": (0, 1000, "/root"),
    "1000:1000": (1000, 1000, "/"), "1000:root": (1000, 0, "/"), "1000:daemon": (1000, 1, "/"),
    "games": (5, 60, "/usr/games"), "games:daemon": (5, 1, "/usr/games"),
    "": (0, 0, "/root"), ":0": (0, 0, "/root"),
}


@pytest.mark.parametrize("spec", ACCEPT)
def test_gosu_acceptance(gosu, spec):
    uid, gid, home = ACCEPT[spec]
    r = gosu(spec, passwd=PASSWD_DEBIAN, group=GROUP_DEBIAN, caller=ROOT_CALLER)
    assert r.rc == 0, r.stderr
    assert (r.uid[0], r.gid[0], r.home) == (uid, gid, home)
    assert gid in r.groups


@pytest.mark.parametrize("spec", ["bogus", "0day", "0:bogus", "0:0day"])
def test_gosu_acceptance_fails(gosu, spec):
    r = gosu(spec, passwd=PASSWD_DEBIAN, group=GROUP_DEBIAN)
    assert r.rc == 1 and r.out == b""
    assert r.stderr.startswith(f"error: failed switching to '{spec}': unable to find ")
