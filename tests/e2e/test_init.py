"""--init (behaviour.md §12): the init in PID namespaces, as PID 1 and not,
and side by side with Debian's tini in front of plain gosu wherever the two
are meant to agree. Where they differ on purpose, the tini case asserts
tini's own result, so each difference is shown, not assumed."""

import os
import select
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from types import SimpleNamespace

import pytest

from conftest import IS_ROOT, _prepare_namespace, run_ns

PASSWD = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
GROUP = "root:x:0:\nuser:x:1000:\n"
FILES = {"passwd": PASSWD.encode(), "group": GROUP.encode()}
DB = dict(passwd=PASSWD, group=GROUP, env={"PATH": "/usr/bin:/bin"})
PIDNS = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]
TINI = shutil.which("tini")
SIGRT = 40  # a real-time signal, past the ones the C libraries keep

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="needs root: switches users in namespaces")
needs_tini = pytest.mark.skipif(not TINI, reason="Debian's tini is not installed (apt-get install tini)")


@pytest.fixture(params=["gosu", pytest.param("tini", marks=needs_tini)])
def init(request, gosu):
    """The argv that runs COMMAND as user under an init: gosu's own, or
    tini (running as root) in front of plain gosu. init.name tells which."""
    def argv(*cmd, opts=(), pid1=True):
        if request.param == "gosu":
            return [gosu.path, "--init", *opts, "user", *cmd]
        return [TINI, *([] if pid1 else ["-s"]), "--", gosu.path, *opts, "user", *cmd]
    argv.name = request.param
    argv.gosu = gosu
    return argv


class Running:
    """A command started in the private mount namespace, stdout a pipe."""

    def __init__(self, argv, tty=None, ignore=(), block=(), env=None, all_on_tty=False, **kw):
        out = tty if all_on_tty else subprocess.PIPE
        self.p = subprocess.Popen(
            [str(a) for a in argv], env=env or {"PATH": "/usr/bin:/bin"},
            stdin=tty if tty is not None else subprocess.DEVNULL,
            stdout=out, stderr=out, start_new_session=tty is not None,
            preexec_fn=_prepare_namespace(FILES, None, 0, ignore, block, tty is not None), **kw)
        self.buf = b""
        self.session = tty is not None

    def line(self, timeout=5):
        """The next line of stdout, without its newline."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self.p.stdout], [], [], left)[0], \
                f"no line in {timeout} s; so far {self.buf!r}"
            chunk = os.read(self.p.stdout.fileno(), 4096)
            assert chunk, f"end of output; so far {self.buf!r}"
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode()

    def wait(self, timeout=10):
        rc = self.p.wait(timeout)
        self.err = self.p.stderr.read().decode() if self.p.stderr else ""
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # A stopped job left in the session (tini under Ctrl-Z) too.
        if self.session:
            kill_where(lambda pid: os.getsid(pid) == self.p.pid)
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        for f in (self.p.stdout, self.p.stderr):
            if f:
                f.close()


def kill_where(match):
    """SIGKILL to every process that match(pid) selects."""
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and int(name) != os.getpid() and match(int(name)):
                os.kill(int(name), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            pass


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


def status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f)


def wait_for(what, timeout=5):
    deadline = time.monotonic() + timeout
    while not (v := what()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
    return v


def pid1_of(r):
    """The host's pid of the namespace's PID 1, unshare's child."""
    return wait_for(lambda: children(r.p.pid))[0]


# As PID 1: signals and exit statuses.

def test_sigterm_ends_the_init_as_pid1_at_once(init):
    with Running(PIDNS + init("sleep", "1000")) as r:
        pid1 = pid1_of(r)
        wait_for(lambda: children(pid1))  # COMMAND started
        t = time.monotonic()
        os.kill(pid1, signal.SIGTERM)
        assert r.wait() == 143
        assert time.monotonic() - t < 0.5


def test_without_init_pid1_ignores_sigterm(gosu):
    # What --init is for: shows that the test above can fail.
    with Running(PIDNS + [gosu.path, "user", "sleep", "1000"]) as r:
        pid1 = pid1_of(r)
        wait_for(lambda: status(pid1)["Name"] == "sleep")
        os.kill(pid1, signal.SIGTERM)
        time.sleep(0.5)
        assert r.p.poll() is None
        os.kill(pid1, signal.SIGKILL)
        r.wait()


