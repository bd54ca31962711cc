"""End-to-end harness: runs the real binary, as root, each case in a private
mount namespace with a tmpfs over /etc that holds the case's own files. The
host's /etc is never read or written."""

import ctypes
import fcntl
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import termios
import tty as ttymod
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import nscheck  # noqa: E402  (tests/nscheck.py, shared with tests/examples)

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = os.geteuid() == 0
REFERENCE = "/usr/sbin/gosu"  # Debian's gosu, the Go original

NEEDS_ROOT = "needs root: switches users inside private mount namespaces"
needs_root = pytest.mark.skipif(not IS_ROOT, reason=NEEDS_ROOT)


def pytest_sessionstart(session):
    if IS_ROOT:
        nscheck.exit_without_namespace()


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    n = sum(1 for r in skipped if "needs root" in str(r.longrepr))
    if n:
        terminalreporter.write_line(f"{n} cases skipped: needs root (they switch users inside "
                                    "private mount namespaces); run as root for the whole suite")
needs_reference = pytest.mark.skipif(
    not os.path.exists(REFERENCE), reason="Debian's gosu is not installed (apt-get install gosu)")

def pytest_configure(config):
    # Set by tests/cross/emulation.py when the binary runs under qemu-user.
    config.addinivalue_line("markers", "not_emulated(kind): a case qemu-user cannot run")


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
CLONE_NEWNS = 0x00020000
MS_REC, MS_PRIVATE, MS_NOSUID, MS_BIND, MS_MOVE = 0x4000, 0x40000, 0x2, 0x1000, 0x2000
PR_SET_PDEATHSIG = 1
MNT_DETACH = 2


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags=0, data=None):
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       flags, data and data.encode()), f"mount {target}")


def set_pdeathsig(sig):
    _check(_libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0), "prctl")


@pytest.fixture(scope="session")
def bindir():
    """The binaries under test, copied where every test user can run them."""
    d = Path(tempfile.mkdtemp(prefix="gosu-e2e-"))
    d.chmod(0o755)
    gosu = Path(os.environ.get("GOSU_BINARY", ROOT / "gosu"))
    for src, name in ((gosu, "gosu"), (ROOT / "build" / "probe", "probe"),
                      (ROOT / "build" / "execwith", "execwith"), (ROOT / "build" / "ttyprobe", "ttyprobe")):
        shutil.copy(src, d / name)
        (d / name).chmod(0o755)
    yield d
    shutil.rmtree(d)


@dataclass
class Caller:
    """Who starts gosu. Root by default; otherwise real ids with, if caps, the
    ambient CAP_SETUID and CAP_SETGID that let a non-root caller switch."""
    uid: int = 0
    gid: int = 0
    groups: tuple = ()
    caps: bool = False

    def wrap(self, argv):
        if self.uid == 0 and self.gid == 0 and not self.groups:
            return argv
        w = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}"]
        w += [f"--groups={','.join(map(str, self.groups))}"] if self.groups else ["--clear-groups"]
        if self.caps:
            w += ["--inh-caps=+setuid,+setgid", "--ambient-caps=+setuid,+setgid"]
        return w + ["--"] + argv


ROOT_CALLER = Caller()
# The caller of conformance.md's tables: ids 8888, allowed to switch.
CALLER_8888 = Caller(8888, 8888, (8888,), caps=True)


@dataclass
class Result:
    rc: int
    out: bytes
    err: bytes
    pid: int = 0
    injected: bytes = b""  # what reached the terminal's input, with tty=True
    _probe: dict = field(default=None, repr=False)

    @property
    def stderr(self):
        return self.err.decode(errors="surrogateescape")

    @property
    def probe(self):
        """What the probe reported: key -> list of values."""
        if self._probe is None:
            self._probe = {}
            for line in self.out.decode(errors="surrogateescape").splitlines():
                k, _, v = line.partition("\t")
                self._probe.setdefault(k, []).append(v)
        return self._probe

    def one(self, key):
        return self.probe[key][0]

    @property
    def uid(self):
        return [int(x) for x in self.one("Uid").split()]

    @property
    def gid(self):
        return [int(x) for x in self.one("Gid").split()]

    @property
    def groups(self):
        return sorted(int(x) for x in self.one("Groups").split())

    @property
    def env(self):
        return self.probe.get("env", [])

    @property
    def home(self):
        homes = [e[5:] for e in self.env if e.startswith("HOME=")]
        assert len(homes) == 1, homes
        return homes[0]


