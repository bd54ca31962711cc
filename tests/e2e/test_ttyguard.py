"""The terminal guard and the hardening options (behaviour.md §9), under a
real pseudo-terminal that is the command's controlling terminal."""

import os
import platform
import shutil

import pytest

from conftest import run_ns

PASSWD = "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/sh\n"
GROUP = "root:x:0:\nuser:x:1000:\n"
DB = dict(passwd=PASSWD, group=GROUP, env={"PATH": "/usr/bin:/bin"})
EPERM = f"E{__import__('errno').EPERM}"
X86_64 = platform.machine() == "x86_64"
ATTACKS = ["tiocsti", "tiocsti_high_bits", "tioclinux"] + (["tiocsti_i386", "tiocsti_x32"] if X86_64 else [])
NO_SYS_ADMIN = ["setpriv", "--bounding-set=-sys_admin", "--"]


def legacy_tiocsti():
    try:
        with open("/proc/sys/dev/tty/legacy_tiocsti") as f:
            return f.read().strip() == "1"
    except FileNotFoundError:
        return True  # before Linux 6.2 TIOCSTI is always allowed


def tries(r):
    return dict(line.split("\t") for line in r.out.decode().splitlines())


def status(gosu, *opts, wrap=(), spec="user", **kw):
    return run_ns([*wrap, gosu.path, *opts, spec, gosu.probe], **DB, **kw)


def test_guard_stops_every_way_of_typing(gosu):
    r = run_ns([gosu.path, "user", gosu.ttyprobe], **DB, tty=True)
    assert r.rc == 0, r.stderr
    t = tries(r)
    for attack in ATTACKS:
        assert t[attack] == EPERM, attack
    assert t["tiocgwinsz"] == "ok"
    assert r.injected == b""


def test_guard_covers_the_commands_children(gosu):
    r = run_ns([gosu.path, "user", "/bin/sh", "-c", f"{gosu.ttyprobe}; exit 0"], **DB, tty=True)
    t = tries(r)
    assert all(t[a] == EPERM for a in ATTACKS) and r.injected == b""


def test_without_the_guard_the_attack_works(gosu):
    # Shows that the test above can see an injection when there is one.
    if not legacy_tiocsti():
        pytest.skip("dev.tty.legacy_tiocsti is 0: the kernel itself refuses TIOCSTI here")
    r = run_ns([gosu.path, "--no-tty-guard", "user", gosu.ttyprobe], **DB, tty=True)
    t = tries(r)
    assert t["tiocsti"] == t["tiocsti_high_bits"] == "ok"
    assert t["tioclinux"] != EPERM  # a pty is no virtual console: EINVAL or ENOTTY
    expected = b"xx" + (b"y" if X86_64 else b"")
    if X86_64:
        assert t["tiocsti_i386"] == "ok"
    assert r.injected == expected


def test_guard_is_a_seccomp_filter_and_nothing_else(gosu):
    r = status(gosu, tty=True)
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "0")
    assert r.one("tty") == "yes"


@pytest.mark.parametrize("why,kw", [
    ("no terminal", dict(tty=False, spec="user")),
    ("root target", dict(tty=True, spec="root")),
])
def test_no_guard_where_there_is_nothing_to_guard(gosu, why, kw):
    r = status(gosu, **kw)
    assert r.rc == 0 and r.one("Seccomp") == "0", why


def test_no_tty_guard_option(gosu):
    r = status(gosu, "--no-tty-guard", tty=True)
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("0", "0")


def test_without_cap_sys_admin_the_default_leaves_the_terminal_alone(gosu):
    r = status(gosu, wrap=NO_SYS_ADMIN, tty=True)
    assert (r.rc, r.stderr) == (0, "")
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("0", "0")


def test_tty_guard_option_sets_no_new_privs_when_it_must(gosu):
    r = status(gosu, "--tty-guard", wrap=NO_SYS_ADMIN, tty=True)
    assert (r.rc, r.stderr) == (0, "")
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "1")
    r = run_ns([*NO_SYS_ADMIN, gosu.path, "--tty-guard", "user", gosu.ttyprobe], **DB, tty=True)
    assert all(tries(r)[a] == EPERM for a in ATTACKS) and r.injected == b""


def test_tty_guard_option_with_cap_sys_admin_needs_no_no_new_privs(gosu):
    r = status(gosu, "--tty-guard", tty=True)
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "0")


def test_detach_tty(gosu):
    r = status(gosu, "--detach-tty", tty=True)
    assert r.rc == 0, r.stderr
    assert r.one("tty") == "No such device or address"
    # gosu is the session leader here: SIGHUP was held off for the
    # detaching moment only, and is not left ignored.
    assert int(r.one("SigIgn"), 16) & (1 << 0) == 0


def setuid_id():
    shutil.copy("/usr/bin/id", "/etc/id-suid")
    os.chmod("/etc/id-suid", 0o4755)


@pytest.mark.parametrize("opts,euid", [([], "0"), (["--no-new-privs"], "1000")])
def test_no_new_privs(gosu, opts, euid):
    r = run_ns([gosu.path, *opts, "user", "/etc/id-suid", "-u"], **DB, setup=setuid_id)
    assert (r.rc, r.out.decode().strip()) == (0, euid)
    r = status(gosu, *opts)
    assert r.one("NoNewPrivs") == ("1" if opts else "0")


def test_options_combine(gosu):
    r = status(gosu, "--no-tty-guard", "--no-new-privs", "--detach-tty", tty=True)
    assert (r.one("Seccomp"), r.one("NoNewPrivs"), r.one("tty")) == ("0", "1", "No such device or address")