@pytest.mark.parametrize("script,rc", [
    ("exit 0", 0), ("exit 3", 3), ("exit 255", 255),
    ("kill -KILL $$", 137), ("kill -USR1 $$", 128 + signal.SIGUSR1),
])
def test_exit_status_of_command(init, script, rc):
    # gosu's init reads the number of its own architecture, which under
    # qemu-user is not the host's: MIPS numbers SIGUSR1 16. tini runs natively.
    if init.name == "gosu" and os.environ.get("GOSU_ARCH", "").startswith("mips") and rc == 138:
        rc = 128 + 16
    r = run_ns(PIDNS + init("/bin/sh", "-c", script), **DB)
    assert (r.rc, r.stderr) == (rc, "")


def test_every_signal_reaches_command(init):
    with Running(PIDNS + init(init.gosu.probe, "--signals")) as r:
        pid1 = pid1_of(r)
        assert r.line() == "ready"
        got = []
        for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP, signal.SIGINT,
                    signal.SIGWINCH, signal.SIGQUIT, signal.SIGALRM, SIGRT, 64):
            os.kill(pid1, sig)
            got.append(r.line())
        assert got == [f"sig\t{s:02d}" for s in (10, 12, 1, 2, 28, 3, 14, SIGRT, 64)]
        # Neither passed on nor stopping the init.
        os.kill(pid1, signal.SIGTTIN), os.kill(pid1, signal.SIGTTOU)
        os.kill(pid1, signal.SIGUSR1)
        assert r.line() == "sig\t10"
        assert status(pid1)["State"][0] in "SR"
        os.kill(pid1, signal.SIGTERM)
        assert r.line() == "sig\t15"
        assert r.wait() == 143


# Reaping.

def zombies_after_burst(argv):
    """The zombies in the namespace a second after 50 orphans and a
    double-forked one ended at once, COMMAND then waiting as `sleep`,
    which reaps nothing."""
    script = ("i=0; while [ $i -lt 50 ]; do (sleep 0.3 &); i=$((i+1)); done; "
              "sh -c 'sh -c \"sleep 0.3 &\" &'; exec sleep 100")
    with Running(PIDNS + argv("/bin/sh", "-c", script)) as r:
        pid1 = pid1_of(r)
        time.sleep(1.3)
        procs, todo = [], [pid1]
        while todo:
            procs.append(todo.pop())
            todo += children(procs[-1])
        states = [status(p)["State"][0] for p in procs]
        assert "sleep" in {status(p)["Name"] for p in procs}  # still running
        return states.count("Z")


def test_orphans_leave_no_zombie(init):
    assert zombies_after_burst(init) == 0


def test_without_a_reaper_the_orphans_stay_zombies(gosu):
    # Shows that the test above can fail.
    assert zombies_after_burst(lambda *cmd: [gosu.path, "user", *cmd]) >= 51


def test_command_exiting_among_a_burst_of_orphans_is_seen(init):
    script = "i=0; while [ $i -lt 50 ]; do (sleep 0.2 &); i=$((i+1)); done; sleep 0.2; exit 7"
    for _ in range(5):
        r = run_ns(PIDNS + init("/bin/sh", "-c", script), **DB, timeout=10)
        assert r.rc == 7


def test_not_pid1_orphans_come_to_the_init(init):
    # The orphan's parent, read while it runs, is the init (COMMAND's parent).
    script = ('o=$(sh -c "sleep 3 >/dev/null 2>&1 & echo \\$!"); '
              'echo "$PPID $(cut -d" " -f4 /proc/$o/stat)"; kill $o')
    r = run_ns(init("/bin/sh", "-c", script, pid1=False), **DB)
    init_pid, orphan_parent = r.out.decode().split()
    assert r.rc == 0 and orphan_parent == init_pid


# What the init holds, and what COMMAND gets.

def test_init_runs_as_the_target_without_capabilities(init):
    script = "grep -E '^(Uid|Gid|CapPrm|CapEff|CapAmb|NoNewPrivs):' /proc/1/status"
    r = run_ns(PIDNS + init("/bin/sh", "-c", script, opts=["--no-new-privs"]), **DB)
    st = dict(line.split(":\t") for line in r.out.decode().splitlines())
    if init.name == "tini":  # the difference --init exists for: tini stays root
        assert st["Uid"].split()[0] == "0" and st["CapEff"] != "0000000000000000"
        return
    assert st["Uid"].split() == ["1000"] * 4 and st["Gid"].split() == ["1000"] * 4
    assert st["CapPrm"] == st["CapEff"] == st["CapAmb"] == "0000000000000000"
    assert st["NoNewPrivs"] == "1"


