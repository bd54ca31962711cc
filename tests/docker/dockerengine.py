"""A Docker engine of the suite's own, and the only way the tests speak to it.

dockerd runs in a new network namespace holding nothing but loopback, with
its data-root, exec-root, pidfile, socket and configuration in a temporary
directory of this run, no bridge and no iptables rules; it is stopped at the
end. Every command goes through Docker.argv(): `run` and `create` always get
`--network none --pull never`, `build` always `--network none`, and the
subcommands that would reach a registry are refused. Every image is made
here: Debian from an mmdebstrap tarball (cached under /var/cache/gosu-test,
the one thing runs share, built under a lock) and BusyBox from the static
binary. An image name that was not built here fails at once: --pull never,
and a daemon with no route anywhere."""

import contextlib
import ctypes
import fcntl
import io
import os
import re
import select
import shutil
import signal
import subprocess
import tarfile
import tempfile
import termios
import time
from pathlib import Path

DOCKER = "/usr/bin/docker"   # Debian's client; another may come first in PATH
DOCKERD = "/usr/sbin/dockerd"
CACHE = Path(os.environ.get("GOSU_TEST_CACHE", "/var/cache/gosu-test"))
DEBIAN_TAR = CACHE / "debian-bookworm-minbase.tar"
MIRROR = "deb http://deb.debian.org/debian bookworm main"
BUSYBOX = "/bin/busybox"     # busybox-static

