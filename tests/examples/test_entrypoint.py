"""examples/docker-entrypoint.sh, run for real without Docker: as root, each
case in a private mount namespace whose /etc is a fixture directory (the
image's /etc) and with a temporary volume directory. Three kinds of image:

- debian: Debian's sh (dash), awk and useradd/groupadd;
- alpine: BusyBox's sh, awk, find and chown, with adduser/addgroup
  (stand-ins in shims/: Debian's busybox lacks those two applets);
- bare:   BusyBox alone, no tool to add users: lines are appended.

The command the entrypoint ends with is the e2e probe, which reports the
ids, groups and environment it got from the kernel's view."""

import ctypes
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCRIPT = ROOT / "examples" / "docker-entrypoint.sh"
GOSU = Path(os.environ.get("GOSU_BINARY", ROOT / "gosu"))
PROBE = ROOT / "build" / "probe"
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
APPLETS = ["sh", "awk", "sed", "grep", "find", "chown", "mkdir", "cat", "rm", "id", "printf",
           "mv", "ls", "cut", "tr", "head", "date", "test", "["]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: private mount namespaces")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x20000, 0x1000, 0x4000, 0x40000
MS_RDONLY, MS_REMOUNT = 0x1, 0x20

PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
GROUP = """\
root:x:0:
daemon:x:1:
bin:x:2:
users:x:100:
nogroup:x:65534:
"""
NODE_PASSWD = PASSWD + "node:x:1000:1000::/home/node:/bin/bash\n"
NODE_GROUP = GROUP + "node:x:1000:\nvideo:x:44:node\n"


def shadow_of(passwd):
    return "".join(f"{line.split(':')[0]}:*:19000:0:99999:7:::\n" for line in passwd.splitlines())


def gshadow_of(group):
    return "".join(f"{line.split(':')[0]}:*::\n" for line in group.splitlines())


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src, dst, fstype, flags):
    _check(_libc.mount(src and src.encode(), dst.encode(), fstype and fstype.encode(), flags, None),
           f"mount {dst}")


@pytest.fixture(scope="session")
def bins():
    """gosu and the probe where every user can run them, and the PATH
    directories of the BusyBox images."""
    d = Path(tempfile.mkdtemp(prefix="gosu-examples-"))
    d.chmod(0o755)
    out = {}
    for name, src in (("gosu", GOSU), ("probe", PROBE)):
        shutil.copy(src, d / name)
        (d / name).chmod(0o755)
        out[name] = d / name
    for kind in ("alpine", "bare"):
        k = d / kind
        k.mkdir()
        k.chmod(0o755)
        for applet in APPLETS:
            (k / applet).symlink_to(BUSYBOX)
        (k / "gosu").symlink_to(d / "gosu")
        if kind == "alpine":
            for shim in ("adduser", "addgroup"):
                shutil.copy(HERE / "shims" / shim, k / shim)
        out[kind] = k
    yield out
    shutil.rmtree(d)


