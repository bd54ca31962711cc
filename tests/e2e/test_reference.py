"""Side by side with Debian's gosu (1.14, the Go original): the same specs,
files and callers through both binaries. The results must match except for
the differences listed in the README, which each test spells out."""

import signal

import pytest

from conftest import CALLER_8888, REFERENCE, Caller, needs_reference, run_ns
from fixtures import FIXTURE_A_FAIL, FIXTURE_A_OK, GROUP_A, PASSWD_A

pytestmark = needs_reference


def both(gosu, *args, **kw):
    ours = run_ns([gosu.path, *args], **kw)
    theirs = run_ns([REFERENCE, *args], **kw)
    return ours, theirs


def go_quoted(spec):
    """Debian's 1.14 quotes the spec with Go's %q; ours, like gosu 1.19, with ''."""
    return '"' + spec.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("spec", FIXTURE_A_OK)
def test_same_switch(gosu, spec):
    ours, theirs = both(gosu, spec, gosu.probe, passwd=PASSWD_A, group=GROUP_A, caller=CALLER_8888)
    assert ours.rc == theirs.rc == 0, (ours.stderr, theirs.stderr)
    assert (ours.uid, ours.gid, ours.home) == (theirs.uid, theirs.gid, theirs.home)
    assert ours.env == theirs.env
    # D1: the primary gid is always in the list; gosu applies only the
    # memberships, and none at all for user:group.
    assert ours.groups == sorted(set(theirs.groups) | {ours.gid[0]})


# Where gosu resolves what we refuse (D2, D10).
GOSU_RUNS = {
    "this is just some garbage data": (0, 0, ""),  # D2: uid and gid 0 from empty fields
    "9223372036854775808": (0, 0, "/root"),  # D10: looked up as a name
    "0:9223372036854775808": (0, 1238, "/root"),  # D10
}
# Where both refuse, with other words (D10: a huge number is no name).
GOSU_SAYS = {
    "99999999999999999999":
        "unable to find user 99999999999999999999: no matching entries in passwd file",
}


@pytest.mark.parametrize("spec", FIXTURE_A_FAIL)
def test_same_refusal(gosu, spec):
    ours, theirs = both(gosu, spec, gosu.probe, passwd=PASSWD_A, group=GROUP_A, caller=CALLER_8888)
    assert ours.rc == 1 and ours.out == b""
    assert ours.stderr == f"error: failed switching to '{spec}': {FIXTURE_A_FAIL[spec]}\n"
    if spec in GOSU_RUNS:
        assert theirs.rc == 0
        assert (theirs.uid[0], theirs.gid[0], theirs.home) == GOSU_RUNS[spec]
        return
    reason = GOSU_SAYS.get(spec, FIXTURE_A_FAIL[spec])
    assert theirs.rc == 1
    assert theirs.stderr == f"error: failed switching to {go_quoted(spec)}: {reason}\n"


def test_malformed_uid_past_32_bits(gosu):
    # D2: gosu truncates 4294967296 to uid 0 and runs the command as root.
    db = dict(passwd="evil:x:4294967296:0::/root:/bin/sh\n", group="")
    ours, theirs = both(gosu, "evil", gosu.probe, **db)
    assert ours.rc == 1 and ours.out == b""
    assert theirs.rc == 0 and theirs.uid == [0] * 4


def test_comment_line(gosu):
    # D2: gosu takes the comment as an entry named "# root" with uid 0.
    db = dict(passwd="# root:x:0:0::/comment:/bin/sh\nroot:x:0:0::/root:/bin/bash\n", group="")
    ours, theirs = both(gosu, "0", gosu.probe, **db)
    assert (ours.rc, ours.home) == (0, "/root")
    assert (theirs.rc, theirs.home) == (0, "/comment")


def test_nis_lines(gosu):
    # D2, D11: gosu takes the NIS exclusion "-app" as an entry with gid 0,
    # and "+wheel" as a group that app is in.
    db = dict(passwd="-app:x:1000:0::/:\napp:x:1000:1000::/home/app:\n",
              group="+wheel:x:0:app\napp:x:1000:\n")
    ours, theirs = both(gosu, "1000", gosu.probe, **db)
    assert (ours.rc, ours.gid, ours.home) == (0, [1000] * 4, "/home/app")
    assert (theirs.rc, theirs.gid, theirs.home) == (0, [0] * 4, "/")
    ours, theirs = both(gosu, "app", gosu.probe, **db)
    assert ours.groups == [1000]
    assert 0 in theirs.groups


def test_long_line(gosu):
    # D3: gosu stops at a line over 64 KiB.
    db = dict(passwd="long:x:1:1:" + "g" * 70000 + ":/:\nroot:x:0:0::/root:\n", group="")
    ours, theirs = both(gosu, "root", gosu.probe, **db)
    assert (ours.rc, ours.home) == (0, "/root")
    assert theirs.rc == 1 and "token too long" in theirs.stderr