# Leaves out what no test reads, so the tarball and the import stay small.
MMDEBSTRAP = ["mmdebstrap", "--quiet", "--variant=minbase", "--format=tar"] + [
    f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale", "info")]

REFUSED = {"pull", "push", "login", "logout", "search", "network", "container", "image",
           "buildx", "builder", "compose", "context", "swarm", "service", "stack", "plugin",
           "trust", "manifest"}
ISOLATION = {"run": ["--network", "none", "--pull", "never"],
             "create": ["--network", "none", "--pull", "never"],
             "build": ["--network", "none"]}


_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


class Unavailable(Exception):
    """dockerd cannot run here; the message is one line."""


class Engine:
    """A dockerd of this run. start() raises Unavailable with the reason."""

    def __init__(self):
        # Short: the engine's unix sockets live below it (108 bytes at most).
        self.dir = Path(tempfile.mkdtemp(prefix="gosu-dockerd-", dir="/tmp"))
        self.socket = self.dir / "docker.sock"
        self.log = self.dir / "dockerd.log"
        self.proc = None
        self.driver = None

    def start(self):
        (self.dir / "daemon.json").write_text("{}\n")
        errors = []
        for driver in ("overlay2", "vfs"):
            try:
                self._start(driver)
                self.driver = driver
                return
            except Unavailable as e:
                errors.append(f"{driver}: {e}")
        raise Unavailable("; ".join(errors))

    def _start(self, driver):
        data = self.dir / "data"
        if data.exists():  # what a failed driver left behind
            shutil.rmtree(data, ignore_errors=True)
        argv = [
            "unshare", "--net", "--mount", "--propagation", "private", "--",
            "/bin/sh", "-ec", 'ip link set lo up; exec "$@"', "sh",
            DOCKERD, "--host", f"unix://{self.socket}",
            "--data-root", str(data), "--exec-root", str(self.dir / "run"),
            "--pidfile", str(self.dir / "dockerd.pid"),
            "--config-file", str(self.dir / "daemon.json"),
            "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--ip-forward=false", "--ip-masq=false", "--userland-proxy=false",
            "--storage-driver", driver, "--shutdown-timeout", "2", "--log-level", "warn",
        ]
        with open(self.log, "ab") as log:
            # If the test run is killed, dockerd still gets its SIGTERM.
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True,
                                         preexec_fn=lambda: _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM))
        client = Docker(self)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Unavailable(f"dockerd exited with {self.proc.returncode}: {self.last_error()}")
            if self.socket.exists() and client("version", check=False, timeout=10).returncode == 0:
                self._check_isolation()
                return
            time.sleep(0.05)
        self.stop()
        raise Unavailable(f"dockerd did not answer within 30 s: {self.last_error()}")

    def _check_isolation(self):
        """The daemon's network namespace has loopback and nothing else."""
        devs = [line.split(":")[0].strip()
                for line in Path(f"/proc/{self.proc.pid}/net/dev").read_text().splitlines()[2:]]
        if devs != ["lo"]:
            self.stop()
            raise RuntimeError(f"dockerd's network namespace has {devs}, not only lo")

    def last_error(self):
        try:
            lines = [ln for ln in self.log.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return "no log"
        for ln in reversed(lines):
            m = re.search(r'level=(?:fatal|error) msg="(.*?)"', ln)
            if m:
                return m.group(1)
        return lines[-1] if lines else "no output"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            client = Docker(self)
            ids = client("ps", "-aq", check=False, timeout=30).stdout.split()
            if ids:
                client("rm", "-f", *ids, check=False, timeout=60)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Docker:
    """The client for one engine. Calling it runs `docker ARGS...` and returns
    the CompletedProcess (text); check=True raises on a non-zero status."""

    def __init__(self, engine):
        self.engine = engine
        self.config = engine.dir / "client"
        self.config.mkdir(exist_ok=True)
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.config),
                    "DOCKER_CONFIG": str(self.config), "LANG": "C.UTF-8"}

    def argv(self, *args):
        """The full command line for `docker ARGS`, with the isolation added."""
        args = [str(a) for a in args]
        if not args:
            raise ValueError("no docker subcommand")
        sub = args[0]
        if sub in REFUSED or sub.startswith("-"):
            raise ValueError(f"docker {sub}: not allowed in this suite")
        if sub in ISOLATION:
            rest = args[1:]
            for a in rest:
                if a.split("=")[0] in ("--network", "--net", "--pull", "--add-host", "--dns"):
                    raise ValueError(f"docker {sub} {a}: the suite sets the network itself")
            args = [sub, *ISOLATION[sub], *rest]
        return [DOCKER, "-H", f"unix://{self.engine.socket}", *args]

    def __call__(self, *args, check=True, timeout=120, input=None, env=None):
        p = subprocess.run(self.argv(*args), input=input, capture_output=True, text=True,
                           timeout=timeout, env={**self.env, **(env or {})})
        if check and p.returncode != 0:
            raise AssertionError(f"docker {' '.join(map(str, args))}: exit {p.returncode}\n"
                                 f"{p.stderr}")
        return p

    def run(self, image, *command, opts=(), timeout=60, input=None):
        """`docker run --rm OPTS IMAGE COMMAND`; never raises on the status."""
        return self(*["run", "--rm", *opts, image, *command], check=False, timeout=timeout,
                    input=input)

    def build(self, context, tag, dockerfile=None, args=None, buildkit=False, timeout=300):
        """Builds CONTEXT (a directory) as TAG; BuildKit when asked (the
        platform arguments, FROM --platform). Raises on failure."""
        argv = ["build", "-q", "-t", tag]
        if dockerfile:
            argv += ["-f", dockerfile]
        for k, v in (args or {}).items():
            argv += ["--build-arg", f"{k}={v}"]
        env = {"DOCKER_BUILDKIT": "1" if buildkit else "0"}
        return self(*argv, context, timeout=timeout, env=env)

    def build_files(self, tag, dockerfile, files=None, **kw):
        """Builds from a Dockerfile's text and a context made of FILES:
        {name in the context: a Path to copy, or bytes/str for the content}."""
        with tempfile.TemporaryDirectory(prefix="gosu-ctx-") as ctx:
            ctx = Path(ctx)
            (ctx / "Dockerfile").write_text(dockerfile)
            for name, src in (files or {}).items():
                dst = ctx / name
                dst.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(src, Path):
                    shutil.copy(src, dst)
                else:
                    dst.write_bytes(src.encode() if isinstance(src, str) else src)
                    dst.chmod(0o755)
            return self.build(ctx, tag, **kw)

    def import_tar(self, tar, tag, changes=()):
        """`docker import` of a root filesystem tarball (a path or bytes)."""
        argv = ["import"]
        for c in changes:
            argv += ["--change", c]
        if isinstance(tar, bytes):
            p = subprocess.run(self.argv(*argv, "-", tag), input=tar, capture_output=True,
                               timeout=300, env=self.env)
        else:
            p = subprocess.run(self.argv(*argv, str(tar), tag), capture_output=True, timeout=300,
                               env=self.env)
        if p.returncode != 0:
            raise AssertionError(f"docker import {tag}: {p.stderr.decode(errors='replace')}")

    def pty(self, *args):
        """`docker ARGS` with a pseudo-terminal as its stdin, stdout and
        stderr and as its controlling terminal (for run -t, exec -it)."""
        return Pty(self.argv(*args), self.env)

    def remove(self, *containers):
        if containers:
            self("rm", "-f", *containers, check=False, timeout=60)


