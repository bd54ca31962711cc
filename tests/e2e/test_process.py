"""What COMMAND inherits (behaviour.md §5, §6): HOME and the rest of the
environment, signals, the parent-death signal, capabilities, the PID, file
descriptors and the rest of the process state."""

import os
import signal
import subprocess
import time

import pytest

from conftest import CALLER_8888, Caller, needs_root, run_ns

PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "app:x:1000:1000:app:/home/app:/bin/sh\n"
          "nohome:x:1001:1001:no home::/bin/sh\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
GROUP = "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n"
DB = dict(passwd=PASSWD, group=GROUP)


def through_execwith(gosu, env_entries, *args, **kw):
    """gosu started with exactly these environment entries, in this order."""
    argv = [gosu.execwith]
    for e in env_entries:
        argv += ["-e", e]
    return run_ns([*argv, "--", gosu.path, *args], **DB, **kw)


def test_home_replaced_in_place_of_all_home_entries(gosu):
    r = through_execwith(gosu, ["A=1", "HOME=/x", "B=2", "HOME=/y", "C=3"], "app", gosu.probe)
    assert r.rc == 0, r.stderr
    assert r.env == ["A=1", "B=2", "C=3", "HOME=/home/app"]


def test_home_set_when_absent_and_slash_without_entry(gosu):
    r = through_execwith(gosu, ["A=1"], "4242", gosu.probe)
    assert r.env == ["A=1", "HOME=/"]


def test_empty_home_field_gives_empty_home(gosu):
    r = through_execwith(gosu, ["HOME=/root"], "nohome", gosu.probe)
    assert r.env == ["HOME="]


def test_every_other_entry_passes_unchanged(gosu):
    entries = ["PATH=/usr/bin", "A=1", "A=2", "EMPTY=", "NOEQUALS", "=weird", "HOMEX=/h",
               "USER=root", "LOGNAME=root", "SHELL=/bin/bash", "U=\u00fc\u20ac", "LD_PRELOAD=/x.so"]
    r = through_execwith(gosu, entries, "app", gosu.probe)
    assert r.rc == 0, r.stderr
    assert r.env == entries + ["HOME=/home/app"]


def test_empty_environment(gosu):
    r = through_execwith(gosu, [], "app", gosu.probe)
    assert (r.rc, r.env) == (0, ["HOME=/home/app"])


def test_supplementary_groups_primary_first(gosu):
    r = gosu("app", **DB)
    assert (r.uid, r.gid, r.groups) == ([1000] * 4, [1000] * 4, [1000, 2000])