def test_kept_capabilities_reach_command_and_not_the_init(gosu):
    # --keep-caps is for COMMAND: the init, which outlives nothing but
    # COMMAND, drops them after the fork (behaviour.md §12).
    script = ("grep -E '^Cap(Prm|Eff|Amb):' /proc/1/status | sed 's/^/init /';"
              " grep -E '^Cap(Prm|Eff|Amb):' /proc/self/status")
    r = run_ns(PIDNS + [gosu.path, "--init", "--keep-caps=net_bind_service", "user",
                        "/bin/sh", "-c", script], **DB)
    assert (r.rc, r.stderr) == (0, "")
    lines = r.out.decode().split("\n")
    kept = f"{1 << 10:016x}"  # CAP_NET_BIND_SERVICE
    assert lines[:3] == [f"init Cap{s}:\t{0:016x}" for s in ("Prm", "Eff", "Amb")]
    assert lines[3:6] == [f"Cap{s}:\t{kept}" for s in ("Prm", "Eff", "Amb")]


def test_init_holds_no_fd_cwd_or_dumpable(gosu):
    rd, wr = os.pipe()
    os.set_inheritable(wr, True)
    try:
        with Running(PIDNS + [gosu.path, "--init", "user", "/bin/sh", "-c",
                              f"ls /proc/self/fd; echo; cat /proc/1/environ; echo $?; sleep 100"],
                     pass_fds=(wr,), cwd="/tmp") as r:
            pid1 = pid1_of(r)
            command_fds = {r.line() for _ in range(5)}
            assert str(wr) in command_fds  # COMMAND still gets what it was given
            assert r.line() == ""
            assert r.line() == "1"  # not dumpable: its environ is closed to its own user
            assert sorted(os.listdir(f"/proc/{pid1}/fd")) == ["0", "1", "2"]
            assert os.readlink(f"/proc/{pid1}/cwd") == "/"
            assert os.readlink(f"/proc/{children(pid1)[0]}/cwd") == "/tmp"
    finally:
        os.close(rd), os.close(wr)


def sig_bits(*sigs):
    return f"{sum(1 << (s - 1) for s in sigs):016x}"


@pytest.mark.parametrize("ignore,block", [
    ((), ()),
    ((signal.SIGHUP, signal.SIGCHLD, signal.SIGUSR2), (signal.SIGUSR1, signal.SIGTERM, SIGRT)),
])
def test_command_gets_the_callers_mask_and_dispositions(gosu, ignore, block):
    direct = run_ns([gosu.probe], **DB, ignore=ignore, block=block)
    r = run_ns([gosu.path, "--init", "user", gosu.probe], **DB, ignore=ignore, block=block)
    assert r.rc == 0, r.stderr
    assert (r.one("SigBlk"), r.one("SigIgn")) == (direct.one("SigBlk"), direct.one("SigIgn"))
    blk, ign = int(r.one("SigBlk"), 16), int(r.one("SigIgn"), 16)
    assert blk & int(sig_bits(*block), 16) == int(sig_bits(*block), 16)
    assert ign & int(sig_bits(*ignore), 16) == int(sig_bits(*ignore), 16)
    if not block:  # the init's full mask is not left behind
        assert blk == 0
    # As PID 1 too: the same as plain gosu's command gets there.
    plain = run_ns(PIDNS + [gosu.path, "user", gosu.probe], **DB, ignore=ignore, block=block)
    r = run_ns(PIDNS + [gosu.path, "--init", "user", gosu.probe], **DB, ignore=ignore, block=block)
    assert (r.one("SigBlk"), r.one("SigIgn")) == (plain.one("SigBlk"), plain.one("SigIgn"))


def test_caller_ignoring_sigchld_loses_no_status(init):
    # Not in a new PID namespace: unshare would reset SIGCHLD on the way.
    argv = init("/bin/sh", "-c", "exit 9", pid1=False)
    with Running(argv, ignore=(signal.SIGCHLD,)) as r:
        if init.name == "tini":  # the kernel reaped its child: tini waits for ever
            with pytest.raises(subprocess.TimeoutExpired):
                r.wait(timeout=2)
            return
        assert r.wait() == 9


# Exec failures, as without --init.

def not_executable():
    with open("/etc/script", "w") as f:
        f.write("garbage\0\n")
    os.chmod("/etc/script", 0o755)
    with open("/etc/plain", "w") as f:
        f.write("x\n")


@pytest.mark.parametrize("cmd,rc", [
    ("nonexistent-command", 127), ("/etc/nonexistent", 127), ("/etc/plain", 126),
    ("/etc", 126), ("/etc/script", 126),
])
def test_exec_failures_as_without_init(gosu, cmd, rc):
    plain = run_ns([gosu.path, "user", cmd], **DB, setup=not_executable)
    r = run_ns(PIDNS + [gosu.path, "--init", "user", cmd], **DB, setup=not_executable)
    assert (r.rc, r.stderr) == (plain.rc, plain.stderr) == (rc, plain.stderr)
    assert r.stderr.startswith("error: exec")


