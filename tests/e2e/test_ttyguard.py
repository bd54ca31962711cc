"""The terminal guard and the hardening options (behaviour.md §9), under a
real pseudo-terminal that is the command's controlling terminal."""

import os
import platform
import shutil
import signal
import stat

import pytest

from conftest import MS_BIND, MS_MOVE, mount, run_ns

PASSWD = "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/sh\n"
GROUP = "root:x:0:\nuser:x:1000:\n"
DB = dict(passwd=PASSWD, group=GROUP, env={"PATH": "/usr/bin:/bin"})
EPERM = f"E{__import__('errno').EPERM}"
X86_64 = platform.machine() == "x86_64"
ATTACKS = ["tiocsti", "tiocsti_high_bits", "tioclinux"] + (["tiocsti_i386", "tiocsti_x32"] if X86_64 else [])
NO_SYS_ADMIN = ["setpriv", "--bounding-set=-sys_admin", "--"]
# A case that needs the filter installed, which qemu-user cannot do
# (tests/cross/emulation.py).
def GUARDED(*values):
    return pytest.param(*values, marks=pytest.mark.not_emulated("seccomp"))


NOTICE = ("notice: no_new_privs set: the terminal guard needs it without CAP_SYS_ADMIN; "
          "sudo and other setuid programs fail, --no-tty-guard keeps them working")


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


def test_shared_terminal_without_cap_sys_admin_sets_no_new_privs_and_says_so(gosu):
    # A root shell in `docker exec -it CONTAINER sh` (no CAP_SYS_ADMIN) runs
    # gosu: the shell reads the terminal after the command.
    shell = f"{' '.join(NO_SYS_ADMIN)} {gosu.path} user {{}}; exit 0"
    r = run_ns(["/bin/sh", "-c", shell.format(gosu.probe)], **DB, tty=True)
    assert (r.rc, r.stderr) == (0, NOTICE + "\n")
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "1")
    assert r.one("session") != r.one("pid")  # gosu is not the session leader
    r = run_ns(["/bin/sh", "-c", shell.format(gosu.ttyprobe)], **DB, tty=True)
    assert r.stderr == NOTICE + "\n"
    assert all(tries(r)[a] == EPERM for a in ATTACKS) and r.injected == b""


# As in a container (`docker run -t`): PID 1 of a new PID namespace with its
# own /proc, which opens the terminal ($TTY, run_ns(tty="own")) and makes it
# the controlling terminal of a new session, then execs the command.
IN_CONTAINER = ["unshare", "--pid", "--fork", "--mount-proc", "--"]
OWN_TERMINAL = [*IN_CONTAINER, "/bin/sh", "-c", 'exec setsid -c "$@" <"$TTY"', "sh"]
# The same, but a shell's session has the terminal first, and `setsid -c`
# takes it from that session, whose shell still holds it open and reads it
# after the command.
TAKEN_TERMINAL = [*IN_CONTAINER, "/bin/sh", "-c",
                  'exec setsid -c /bin/sh -c \'setsid -c "$@"; exit 0\' sh "$@" <"$TTY"', "sh"]


def test_no_guard_for_the_session_leader_of_its_own_terminal(gosu):
    # gosu leads the terminal's session and nothing else has it open.
    for wrap in ((), NO_SYS_ADMIN):
        r = status(gosu, wrap=[*OWN_TERMINAL, *wrap], tty="own")
        assert (r.rc, r.stderr) == (0, "")
        assert r.one("tty_nr") != "0" and r.one("session") == r.one("pid")
        assert (r.one("Seccomp"), r.one("Seccomp_filters"), r.one("NoNewPrivs")) == ("0", "0", "0")
    # --tty-guard rests on no exemption.
    r = status(gosu, "--tty-guard", wrap=OWN_TERMINAL, tty="own")
    assert (r.rc, r.one("Seccomp"), r.one("Seccomp_filters")) == (0, "2", "1")