PASSWD = "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n"
GROUP = "root:x:0:\napp:x:1000:\na:x:5:app\nb:x:5:app,app\n"


def test_duplicate_groups_applied_once(gosu):
    # D9 (and D1): gosu hands the kernel gid 5 twice, and not 1000.
    ours, theirs = both(gosu, "app", gosu.probe, passwd=PASSWD, group=GROUP)
    assert ours.one("Groups").split() == ["5", "1000"]
    assert theirs.one("Groups").split() == ["5", "5"]


@pytest.mark.parametrize("cmd,ours_rc,message", [
    ("no-such-command", 127, 'error: exec: "no-such-command": executable file not found in $PATH\n'),
    ("/no/such", 127, 'error: exec: "/no/such": stat /no/such: no such file or directory\n'),
    ("/etc/passwd", 126, 'error: exec: "/etc/passwd": permission denied\n'),
])
def test_exec_errors_exit_codes(gosu, cmd, ours_rc, message):
    # D4: 127 and 126 where gosu exits 1; the words are the same.
    ours, theirs = both(gosu, "app", cmd, passwd=PASSWD, group=GROUP, env={"PATH": "/usr/bin:/bin"})
    assert (ours.rc, ours.stderr) == (ours_rc, message)
    assert (theirs.rc, theirs.stderr) == (1, message)


def test_already_the_target_user(gosu):
    # D5: gosu, started as app, fails in setgroups; ours runs the command.
    ours, theirs = both(gosu, "app", gosu.probe, passwd=PASSWD, group=GROUP,
                        caller=Caller(1000, 1000, (1000, 5)))
    assert ours.rc == 0 and ours.uid == [1000] * 4
    assert theirs.rc == 1
    assert theirs.stderr == 'error: failed switching to "app": operation not permitted\n'


def test_signals_and_parent_death_signal(gosu):
    # D6: gosu's Go runtime resets ignored signals, and the kernel clears the
    # parent-death signal when the ids change; ours passes both on.
    kw = dict(passwd=PASSWD, group=GROUP, ignore=(signal.SIGUSR1, signal.SIGPIPE), pdeathsig=signal.SIGTERM)
    direct = run_ns([gosu.probe], **kw)
    ours, theirs = both(gosu, "app", gosu.probe, **kw)
    assert ours.one("SigIgn") == direct.one("SigIgn")
    assert int(ours.one("pdeathsig")) == signal.SIGTERM
    assert theirs.one("SigIgn") != direct.one("SigIgn")
    assert int(theirs.one("pdeathsig")) == 0


def test_capabilities_kept_by_securebits(gosu):
    # Ours clears every capability on leaving root; with no_setuid_fixup,
    # gosu passes an ambient capability to the lesser user.
    wrap = ["setpriv", "--securebits=+no_setuid_fixup", "--inh-caps=+net_raw", "--ambient-caps=+net_raw", "--"]
    ours = run_ns([*wrap, gosu.path, "app", gosu.probe], passwd=PASSWD, group=GROUP)
    theirs = run_ns([*wrap, REFERENCE, "app", gosu.probe], passwd=PASSWD, group=GROUP)
    assert int(ours.one("CapAmb"), 16) == 0 and int(ours.one("CapEff"), 16) == 0
    assert int(theirs.one("CapAmb"), 16) == 1 << 13  # CAP_NET_RAW


def test_without_proc(gosu):
    # D7: gosu cannot run at all without /proc; ours needs it for nothing.
    from test_setid import copy_with_mode
    import shutil

    def setup():
        shutil.copy(REFERENCE, "/etc/gosu-ref")
        copy_with_mode(gosu, 0o755, without_proc=True)()
    ours = run_ns(["/etc/gosu", "app", "/bin/true"], passwd=PASSWD, group=GROUP, setup=setup, env={"PATH": "/bin"})
    theirs = run_ns(["/etc/gosu-ref", "app", "/bin/true"], passwd=PASSWD, group=GROUP, setup=setup,
                    env={"PATH": "/bin"})
    assert (ours.rc, ours.stderr) == (0, "")
    assert theirs.rc == 1 and "/proc/self/exe" in theirs.stderr


def test_directory_as_command(gosu):
    # Go 1.19's lookup says "permission denied" for a directory; newer Go,
    # like ours, "is a directory".
    ours, theirs = both(gosu, "app", "/etc", passwd=PASSWD, group=GROUP)
    assert (ours.rc, ours.stderr) == (126, 'error: exec: "/etc": is a directory\n')
    assert (theirs.rc, theirs.stderr) == (1, 'error: exec: "/etc": permission denied\n')
