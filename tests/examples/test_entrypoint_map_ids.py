"""examples/docker-entrypoint-map-ids.sh, run for real without Docker: as
root, each case in a private mount namespace with a tmpfs /etc (the image's
files), a tmpfs /data (the volume) and a tmpfs /home, under Debian's sh and
BusyBox's. The command is the e2e probe."""

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "docker-entrypoint-map-ids.sh"
GOSU = Path(os.environ.get("GOSU_BINARY", ROOT / "gosu"))
PROBE = ROOT / "build" / "probe"
BUSYBOX = shutil.which("busybox") or "/bin/busybox"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: private mount namespaces")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]

PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "node:x:1000:1000::/home/node:/bin/sh\n"
          "app:x:999:999::/home/app:/bin/sh\n")
GROUP = "root:x:0:\nnode:x:1000:\napp:x:999:\n"


def _mount(source, target, fstype=None, flags=0, data=None):
    if _libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                   flags, data and data.encode()) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}")


def _namespace():
    """A private root on a tmpfs: the system's /usr, /tmp, /proc and /dev
    bound in, and the image's own /etc, /data and /home."""
    if _libc.unshare(0x20000) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    _mount(None, "/", None, 0x4000 | 0x40000)  # MS_REC | MS_PRIVATE
    root = "/mnt"
    _mount("root", root, "tmpfs", 0, "mode=755")
    for name in os.listdir("/"):
        if os.path.islink("/" + name):
            os.symlink(os.readlink("/" + name), f"{root}/{name}")
        elif name in ("usr", "tmp", "proc", "dev", "sys"):
            os.mkdir(f"{root}/{name}")
            _mount("/" + name, f"{root}/{name}", None, 0x1000 | 0x4000)  # MS_BIND | MS_REC
    for d in ("etc", "data", "home"):
        os.mkdir(f"{root}/{d}")
        _mount("image", f"{root}/{d}", "tmpfs", 0, "mode=755")
    os.chroot(root)
    os.chdir("/")
    Path("/etc/passwd").write_text(PASSWD)
    Path("/etc/group").write_text(GROUP)
    os.makedirs("/home/app")
    for p in ("/home/app", "/data"):
        os.chown(p, 999, 999)
    for p in ("/data/db", "/home/app/.profile"):
        Path(p).write_text("")
        os.chown(p, 999, 999)
    Path("/data/host-file").write_text("")
    os.chown("/data/host-file", 4242, 4242)


@pytest.fixture(scope="module")
def bindir():
    d = Path(tempfile.mkdtemp(prefix="gosu-map-example-"))
    d.chmod(0o755)
    for name, src in (("gosu", GOSU), ("probe", PROBE), ("entrypoint", SCRIPT)):
        shutil.copy(src, d / name)
    yield d
    shutil.rmtree(d)


def run(bindir, shell, env, starts=1):
    """The entrypoint started `starts` times in one namespace; the last
    start's probe report and the owners of the files afterwards."""
    report = "; ".join([f"{shell} {bindir}/entrypoint {bindir}/probe > {bindir}/probe.out"] * starts)
    script = (f"{report}; cat {bindir}/probe.out; "
              "stat -c 'owner %n %u:%g' /data /data/db /data/host-file /home/app /home/app/.profile; "
              "grep ^app: /etc/passwd | sed 's/^/line /'")
    p = subprocess.run(["sh", "-c", script], env={"PATH": f"{bindir}:/usr/bin:/bin", **env},
                       capture_output=True, text=True, preexec_fn=_namespace, timeout=30)
    assert p.returncode == 0, p.stderr
    out = {}
    for line in p.stdout.splitlines():
        key, _, value = line.replace("\t", " ", 1).partition(" ")
        out.setdefault(key, []).append(value)
    return out, p.stderr


@pytest.mark.parametrize("shell", ["sh", f"{BUSYBOX} sh"], ids=["dash", "busybox"])
def test_user_id_taken_by_node(bindir, shell):
    out, err = run(bindir, shell, {"USER_ID": "1000", "GROUP_ID": "1000"})
    assert out["Uid"][0].split() == ["1000"] * 4 and out["Gid"][0].split() == ["1000"] * 4
    assert sorted(out["Groups"][0].split()) == ["1000", "999"]
    assert "HOME=/home/app" in out["env"]
    assert out["owner"] == ["/data 1000:1000", "/data/db 1000:1000", "/data/host-file 4242:4242",
                            "/home/app 1000:1000", "/home/app/.profile 1000:1000"]
    assert out["line"] == ["app:x:1000:1000::/home/app:/bin/sh"]
    assert err == 'notice: --map-ids: app shares uid 1000 with "node", gid 1000 with "node"\n'


def test_restart_changes_nothing_more(bindir):
    out, err = run(bindir, "sh", {"USER_ID": "1001", "GROUP_ID": "1002"}, starts=2)
    assert out["Uid"][0].split()[0] == "1001" and out["Gid"][0].split()[0] == "1002"
    assert out["owner"][1] == "/data/db 1001:1002"
    assert err == ""  # the second start said nothing


def test_without_user_id_it_is_plain_gosu(bindir):
    out, err = run(bindir, "sh", {})
    assert out["Uid"][0].split()[0] == "999" and err == ""
    assert out["owner"][1] == "/data/db 999:999"
    assert out["line"] == ["app:x:999:999::/home/app:/bin/sh"]