# --init-grace.

# COMMAND leaves two processes behind, one in its process group and one
# in a session of its own (an orphan of the init's), that take 0.2 s to end
# on SIGTERM, or one that ignores it, and report through a file.
ONE = "trap \"sleep 0.2; echo term >> /tmp/log; exit 0\" TERM; echo up >> /tmp/log; while :; do sleep 0.05; done"
LEFT = (f": > /tmp/log; sh -c '{ONE}' & setsid sh -c '{ONE}' & "
        "while [ $(wc -l < /tmp/log) -lt 2 ]; do sleep 0.01; done; exit 5")
DEAF = ("sh -c 'trap \"\" TERM; echo up >> /tmp/log; sleep 30' & "
        "while [ ! -s /tmp/log ]; do sleep 0.01; done; exit 5")


def grace_run(gosu, opts, script, pid1=True):
    # A directory of this run's own: the clean-up below kills by its name.
    tmp = tempfile.mkdtemp(prefix="gosu-init-grace-")
    os.chmod(tmp, 0o777)
    script = script.replace("/tmp/log", f"{tmp}/log")
    t = time.monotonic()
    try:
        r = run_ns((PIDNS if pid1 else []) + [gosu.path, "--init", *opts, "user", "/bin/sh", "-c", script],
                   **DB, timeout=10)
    except subprocess.TimeoutExpired:
        r = SimpleNamespace(rc="timed out")  # the leftovers, not signalled, held the output
    took = time.monotonic() - t

    def left_behind(pid):  # by a failing init
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return tmp.encode() in f.read()
    kill_where(left_behind)
    with open(f"{tmp}/log") as f:
        log = sorted(f.read().split())
    shutil.rmtree(tmp)
    return r, took, log


@pytest.mark.parametrize("pid1", [True, False])
def test_grace_lets_what_is_left_end(gosu, pid1):
    r, took, log = grace_run(gosu, ["--init-grace=5"], LEFT, pid1)
    assert (r.rc, log) == (5, ["term", "term", "up", "up"])
    assert took < 4.5  # it exits as soon as none is left, not after 5 s


def test_without_grace_the_init_exits_with_command(gosu):
    r, took, log = grace_run(gosu, [], LEFT)
    assert (r.rc, log) == (5, ["up", "up"])


@pytest.mark.parametrize("seconds", [0, 1])
def test_grace_ends_after_seconds(gosu, seconds):
    r, took, log = grace_run(gosu, [f"--init-grace={seconds}"], DEAF)
    assert (r.rc, log) == (5, ["up"])
    assert seconds <= took < seconds + 3


def test_grace_not_pid1_never_signals_the_rest_of_the_system(gosu):
    # A process of the same user outside the init's reach survives.
    bystander = subprocess.Popen(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
                                  "sleep", "30"], start_new_session=True)
    try:
        wait_for(lambda: status(bystander.pid)["Uid"].split()[0] == "1000")
        r, took, log = grace_run(gosu, ["--init-grace=2"], LEFT, pid1=False)
        assert (r.rc, log) == (5, ["term", "term", "up", "up"])
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


@pytest.mark.parametrize("opts,bad", [
    (["--init-grace=5"], "--init-grace=5"),  # without --init
    (["--init", "--init-grace=86401"], "--init-grace=86401"),
    (["--init", "--init-grace=-1"], "--init-grace=-1"),
    (["--init", "--init-grace=1s"], "--init-grace=1s"),
    (["--init", "--init-grace="], "--init-grace="),
    (["--init", "--init-grace=18446744073709551616"], "--init-grace=18446744073709551616"),
])
def test_grace_is_read_strictly(gosu, opts, bad):
    r = run_ns([gosu.path, *opts, "user", "true"], **DB)
    assert r.rc == 1
    assert r.stderr.splitlines()[0] == \
        f'error: invalid option "{bad}": --init-grace=SECONDS wants 0 to 86400 and --init'


# At a terminal.

def stat_fields(text):
    """pid, pgrp, session and the terminal's foreground group, from a stat line."""
    f = text.rsplit(")", 1)[1].split()
    return int(f[2]), int(f[3]), int(f[5])