def caps(r):
    return {k: int(r.one(k), 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")}


def test_no_capability_survives_a_switch_to_non_root(gosu):
    r = gosu("app", **DB)
    assert caps(r) == dict(CapInh=0, CapPrm=0, CapEff=0, CapAmb=0)


def test_ambient_capabilities_of_the_caller_do_not_survive(gosu):
    # The caller holds CAP_SETUID and CAP_SETGID as ambient capabilities.
    r = gosu("app", **DB, caller=CALLER_8888)
    assert r.rc == 0, r.stderr
    assert caps(r) == dict(CapInh=0, CapPrm=0, CapEff=0, CapAmb=0)


KEEP_CAPS = ["setpriv", "--securebits=+no_setuid_fixup", "--inh-caps=+net_raw", "--ambient-caps=+net_raw", "--"]


def test_capabilities_dropped_even_with_securebits_keeping_them(gosu):
    # With no_setuid_fixup the kernel keeps the capabilities on leaving uid
    # 0, and an ambient one would reach the command (Debian's gosu lets it).
    r = run_ns([*KEEP_CAPS, gosu.path, "app", gosu.probe], **DB)
    assert r.rc == 0, r.stderr
    assert r.uid == [1000] * 4
    assert caps(r) == dict(CapInh=0, CapPrm=0, CapEff=0, CapAmb=0)


SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED = 1 << 2, 1 << 5


def with_securebits(gosu, bits, spec="app"):
    return run_ns(["setpriv", f"--securebits={bits}", "--", gosu.path, spec, gosu.probe], **DB)


def test_securebit_no_setuid_fixup_does_not_reach_the_command(gosu):
    # Left set, a setuid program of the command's that drops root would
    # keep its capabilities.
    r = with_securebits(gosu, "+no_setuid_fixup")
    assert (r.rc, r.stderr, r.uid) == (0, "", [1000] * 4)
    assert int(r.one("securebits")) == 0
    assert caps(r) == dict(CapInh=0, CapPrm=0, CapEff=0, CapAmb=0)


def test_other_securebits_are_left_as_they_were(gosu):
    r = with_securebits(gosu, "+no_setuid_fixup,+keep_caps_locked")
    assert (r.rc, r.stderr) == (0, "")
    assert int(r.one("securebits")) == SECBIT_KEEP_CAPS_LOCKED
    # Root keeps what it has: nothing is dropped for it.
    r = with_securebits(gosu, "+no_setuid_fixup", spec="root")
    assert (r.rc, int(r.one("securebits"))) == (0, SECBIT_NO_SETUID_FIXUP)


def test_locked_securebit_no_setuid_fixup_is_refused(gosu):
    r = with_securebits(gosu, "+no_setuid_fixup,+no_setuid_fixup_locked")
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == "error: failed switching to 'app': securebit no_setuid_fixup is locked\n"


def test_root_keeps_its_capabilities(gosu):
    r = gosu("root", **DB)
    assert int(r.one("CapEff"), 16) != 0


def test_same_pid_and_no_child_left(gosu):
    r = gosu("app", **DB)
    assert int(r.one("pid")) == r.pid  # Popen's child is the probe itself
    assert int(r.one("ppid")) == os.getpid()


@needs_root
def test_long_running_command_is_the_process(gosu):
    from conftest import _prepare_namespace
    p = subprocess.Popen([gosu.path, "app", "/bin/sleep", "1000"], env={"PATH": "/bin"},
                         preexec_fn=_prepare_namespace({"passwd": PASSWD.encode(), "group": GROUP.encode()},
                                                       None, 0, (), ()))
    try:
        for _ in range(200):
            with open(f"/proc/{p.pid}/comm") as f:
                if f.read().strip() == "sleep":
                    break
            time.sleep(0.01)
        with open(f"/proc/{p.pid}/comm") as f:
            assert f.read().strip() == "sleep"
        with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
            assert f.read().strip() == ""
        with open(f"/proc/{p.pid}/status") as f:
            assert "Uid:\t1000\t1000\t1000\t1000" in f.read()
        os.kill(p.pid, signal.SIGTERM)  # reaches sleep itself
        assert p.wait(timeout=5) == -signal.SIGTERM
    finally:
        if p.poll() is None:
            p.kill()


def test_ignored_and_blocked_signals_pass_on(gosu):
    kw = dict(ignore=(signal.SIGUSR1, signal.SIGHUP, signal.SIGINT), block=(signal.SIGUSR2, signal.SIGTERM))
    direct = run_ns([gosu.probe], **DB, **kw)
    r = gosu("app", **DB, **kw)
    ign, blk = int(r.one("SigIgn"), 16), int(r.one("SigBlk"), 16)
    for s in (signal.SIGUSR1, signal.SIGHUP, signal.SIGINT):
        assert ign & (1 << (s - 1))
    for s in (signal.SIGUSR2, signal.SIGTERM):
        assert blk & (1 << (s - 1))
    assert (r.one("SigIgn"), r.one("SigBlk")) == (direct.one("SigIgn"), direct.one("SigBlk"))


def test_parent_death_signal_restored(gosu):
    r = gosu("app", **DB, pdeathsig=signal.SIGUSR1)
    assert r.rc == 0 and int(r.one("pdeathsig")) == signal.SIGUSR1
    r = gosu("app", **DB)
    assert int(r.one("pdeathsig")) == 0


def test_process_state_is_left_alone(gosu):
    def limits():
        import resource
        resource.setrlimit(resource.RLIMIT_NOFILE, (321, 321))
        os.umask(0o027)
    direct = run_ns([gosu.probe], **DB, setup=limits, cwd="/tmp")
    r = gosu("app", **DB, setup=limits, cwd="/tmp")
    for key in ("nofile", "umask", "cwd", "fd"):
        assert r.probe[key] == direct.probe[key], key
    assert r.probe["nofile"] == ["321"] and r.probe["umask"] == ["027"]


def test_no_descriptor_of_ours_reaches_the_command(gosu):
    r = gosu("app", **DB)
    assert r.probe["fd"] == ["0", "1", "2"]


def test_inherited_descriptors_stay_open(gosu):
    rd, wr = os.pipe()
    os.set_inheritable(wr, True)
    try:
        r = gosu("app", **DB, pass_fds=(wr,))
        assert str(wr) in r.probe["fd"]
    finally:
        os.close(rd), os.close(wr)


@pytest.mark.parametrize("spec", ["app", "1000", "app:", ":"])
def test_already_the_target_user_just_runs(gosu, spec):
    # Started as app with no privileges at all: nothing to change (D5).
    r = gosu(spec, **DB, caller=Caller(1000, 1000, (1000, 2000)))
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, r.groups) == ([1000] * 4, [1000] * 4, [1000, 2000])


def test_already_the_target_explicit_group(gosu):
    r = gosu("1000:1000", **DB, caller=Caller(1000, 1000, (1000,)))
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, r.groups) == ([1000] * 4, [1000] * 4, [1000])