def _prepare_namespace(files, setup, pdeathsig, ignore, block, ctty=False):
    def run():
        if ctty:  # the new session's controlling terminal: stdin, a pty
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        _check(_libc.unshare(CLONE_NEWNS), "unshare")
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        mount("gosu-test", "/etc", "tmpfs", 0, "mode=755")
        for name, content in files.items():
            with open(os.path.join("/etc", name), "wb") as f:
                f.write(content)
        if setup:
            setup()
        for sig in ignore:
            signal.signal(sig, signal.SIG_IGN)
        if block:
            signal.pthread_sigmask(signal.SIG_BLOCK, block)
        if pdeathsig:
            set_pdeathsig(pdeathsig)
    return run


def run_ns(argv, passwd=None, group=None, files=None, caller=ROOT_CALLER, env=None,
           setup=None, pdeathsig=0, ignore=(), block=(), timeout=20, tty=False, **kw):
    """Runs argv in a fresh mount namespace whose /etc holds only the given
    files (passwd and group: text or bytes; None leaves the file out), in a
    new session: without tty it has no controlling terminal, whatever this
    process has. With tty, a fresh pty on stdin is the session's controlling
    terminal, and this process (another session) holds it open too, as a
    shell does. With tty="own" this process keeps only the master side, as
    `docker run -t` does, and the command opens the terminal itself: its
    path is in $TTY (see test_ttyguard.own_terminal). What the command typed
    into the terminal is read back afterwards."""
    if not IS_ROOT:
        pytest.skip(NEEDS_ROOT)
    all_files = dict(files or {})
    for name, content in (("passwd", passwd), ("group", group)):
        if content is not None:
            all_files[name] = content.encode() if isinstance(content, str) else content
    if env is None:
        env = {"PATH": "/usr/bin:/bin"}
    stdin, pty, ctty = subprocess.DEVNULL, None, False
    if tty:
        master, slave = pty = os.openpty()
        ttymod.setraw(slave)  # typed bytes are readable at once, no line editing
        if tty == "own":
            env = {**env, "TTY": os.ttyname(slave)}
            os.close(slave)
            pty = (master, None)
        else:
            stdin = ctty = slave
    try:
        p = subprocess.Popen(
            caller.wrap([str(a) for a in argv]), env=env, stdin=stdin,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=_prepare_namespace(all_files, setup, pdeathsig, ignore, block, ctty is not False),
            close_fds=True, **kw)
        out, err = p.communicate(timeout=timeout)
        result = Result(p.returncode, out, err, p.pid)
        if pty:
            slave = pty[1] if pty[1] is not None else os.open(env["TTY"], os.O_RDWR | os.O_NOCTTY)
            pty = (pty[0], slave)
            os.set_blocking(slave, False)
            try:
                result.injected = os.read(slave, 4096)
            except BlockingIOError:
                pass
        return result
    finally:
        if pty:
            for fd in pty:
                if fd is not None:
                    os.close(fd)


@pytest.fixture
def gosu(bindir):
    """gosu(spec, *command, **run_ns options); the command defaults to the probe."""
    def call(*args, binary=None, **kw):
        cmd = list(args) if len(args) > 1 else [args[0], bindir / "probe"]
        return run_ns([binary or bindir / "gosu", *cmd], **kw)
    call.bindir = bindir
    call.probe = bindir / "probe"
    call.path = bindir / "gosu"
    call.execwith = bindir / "execwith"
    call.ttyprobe = bindir / "ttyprobe"
    return call