class Image:
    """An image's /etc, a volume and a home directory, on the host; the
    entrypoint sees the first over /etc and the others where they are."""

    def __init__(self, tmp, kind, passwd=PASSWD, group=GROUP, shadow=True):
        self.kind = kind
        self.etc = tmp / "etc"
        self.etc.mkdir()
        self.etc.chmod(0o755)
        files = {"passwd": passwd, "group": group}
        if shadow:
            files.update(shadow=shadow_of(passwd), gshadow=gshadow_of(group))
        for name, text in files.items():
            (self.etc / name).write_text(text)
            (self.etc / name).chmod(0o640 if "shadow" in name else 0o644)
        if kind == "debian":  # the tools' own configuration, as in the image
            shutil.copytree("/etc/alternatives", self.etc / "alternatives", symlinks=True)
            for f in ("login.defs", "default/useradd"):
                if os.path.exists(f"/etc/{f}"):
                    (self.etc / f).parent.mkdir(exist_ok=True)
                    shutil.copy(f"/etc/{f}", self.etc / f)
        self.volume = tmp / "data"
        self.volume.mkdir()
        self.home = tmp / "home"
        self.home.mkdir()
        self.home.chmod(0o755)

    def read(self, name):
        return (self.etc / name).read_text()

    def lines(self, name):
        return self.read(name).splitlines()

    def run(self, bins, env=None, command=None, wrap=(), volume_mounted=False, etc_read_only=False):
        def setup():
            _check(_libc.unshare(CLONE_NEWNS), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            _mount(str(self.etc), "/etc", None, MS_BIND)
            if etc_read_only:
                _mount(None, "/etc", None, MS_BIND | MS_REMOUNT | MS_RDONLY)
            if volume_mounted:  # a mount point of its own, as -v DIR:/data makes
                _mount(str(self.volume), str(self.volume), None, MS_BIND)
            for d in ("/var/log", "/var/mail", "/home"):  # whatever a tool writes there
                if os.path.isdir(d):
                    _mount("entrypoint-test", d, "tmpfs", 0)
        if self.kind == "debian":
            path = f"{bins['gosu'].parent}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            argv = ["/bin/sh", SCRIPT]
        else:
            path = str(bins[self.kind])
            argv = [BUSYBOX, "sh", SCRIPT]
        full_env = {"PATH": path, "CHOWN_DIRS": str(self.volume), "APP_HOME": str(self.home / "app"),
                    "HOME": "/root"}
        full_env.update(env or {})
        full_env = {k: v for k, v in full_env.items() if v is not None}
        p = subprocess.Popen([*wrap, *argv, *([str(bins["probe"])] if command is None else command)],
                             env=full_env, preexec_fn=setup, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        out, err = p.communicate(timeout=60)
        return Run(p.returncode, out, err, p.pid)


class Run:
    def __init__(self, rc, out, err, pid):
        self.rc, self.out, self.err, self.pid = rc, out.decode(), err.decode(), pid
        self.probe = {}
        for line in self.out.splitlines():
            k, _, v = line.partition("\t")
            self.probe.setdefault(k, []).append(v)

    def ids(self):
        assert self.rc == 0, self.err
        uid = [int(x) for x in self.probe["Uid"][0].split()]
        gid = [int(x) for x in self.probe["Gid"][0].split()]
        groups = sorted(int(x) for x in self.probe["Groups"][0].split())
        home = [e[5:] for e in self.probe.get("env", []) if e.startswith("HOME=")]
        assert len(set(uid)) == 1 and len(set(gid)) == 1, (uid, gid)
        return uid[0], gid[0], groups, home[0]


KINDS = ["debian", "alpine", "bare"]


@pytest.fixture(params=KINDS)
def kind(request):
    if request.param != "debian" and not os.path.exists(BUSYBOX):
        pytest.skip("no busybox (apt-get install busybox)")
    if request.param == "debian" and not shutil.which("useradd"):
        pytest.skip("no useradd (apt-get install passwd)")
    return request.param


def entry(lines, name):
    found = [line for line in lines if line.split(":")[0] == name]
    assert len(found) == 1, (name, lines)
    return found[0].split(":")


def owner(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid


def test_new_user_and_group(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    (img.volume / "sub").mkdir()
    (img.volume / "sub" / "f").write_text("x")
    r = img.run(bins, env={"USER_ID": "1234", "GROUP_ID": "2345"})
    assert r.ids() == (1234, 2345, [2345], str(img.home / "app"))
    user = entry(img.lines("passwd"), "app")
    assert user[2:4] == ["1234", "2345"] and user[5] == str(img.home / "app")
    assert entry(img.lines("group"), "app")[2] == "2345"
    assert entry(img.lines("shadow"), "app")[1].startswith("!")  # locked, no password
    assert entry(img.lines("gshadow"), "app")
    assert img.lines("passwd")[:4] == PASSWD.splitlines()  # the rest as it was
    for p in (img.volume, img.volume / "sub", img.volume / "sub" / "f", img.home / "app"):
        assert owner(p) == (1234, 2345), p


def test_defaults_user_1000_group_of_the_same_id(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    r = img.run(bins, env={"USER_ID": None, "GROUP_ID": None})
    assert r.ids()[:3] == (1000, 1000, [1000])
    assert entry(img.lines("passwd"), "app")[2:4] == ["1000", "1000"]


def test_uid_taken_by_another_name_is_reused(tmp_path, bins, kind):
    # uid and gid 1000 are "node" in the image: no second user, no second group.
    img = Image(tmp_path, kind, NODE_PASSWD, NODE_GROUP)
    r = img.run(bins, env={"USER_ID": "1000", "GROUP_ID": "1000"})
    assert r.ids() == (1000, 1000, [44, 1000], "/home/node")  # node's memberships too
    assert img.read("passwd") == NODE_PASSWD and img.read("group") == NODE_GROUP
    assert owner(img.volume) == (1000, 1000)


def test_uid_taken_gid_free(tmp_path, bins, kind):
    # node keeps its name; it gets the asked-for group as primary group.
    img = Image(tmp_path, kind, NODE_PASSWD, NODE_GROUP)
    r = img.run(bins, env={"USER_ID": "1000", "GROUP_ID": "3000"})
    assert r.ids()[:3] == (1000, 3000, [44, 3000])
    assert entry(img.lines("passwd"), "node")[2:4] == ["1000", "3000"]
    assert entry(img.lines("group"), "app")[2] == "3000"
    assert "app" not in [line.split(":")[0] for line in img.lines("passwd")]


def test_gid_taken_by_another_group_is_reused(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    r = img.run(bins, env={"USER_ID": "1234", "GROUP_ID": "100"})
    assert r.ids()[:3] == (1234, 100, [100])
    assert entry(img.lines("passwd"), "app")[3] == "100"
    assert "app" not in [line.split(":")[0] for line in img.lines("group")]
    assert owner(img.volume) == (1234, 100)


def test_app_user_of_the_image_gets_the_new_ids(tmp_path, bins, kind):
    # The image made app:app as 999:999; the host wants 1234:1234.
    img = Image(tmp_path, kind, PASSWD + f"app:x:999:999::{tmp_path}/home/app:/bin/sh\n",
                GROUP + "app:x:999:\n")
    (img.home / "app").mkdir()
    os.chown(img.home / "app", 999, 999)
    (img.home / "app" / ".profile").write_text("")
    os.chown(img.home / "app" / ".profile", 999, 999)
    r = img.run(bins, env={"USER_ID": "1234", "GROUP_ID": "1234"})
    assert r.ids() == (1234, 1234, [1234], str(img.home / "app"))
    assert [line.split(":")[0] for line in img.lines("passwd")].count("app") == 1
    assert entry(img.lines("passwd"), "app")[2:4] == ["1234", "1234"]
    assert entry(img.lines("group"), "app")[2] == "1234"
    assert owner(img.home / "app") == owner(img.home / "app" / ".profile") == (1234, 1234)


def test_second_start_changes_nothing(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    env = {"USER_ID": "1234", "GROUP_ID": "1234"}
    img.run(bins, env=env).ids()
    before = {n: img.read(n) for n in ("passwd", "group", "shadow", "gshadow")}
    ctime = os.lstat(img.volume).st_ctime_ns
    assert img.run(bins, env=env).ids()[:2] == (1234, 1234)
    assert {n: img.read(n) for n in before} == before
    assert os.lstat(img.volume).st_ctime_ns == ctime  # no chown where none was needed


def test_ownership_fixed_only_where_needed(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    right, wrong, half = img.volume / "right", img.volume / "wrong", img.volume / "half"
    for p in (right, wrong, half):
        p.write_text("x")
    os.chown(img.volume, 1234, 1234)
    os.chown(right, 1234, 1234)
    os.chown(half, 1234, 0)
    secret = tmp_path / "secret"
    secret.write_text("root's")
    (img.volume / "link").symlink_to(secret)  # must not be followed
    os.lchown(img.volume / "link", 1234, 1234)
    (img.volume / "badlink").symlink_to(secret)
    ctime = os.lstat(right).st_ctime_ns
    r = img.run(bins, env={"USER_ID": "1234", "GROUP_ID": "1234"})
    assert r.ids()[:2] == (1234, 1234)
    for p in (right, wrong, half, img.volume / "link", img.volume / "badlink"):
        assert owner(p) == (1234, 1234), p
    assert os.lstat(right).st_ctime_ns == ctime
    assert owner(secret) == (0, 0)


def test_several_volumes_and_none(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    other = tmp_path / "other"
    other.mkdir()
    r = img.run(bins, env={"USER_ID": "1234", "CHOWN_DIRS": f"{img.volume} {other} {tmp_path}/missing"})
    assert r.ids()[:2] == (1234, 1234)
    assert owner(img.volume) == owner(other) == (1234, 1234)
    (tmp_path / "2").mkdir()
    img2 = Image(tmp_path / "2", kind)
    r = img2.run(bins, env={"USER_ID": "1234", "CHOWN_DIRS": ""})
    assert r.ids()[:2] == (1234, 1234)
    assert owner(img2.volume) == (0, 0)


def test_root_stays_root(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    r = img.run(bins, env={"USER_ID": "0", "GROUP_ID": "0"})
    assert r.ids()[:3] == (0, 0, [0])
    assert img.read("passwd") == PASSWD and img.read("group") == GROUP


@pytest.mark.parametrize("var,value", [("USER_ID", "abc"), ("USER_ID", "-1"), ("USER_ID", "1.5"),
                                       ("USER_ID", "2147483648"), ("GROUP_ID", "99999999999"),
                                       ("USER_ID", " 1000"), ("APP_USER", "bad:name"),
                                       ("APP_USER", "-rf")])
def test_bad_settings_are_refused_before_any_change(tmp_path, bins, kind, var, value):
    img = Image(tmp_path, kind)
    r = img.run(bins, env={var: value})
    assert r.rc == 1 and r.out == ""
    assert r.err.startswith("docker-entrypoint: ") and var in r.err
    assert img.read("passwd") == PASSWD and img.read("group") == GROUP


def test_leading_zeros(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    r = img.run(bins, env={"USER_ID": "01234", "GROUP_ID": "0100"})
    assert r.ids()[:2] == (1234, 100)


def test_started_as_another_user_changes_nothing(tmp_path, bins, kind):
    # docker run --user 4242:4242: no root, so no change, the command as is.
    img = Image(tmp_path, kind)
    wrap = [shutil.which("setpriv") or "/usr/bin/setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", "--"]
    r = img.run(bins, env={"USER_ID": "1234"}, wrap=wrap)
    assert r.ids()[:3] == (4242, 4242, [])
    assert img.read("passwd") == PASSWD


def test_no_command(tmp_path, bins, kind):
    r = Image(tmp_path, kind).run(bins, command=[])
    assert r.rc == 1 and "no command" in r.err


def test_the_command_is_the_entrypoints_process(tmp_path, bins, kind):
    # exec all the way down: same PID, so signals reach the command itself.
    img = Image(tmp_path, kind)
    r = img.run(bins, env={"USER_ID": "1234"})
    assert r.ids()[0] == 1234
    assert int(r.probe["pid"][0]) == r.pid and int(r.probe["ppid"][0]) == os.getpid()


def test_no_shadow_files(tmp_path, bins, kind):
    if kind == "debian":
        pytest.skip("useradd needs /etc/shadow when shadow passwords are on")
    img = Image(tmp_path, kind, shadow=False)
    assert img.run(bins, env={"USER_ID": "1234"}).ids()[:2] == (1234, 1234)
    assert not (img.etc / "shadow").exists()


def test_comment_and_malformed_lines_are_not_matches(tmp_path, bins, kind):
    img = Image(tmp_path, kind, PASSWD + "#old:x:1234:1234::/:/bin/sh\nbroken:x:abc:1234::/:\n",
                GROUP + "#old:x:1234:\n")
    r = img.run(bins, env={"USER_ID": "1234"})
    assert r.ids()[:2] == (1234, 1234)
    assert entry(img.lines("passwd"), "app")[2] == "1234"


def test_a_mount_point_keeps_the_hosts_files(tmp_path, bins, kind):
    # -v "$PWD:/data": the top, made by Docker as root, becomes the user's;
    # what is in it belongs to the host and keeps its owners.
    img = Image(tmp_path, kind)
    (img.volume / "sub").mkdir()
    for p in (img.volume / "theirs", img.volume / "sub" / "f"):
        p.write_text("x")
    os.chown(img.volume / "theirs", 4321, 4321)
    r = img.run(bins, env={"USER_ID": "1234"}, volume_mounted=True)
    assert r.ids()[:2] == (1234, 1234)
    assert owner(img.volume) == (1234, 1234)
    assert owner(img.volume / "theirs") == (4321, 4321)
    assert owner(img.volume / "sub") == owner(img.volume / "sub" / "f") == (0, 0)


def test_a_mount_point_owned_by_another_user_is_left_alone(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    os.chown(img.volume, 4321, 4321)
    r = img.run(bins, env={"USER_ID": "1234"}, volume_mounted=True)
    assert r.ids()[:2] == (1234, 1234) and owner(img.volume) == (4321, 4321)


def test_chown_mounts_walks_a_mount_point(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    (img.volume / "f").write_text("x")
    r = img.run(bins, env={"USER_ID": "1234", "CHOWN_MOUNTS": "1"}, volume_mounted=True)
    assert r.ids()[:2] == (1234, 1234) and owner(img.volume / "f") == (1234, 1234)


def test_only_the_group_changes_the_home_follows(tmp_path, bins, kind):
    # node is 1000:1000 in the image; the host wants group 3000. As usermod
    # -g would: node's files in its home get 3000, root's stay root's.
    home = img_home = tmp_path / "home" / "node"
    img = Image(tmp_path, kind, PASSWD + f"node:x:1000:1000::{img_home}:/bin/sh\n",
                GROUP + "node:x:1000:\n")
    home.mkdir()
    (home / ".profile").write_text("")
    (home / "roots").write_text("")
    for p in (home, home / ".profile"):
        os.chown(p, 1000, 1000)
    r = img.run(bins, env={"USER_ID": "1000", "GROUP_ID": "3000"})
    assert r.ids()[:2] == (1000, 3000)
    assert owner(home) == owner(home / ".profile") == (1000, 3000)
    assert owner(home / "roots") == (0, 0)


def test_read_only_etc_is_a_clear_error(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    r = img.run(bins, env={"USER_ID": "1234"}, etc_read_only=True)
    assert (r.rc, r.out) == (1, "")
    assert r.err == ("docker-entrypoint: cannot add group app (1234): /etc is read-only "
                     "(docker run --read-only?); give the image that user, or a writable /etc\n")


def test_read_only_etc_with_the_ids_in_the_image_just_runs(tmp_path, bins, kind):
    img = Image(tmp_path, kind, NODE_PASSWD, NODE_GROUP)
    r = img.run(bins, env={"USER_ID": "1000"}, etc_read_only=True)
    assert r.ids()[:2] == (1000, 1000)


def test_without_cap_chown_a_clear_error(tmp_path, bins, kind):
    img = Image(tmp_path, kind)
    wrap = [shutil.which("setpriv") or "/usr/bin/setpriv", "--bounding-set=-chown", "--"]
    r = img.run(bins, env={"USER_ID": "1234"}, wrap=wrap)
    assert (r.rc, r.out) == (1, "")
    if kind == "bare":  # lines appended, no tool to need it; the new home is where it stops
        want = f"cannot give {img.home / 'app'} to 1234:1234: CAP_CHOWN is missing (docker run --cap-drop?)"
    else:
        want = ("cannot add group app (1234): CAP_CHOWN is missing (docker run --cap-drop?); "
                "add it, or give the image that user")
    assert r.err == f"docker-entrypoint: {want}\n"