def test_non_root_caller_gets_a_hint(gosu):
    r = gosu("root", **DB, caller=Caller(1000, 1000, (1000, 2000)))
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == ("error: failed switching to 'root': operation not permitted\n"
                        "error: switching users needs root, or CAP_SETUID and CAP_SETGID: start gosu as root\n")


MANY_PASSWD = "many:x:1000:1000::/home/many:/bin/sh\n"
MANY_GROUP = "".join(f"g{g}:x:{g}:many\n" for g in range(3000, 3100))
MANY = (1000, *range(3000, 3100))


def test_already_the_target_user_with_many_groups_just_runs(gosu):
    # The caller's list is read back in full, however long, before it is
    # compared.
    r = gosu("many", passwd=MANY_PASSWD, group=MANY_GROUP, caller=Caller(1000, 1000, MANY))
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, sorted(r.groups)) == ([1000] * 4, [1000] * 4, sorted(MANY))


def kept(diff):
    return f"warning: kept the caller's groups: the target's {diff}\n"


@pytest.mark.parametrize("extra", [(4000,), (4000, 4001), tuple(range(4000, 4200))],
                         ids=["one_more", "two_more", "200_more"])
def test_caller_with_more_groups_than_the_target_keeps_its_own(gosu, extra):
    # Same uid and gid, more groups than the target has (longer than the
    # first read of the list expects), and no CAP_SETGID: the caller's
    # groups stay, and the command gains nothing the caller lacks.
    r = gosu("many", passwd=MANY_PASSWD, group=MANY_GROUP, caller=Caller(1000, 1000, MANY + extra))
    assert r.rc == 0
    assert r.groups == sorted(MANY + extra)
    assert r.stderr == kept(" ".join(f"+{g}" for g in extra))


def test_docker_run_user_keeps_the_callers_groups(gosu):
    # docker run --user 1000:1000 IMG gosu app id: the groups are [1000],
    # app's list is [1000, 2000].
    r = gosu("app", **DB, caller=Caller(1000, 1000, (1000,)))
    assert (r.rc, r.uid, r.gid, r.groups) == (0, [1000] * 4, [1000] * 4, [1000])
    assert r.stderr == kept("-2000")


def test_kubernetes_fs_group_keeps_the_callers_groups(gosu):
    # runAsUser: 1000, fsGroup: 3000; and a group of app's missing.
    r = gosu("app", **DB, caller=Caller(1000, 1000, (1000, 3000)))
    assert (r.rc, r.uid, r.groups) == (0, [1000] * 4, [1000, 3000])
    assert r.stderr == kept("-2000 +3000")
    # An explicit group part is a list of its own: [1000].
    r = gosu("app:app", **DB, caller=Caller(1000, 1000, (1000, 3000)))
    assert (r.rc, r.groups, r.stderr) == (0, [1000, 3000], kept("+3000"))


def test_already_the_target_with_cap_setgid_gets_the_targets_groups(gosu):
    # It can change groups: so it does, and says nothing.
    r = gosu("app", **DB, caller=Caller(1000, 1000, (1000, 3000), caps=True))
    assert (r.rc, r.stderr) == (0, "")
    assert (r.uid, r.gid, r.groups) == ([1000] * 4, [1000] * 4, [1000, 2000])
    assert caps(r) == dict(CapInh=0, CapPrm=0, CapEff=0, CapAmb=0)


def user_namespace_denying_setgroups():
    """The command as uid and gid 1000 (root outside) of a new user
    namespace where setgroups is denied, with every capability there."""
    from conftest import _check, _libc
    os.setgroups([0])
    _check(_libc.unshare(0x10000000), "unshare(CLONE_NEWUSER)")
    for name, text in (("setgroups", "deny"), ("uid_map", "1000 0 1"), ("gid_map", "1000 0 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def test_setgroups_denied_in_a_user_namespace_keeps_the_callers_groups(gosu):
    # CAP_SETGID, but /proc/self/setgroups says deny. Root's group 0
    # outside is 1000 inside.
    r = gosu("app", **DB, setup=user_namespace_denying_setgroups)
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, r.groups) == ([1000] * 4, [1000] * 4, [1000])
    assert r.stderr == kept("-2000")
    assert caps(r) == dict(CapInh=0, CapPrm=0, CapEff=0, CapAmb=0)


def test_other_gid_with_other_groups_still_cannot_switch(gosu):
    # The uid is the target's, the gid is not: that needs CAP_SETGID.
    r = gosu("app", **DB, caller=Caller(1000, 1001, (1001,)))
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == ("error: failed switching to 'app': operation not permitted\n"
                        "error: switching users needs root, or CAP_SETUID and CAP_SETGID: start gosu as root\n")