class Pty:
    """A process on the master side of a fresh pty: write() to type, expect()
    to wait for output, wait() for its status. Output is kept in .output."""

    def __init__(self, argv, env):
        self.master, slave = os.openpty()
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO  # the client's own echo would double every line
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True,
                                     preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.output = ""

    def write(self, text):
        os.write(self.master, text.encode())

    def _read(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: every slave fd is closed
            data = b""
        if not data:
            return None
        self.output += data.decode(errors="replace").replace("\r\n", "\n")
        return True

    def expect(self, pattern, timeout=20):
        """Waits until PATTERN (a regex) is in the output read since the
        start; returns the match. Raises with the output so far if not."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.output)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or self._read(left) is None:
                raise AssertionError(f"{pattern!r} not seen; output:\n{self.output}")

    def drain(self, quiet=0.3, timeout=5):
        """Reads until nothing came for QUIET seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(quiet):
            pass
        return self.output

    def wait(self, timeout=20):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if self._read(0.1) is None:
                break
        rc = self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        self.drain(quiet=0.05, timeout=1)
        return rc

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


@contextlib.contextmanager
def debian_tar():
    """The Debian bookworm minbase tarball, made once and kept in CACHE, as a
    context: the file stays (a shared lock) until the block ends. A run that
    finds none makes it under the exclusive lock while the others wait; a
    partial file is never renamed in. (Removing it by hand:
    flock CACHE/.lock rm CACHE/debian-bookworm-minbase.tar.)"""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        if not DEBIAN_TAR.exists():
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not DEBIAN_TAR.exists():
                tmp = CACHE / f".{DEBIAN_TAR.name}.{os.getpid()}"
                try:
                    subprocess.run([*MMDEBSTRAP, "bookworm", str(tmp), MIRROR], check=True,
                                   stdin=subprocess.DEVNULL, timeout=600)
                    os.rename(tmp, DEBIAN_TAR)
                finally:
                    if tmp.exists():
                        tmp.unlink()
            fcntl.flock(lock, fcntl.LOCK_SH)
        yield DEBIAN_TAR


def busybox_tar(extra=None):
    """A root filesystem of BusyBox alone: /bin/busybox, its applets as links,
    root and nobody in /etc. EXTRA: {path: (bytes, mode)} added."""
    applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add_dir(name, mode=0o755):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, mode
            tar.addfile(info)

        def add_file(name, data, mode=0o644):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))

        for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/local", "usr/local/bin",
                  "etc", "root", "home", "dev", "proc", "sys", "data"):
            add_dir(d, 0o700 if d == "root" else 0o755)
        add_dir("tmp", 0o1777)
        add_file("bin/busybox", Path(BUSYBOX).read_bytes(), 0o755)
        for path in applets:
            path = path.lstrip("/")
            if path == "bin/busybox":
                continue
            info = tarfile.TarInfo(path)
            info.type, info.linkname = tarfile.SYMTYPE, "/bin/busybox"
            tar.addfile(info)
        add_file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                               b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        add_file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
        add_file("etc/shadow", b"root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", 0o640)
        for path, (data, mode) in (extra or {}).items():
            add_file(path.lstrip("/"), data, mode)
    return buf.getvalue()