def test_at_a_terminal_command_is_the_foreground_and_reads_input(init):
    master, slave = os.openpty()
    try:
        script = 'read x; echo "got $x"; echo $$; cat /proc/$$/stat'
        with Running(init("/bin/sh", "-c", script), tty=slave) as r:
            os.write(master, b"hello\n")
            assert r.line() == "got hello"
            pid = int(r.line())
            pgrp, sid, tpgid = stat_fields(r.line())
            assert r.wait() == 0
        # COMMAND (sh) leads a group of its own, and it holds the terminal.
        assert tpgid == pgrp and sid == r.p.pid
        if init.name == "gosu":
            assert pgrp == pid != r.p.pid
    finally:
        os.close(master), os.close(slave)


def test_init_in_the_background_steals_no_terminal(gosu):
    master, slave = os.openpty()
    try:
        script = f"set -m; {gosu.path} --init user cat /proc/self/stat & wait $!"
        with Running(["/bin/sh", "-c", script], tty=slave) as r:
            pgrp, sid, tpgid = stat_fields(r.line())
            assert r.wait() == 0
        # The shell, the session's leader, kept the terminal.
        assert tpgid == sid == r.p.pid != pgrp
    finally:
        os.close(master), os.close(slave)


BASH = shutil.which("bash")


def test_ctrl_z_and_fg_under_an_interactive_shell(init):
    if not BASH:
        pytest.skip("bash is not installed")
    master, slave = os.openpty()
    out = b""

    def expect(what, timeout=5):
        nonlocal out
        deadline = time.monotonic() + timeout
        while what not in out:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([master], [], [], left)[0]:
                return False
            out += os.read(master, 4096)
        out = out[out.index(what) + len(what):]
        return True

    try:
        cmd = shlex.join(map(str, init("/bin/sh", "-c", "read x; echo got-$x; read y; echo got-$y")))
        with Running([BASH, "--norc", "--noprofile", "-i"], tty=slave,
                     env={"PATH": "/usr/bin:/bin", "PS1": "PROMPT> ", "TERM": "dumb"},
                     all_on_tty=True) as r:
            assert expect(b"PROMPT> ")
            os.write(master, cmd.encode() + b"\n")
            time.sleep(0.3)
            os.write(master, b"one\n")
            assert expect(b"got-one")
            os.write(master, b"\x1a")  # Ctrl-Z
            stopped = expect(b"Stopped")
            if init.name == "tini":  # tini stays running: the shell never gets its terminal back
                assert not stopped
                return
            assert stopped and expect(b"PROMPT> ")
            os.write(master, b"echo shell-$((6*7))\n")
            assert expect(b"shell-42")  # the shell has the terminal
            # In the background COMMAND does not get the terminal: its
            # read stops it again, and the init with it.
            os.write(master, b"bg\n")
            time.sleep(0.3)
            os.write(master, b"jobs\n")
            assert expect(b"Stopped")
            os.write(master, b"fg\n")
            time.sleep(0.3)
            os.write(master, b"two\n")
            assert expect(b"got-two")  # COMMAND runs, and has it again
            assert expect(b"PROMPT> ")
            os.write(master, b"exit\n")
            r.wait()
    finally:
        os.close(master), os.close(slave)


def test_a_stop_no_shell_can_continue_leaves_the_init_running(gosu):
    # A script that leads its session (a container's `sh -c`) runs the
    # init, and COMMAND is stopped by a SIGSTOP: no job-control shell is
    # above the init's group, so a stopped init would never be continued
    # and COMMAND's end never reported.
    script = f"{gosu.path} --init user /bin/sh -c 'echo $$; kill -STOP $$; exit 7'; echo rc=$?"
    with Running(["setsid", "/bin/sh", "-c", script]) as r:
        pid = int(r.line())
        wait_for(lambda: status(pid)["State"].startswith("T"))
        time.sleep(0.3)  # time for the init to see COMMAND stopped
        os.kill(pid, signal.SIGCONT)
        assert r.line() == "rc=7"
        assert r.wait() == 0


def test_terminal_guard_covers_command_and_init(gosu):
    # Installed before the fork: COMMAND cannot type into the terminal.
    r = run_ns([gosu.path, "--init", "user", gosu.ttyprobe], **DB, tty=True)
    tries = dict(line.split("\t") for line in r.out.decode().splitlines())
    assert r.rc == 0 and tries["tiocsti"] == tries["tiocsti_high_bits"] == f"E{__import__('errno').EPERM}"
    assert r.injected == b""
    script = "grep -E '^Seccomp:' /proc/$PPID/status /proc/self/status | cut -f2"
    r = run_ns([gosu.path, "--init", "user", "/bin/sh", "-c", script], **DB, tty=True)
    assert r.out.decode().split() == ["2", "2"]