def test_guard_for_a_session_leader_whose_terminal_another_session_reads(gosu):
    r = status(gosu, wrap=TAKEN_TERMINAL, tty="own")
    assert r.rc == 0 and r.one("session") == r.one("pid") and r.one("tty_nr") != "0"
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "0")
    r = run_ns([*TAKEN_TERMINAL, gosu.path, "user", gosu.ttyprobe], **DB, tty="own")
    assert all(tries(r)[a] == EPERM for a in ATTACKS) and r.injected == b""
    r = run_ns([*TAKEN_TERMINAL, gosu.path, "--no-tty-guard", "user", gosu.ttyprobe], **DB, tty="own")
    assert r.injected != b"" or not legacy_tiocsti()  # so the test above can fail


# The same, but that shell holds the terminal only through /dev/tty, whose
# descriptor a stat shows as the node's 5,0 (a password prompt reading the
# keyboard there while its stdin is a pipe).
TAKEN_THROUGH_DEV_TTY = [*IN_CONTAINER, "/bin/sh", "-c",
                         'exec setsid -c /bin/sh -c \'exec 3</dev/tty </dev/null; setsid -c "$@" <&3; exit 0\' '
                         'sh "$@" <"$TTY"', "sh"]


def test_guard_for_a_session_leader_whose_terminal_another_session_reads_through_dev_tty(gosu):
    r = status(gosu, wrap=TAKEN_THROUGH_DEV_TTY, tty="own")
    assert r.rc == 0 and r.one("session") == r.one("pid") and r.one("tty_nr") != "0"
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "0")


# gosu leads its own terminal, as in OWN_TERMINAL, while another session
# (a second `docker exec -it`) reads its own terminal through /dev/tty.
OWN_TERMINAL_AND_ANOTHER = [*IN_CONTAINER, "/bin/sh", "-c",
                            "script -qec 'exec 3</dev/tty; echo >/etc/other-session; sleep 10' /dev/null "
                            "</dev/null >/dev/null & until [ -e /etc/other-session ]; do sleep 0.01; done; "
                            'exec setsid -c "$@" <"$TTY"', "sh"]


def test_no_guard_for_a_session_leader_when_another_session_reads_its_own_dev_tty(gosu):
    r = status(gosu, wrap=OWN_TERMINAL_AND_ANOTHER, tty="own")
    assert (r.rc, r.stderr) == (0, "")
    assert r.one("tty_nr") != "0" and r.one("session") == r.one("pid")
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("0", "0")


def dev_with(node):
    """A setup: a tmpfs over /dev (in the case's private mount namespace)
    holding /dev/null, /dev/pts and, if node is given, a /dev/tty of those
    numbers."""
    def setup():
        os.mkdir("/etc/pts")
        mount("/dev/pts", "/etc/pts", None, MS_BIND)
        mount("gosu-test-dev", "/dev", "tmpfs", 0, "mode=755")
        os.mkdir("/dev/pts")
        mount("/etc/pts", "/dev/pts", None, MS_MOVE)
        os.mknod("/dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        if node:
            os.mknod("/dev/tty", 0o666 | stat.S_IFCHR, os.makedev(*node))
    return setup


@pytest.mark.parametrize("node", [None, (1, 3), (42, 0)], ids=["no node", "null's numbers", "no driver"])
@pytest.mark.parametrize("tty,wrap,seccomp", [(False, (), "0"), GUARDED(True, (), "2"), ("own", OWN_TERMINAL, "0")],
                         ids=["no terminal", "shared terminal", "own terminal"])
def test_a_wrong_dev_tty_changes_nothing(gosu, node, tty, wrap, seccomp):
    r = status(gosu, wrap=wrap, tty=tty, setup=dev_with(node))
    assert r.rc == 0, r.stderr
    assert r.one("Seccomp") == seccomp


def legacy_tiocsti_reads(value):
    """A setup: gosu reads `value` as dev.tty.legacy_tiocsti. A bind mount
    in the case's mount namespace; the kernel's setting is not touched."""
    def setup():
        with open("/etc/legacy_tiocsti", "w") as f:
            f.write(value)
        mount("/etc/legacy_tiocsti", "/proc/sys/dev/tty/legacy_tiocsti", None, MS_BIND)
    return setup


@pytest.mark.skipif(not os.path.exists("/proc/sys/dev/tty/legacy_tiocsti"),
                    reason="no dev.tty.legacy_tiocsti before Linux 6.2 (the unit tests cover it)")
@pytest.mark.parametrize("opts,value,seccomp", [((), "0\n", "0"), GUARDED((), "1\n", "2"),
                                                GUARDED(("--tty-guard",), "0\n", "2")])
def test_legacy_tiocsti_0_needs_no_guard(gosu, opts, value, seccomp):
    r = status(gosu, *opts, tty=True, setup=legacy_tiocsti_reads(value))
    assert (r.rc, r.one("Seccomp")) == (0, seccomp)


def test_tty_guard_without_proc_needs_an_answer(gosu):
    # No /proc, no /dev/tty, no terminal on fds 0-2: nothing can tell.
    def no_proc():
        dev_with(None)()
        mount("gosu-test-proc", "/proc", "tmpfs", 0, "mode=755")
    r = status(gosu, "--tty-guard", setup=no_proc)
    assert (r.rc, r.stderr) == (1, "error: failed switching to 'user': cannot install the terminal "
                                   "guard: no answer about the controlling terminal\n")
    # A terminal still answers on its descriptor.
    r = run_ns([gosu.path, "--tty-guard", "user", gosu.ttyprobe], **DB, tty=True, setup=no_proc)
    assert r.rc == 0 and all(tries(r)[a] == EPERM for a in ATTACKS)


def test_tty_guard_option_sets_no_new_privs_when_it_must(gosu):
    r = status(gosu, "--tty-guard", wrap=NO_SYS_ADMIN, tty=True)
    assert (r.rc, r.stderr) == (0, "")
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "1")
    r = run_ns([*NO_SYS_ADMIN, gosu.path, "--tty-guard", "user", gosu.ttyprobe], **DB, tty=True)
    assert all(tries(r)[a] == EPERM for a in ATTACKS) and r.injected == b""


