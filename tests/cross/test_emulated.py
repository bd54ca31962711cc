"""Under qemu-user, what the emulator cannot do is replaced by the
documented fallback, checked here (tests/cross/emulation.py skips the
end-to-end cases that need the real thing). Run natively, these are skipped:
tests/e2e checks the real thing."""

import os
import shutil
import signal
import sys

import pytest

from crossenv import ROOT, binary_under_test, emulator

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from conftest import Caller, bindir, gosu, mount, run_ns  # noqa: E402,F401 (fixtures of tests/e2e)

EMU = emulator()
pytestmark = pytest.mark.skipif(EMU is None, reason="runs natively: tests/e2e checks the real thing")

PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "user:x:1000:1000:user:/home/user:/bin/sh\n")
GROUP = "root:x:0:\nuser:x:1000:\nextra:x:2000:user\n"
DB = dict(passwd=PASSWD, group=GROUP, env={"PATH": "/usr/bin:/bin"})
USER = Caller(1000, 1000, (1000, 2000))
NO_SYS_ADMIN = ["setpriv", "--bounding-set=-sys_admin", "--"]


@pytest.mark.parametrize("wrap", [[], NO_SYS_ADMIN], ids=["cap_sys_admin", "no_cap_sys_admin"])
def test_terminal_guard_is_left_out_silently_by_default(gosu, wrap):
    # behaviour.md §9: when the filter cannot be installed, by default the
    # terminal is left as it is and nothing is said.
    r = run_ns([*wrap, gosu.path, "user", gosu.probe], **DB, tty=True)
    assert (r.rc, r.stderr) == (0, "")
    assert (r.one("Seccomp"), r.one("NoNewPrivs"), r.one("tty")) == ("0", "0", "yes")
    assert (r.uid, r.gid, r.groups) == ([1000] * 4, [1000] * 4, [1000, 2000])


@pytest.mark.parametrize("wrap", [[], NO_SYS_ADMIN], ids=["cap_sys_admin", "no_cap_sys_admin"])
def test_required_terminal_guard_fails_closed(gosu, wrap):
    # --tty-guard: fail if the filter cannot be installed; COMMAND never runs.
    r = run_ns([*wrap, gosu.path, "--tty-guard", "user", gosu.probe], **DB, tty=True)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == "error: failed switching to 'user': cannot install the terminal guard: invalid argument\n"


def test_other_options_still_work_without_the_guard(gosu):
    r = run_ns([gosu.path, "--no-new-privs", "--detach-tty", "user", gosu.probe], **DB, tty=True)
    assert (r.rc, r.stderr) == (0, "")
    assert (r.one("Seccomp"), r.one("NoNewPrivs"), r.one("tty")) == ("0", "1", "No such device or address")


def test_home_replaced_and_the_rest_passed_on_as_a_set(gosu):
    # Distinct names only: qemu-user itself merges duplicates and reorders.
    entries = ["PATH=/usr/bin", "A=1", "HOME=/x", "EMPTY=", "HOMEX=/h", "USER=root",
               "U=\u00fc\u20ac", "LD_PRELOAD=/x.so", "LONG=" + "v" * 5000]
    argv = [gosu.execwith]
    for e in entries:
        argv += ["-e", e]
    r = run_ns([*argv, "--", gosu.path, "user", gosu.probe], **DB)
    assert r.rc == 0, r.stderr
    want = [e for e in entries if not e.startswith("HOME=")] + ["HOME=/home/user"]
    assert sorted(r.env) == sorted(want)


def test_parent_death_signal_restored_with_ignored_signals(gosu):
    # The half of the signal case that qemu-user does not get in the way of.
    r = gosu("user", **DB, ignore=(signal.SIGUSR1, signal.SIGPIPE), pdeathsig=signal.SIGTERM)
    assert r.rc == 0, r.stderr
    assert int(r.one("pdeathsig")) == signal.SIGTERM


def setuid_copy(gosu, mode):
    def setup():
        shutil.copy(gosu.path, "/etc/gosu")  # /etc: this case's own tmpfs, not nosuid
        os.chown("/etc/gosu", 0, 0)
        os.chmod("/etc/gosu", mode)
    return setup


@pytest.mark.parametrize("mode", [0o4755, 0o2755, 0o6755])
def test_setid_copy_gains_nothing(request, gosu, mode):
    # binfmt_misc without 'C' runs the emulator with the caller's own ids:
    # whether or not gosu sees the bit, the copy holds no privilege.
    if "setid" not in getattr(request.config, "_gosu_limits", {"setid"}):
        pytest.skip("the setid copy is refused as on real hardware: tests/e2e/test_setid.py runs")
    r = run_ns(["/etc/gosu", "root", gosu.probe], **DB, caller=USER, setup=setuid_copy(gosu, mode))
    assert (r.rc, r.out) == (1, b"")
    assert "operation not permitted" in r.stderr
    r = run_ns(["/etc/gosu", "user", gosu.probe], **DB, caller=USER, setup=setuid_copy(gosu, mode))
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid) == ([1000] * 4, [1000] * 4)
    assert int(r.one("CapEff"), 16) == int(r.one("CapPrm"), 16) == 0


def test_emulator_is_the_one_expected():
    # The binary really ran through qemu (the e2e results are about it).
    assert "qemu" in EMU.interpreter or "qemu" in EMU.name
    assert binary_under_test().exists()


def test_map_ids_without_mount_ids_writes_nothing_and_walks_nothing(gosu):
    # behaviour.md §11: with no way to tell a bind-mounted file from /etc's
    # own, nothing is written, the command runs with the planned ids, and
    # one line says so; the home is not walked either.
    passwd = PASSWD + "app:x:999:999::/home/app:/bin/sh\n"
    group = GROUP + "app:x:999:\n"
    def setup():  # the home's repair must never reach the host's /home
        mount("home", "/home", "tmpfs", 0, "mode=755")
        os.makedirs("/home/app")
        os.chown("/home/app", 999, 999)
    r = run_ns([gosu.path, "--map-ids=1001:1002", "app", gosu.probe], passwd=passwd, group=group,
               env={"PATH": "/usr/bin:/bin"}, setup=setup)
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, r.groups) == ([1001] * 4, [1002] * 4, [1002])
    assert ("warning: --map-ids: the user database could not be updated (the kernel tells no "
            "mount ids): whoami, ssh and initdb will not know uid 1001\n") in r.stderr
    assert "cannot change the owner of \"/home/app\": function not implemented" in r.stderr