def test_tty_guard_option_with_cap_sys_admin_needs_no_no_new_privs(gosu):
    r = status(gosu, "--tty-guard", tty=True)
    assert (r.one("Seccomp"), r.one("NoNewPrivs")) == ("2", "0")


def sighup_default():
    signal.signal(signal.SIGHUP, signal.SIG_DFL)  # whatever the caller had (nohup)


def test_detach_tty(gosu):
    r = status(gosu, "--detach-tty", tty=True, setup=sighup_default)
    assert r.rc == 0, r.stderr
    assert r.one("tty") == "No such device or address" and r.one("tty_nr") == "0"
    # gosu is the session leader here: SIGHUP was held off for the
    # detaching moment only, and is not left ignored.
    assert int(r.one("SigIgn"), 16) & (1 << 0) == 0


def test_detach_tty_leaves_no_sighup_pending_where_it_is_blocked(gosu):
    # Detaching the session leader sends SIGHUP to its foreground group,
    # gosu; a caller that blocks SIGHUP must not hand COMMAND one pending,
    # which would kill it as soon as it unblocks SIGHUP.
    r = run_ns([gosu.path, "--detach-tty", "user", "/bin/grep", "Pnd:", "/proc/self/status"], **DB,
               tty=True, setup=sighup_default, block=[signal.SIGHUP])
    assert (r.rc, r.stderr) == (0, "")
    pending = dict(line.split(":\t") for line in r.out.decode().splitlines())
    assert int(pending["SigPnd"], 16) == int(pending["ShdPnd"], 16) == 0, pending


def test_detach_tty_without_a_dev_tty_node(gosu):
    # Through the descriptor that holds the terminal, fd 0 here.
    r = status(gosu, "--detach-tty", tty=True, setup=dev_with(None))
    assert (r.rc, r.stderr, r.one("tty_nr")) == (0, "", "0")
    # Not the session leader: detached, the command needs no guard.
    r = run_ns(["/bin/sh", "-c", f"{gosu.path} --detach-tty user {gosu.probe}; exit 0"], **DB,
               tty=True, setup=dev_with(None))
    assert (r.rc, r.stderr, r.one("tty_nr"), r.one("Seccomp")) == (0, "", "0", "0")
    # Nothing to detach through: a clear error, never success.
    r = run_ns(["/bin/sh", "-c", f"exec {gosu.path} --detach-tty user {gosu.probe} </dev/null"], **DB,
               tty=True, setup=dev_with(None))
    assert (r.rc, r.out, r.stderr) == (1, b"", "error: failed switching to 'user': cannot detach from "
                                       "the terminal: not on fds 0-2, and /dev/tty: no such file or "
                                       "directory\n")


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
