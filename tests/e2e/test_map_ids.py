"""--map-ids end to end, as root: each case in a private mount namespace
with a tmpfs /etc (and a tmpfs /home when it has one). A small runner inside
the namespace starts gosu one or more times and reports, after each start,
what it printed and the state of /etc and of the watched trees."""

import json
import os
import sys
import textwrap

import pytest

from conftest import mount, needs_root, run_ns

PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n"
          "app:x:999:999::/home/app:/bin/sh\n")
GROUP = "root:x:0:\nusers:x:100:\nubuntu:x:1000:\napp:x:999:\n"
GSHADOW = "root:*::\nusers:*::\nubuntu:!::\napp:!::\n"
FILES = {"passwd": PASSWD.encode(), "group": GROUP.encode(), "gshadow": GSHADOW.encode()}

RUNNER = textwrap.dedent(r"""
    import json, os, subprocess, sys
    spec = json.loads(sys.argv[1])

    def snap(root):
        found = {}
        for top, dirs, names in os.walk(root):
            for n in [top] + [os.path.join(top, x) for x in dirs + names]:
                st = os.lstat(n)
                e = found[n] = dict(uid=st.st_uid, gid=st.st_gid, ino=st.st_ino,
                                    mtime=st.st_mtime_ns, mode=st.st_mode)
                if root == "/etc" and os.path.isfile(n) and not os.path.islink(n):
                    e["data"] = open(n, "rb").read().decode("latin1")
                if os.path.islink(n):
                    e["link"] = os.readlink(n)
        return found

    out = []
    for run in spec["runs"]:
        if run.get("shell"):
            subprocess.run(run["shell"], shell=True, check=True)
            continue
        env = dict(run.get("env", {}), PATH="/usr/bin:/bin")
        p = subprocess.run(run["argv"], env=env, capture_output=True)
        out.append(dict(rc=p.returncode, out=p.stdout.decode("latin1"),
                        err=p.stderr.decode("latin1"),
                        tree={r: snap(r) for r in ["/etc"] + spec["watch"] if os.path.exists(r)}))
    print(json.dumps(out))
""")


class Start:
    def __init__(self, d):
        self.rc, self.out, self.err, self.tree = d["rc"], d["out"], d["err"], d["tree"]
        self.probe = {}
        for line in self.out.splitlines():
            k, _, v = line.partition("\t")
            self.probe.setdefault(k, []).append(v)

    def ids(self):
        """(real uid, real gid, sorted groups) of the command."""
        return (int(self.probe["Uid"][0].split()[0]), int(self.probe["Gid"][0].split()[0]),
                sorted(int(x) for x in self.probe["Groups"][0].split()))

    def etc(self, name):
        return self.tree["/etc"].get("/etc/" + name, {}).get("data")

    def owner(self, path):
        e = self.tree[next(r for r in self.tree if path.startswith(r))][path]
        return e["uid"], e["gid"]

    @property
    def home(self):
        return [e[5:] for e in self.probe.get("env", []) if e.startswith("HOME=")][0]


def starts(gosu, runs, files=FILES, setup=None, watch=(), env=None):
    """Each run: a list of gosu's arguments (the probe is added when the last is
    the user), or a dict with argv/env, or {"shell": ...} run in between."""
    spec = {"runs": [], "watch": list(watch)}
    for r in runs:
        if isinstance(r, dict) and "shell" in r:
            spec["runs"].append(r)
            continue
        args, renv = (r["argv"], r.get("env", {})) if isinstance(r, dict) else (r, {})
        spec["runs"].append({"argv": [str(gosu.path), *args, str(gosu.probe)], "env": renv})
    res = run_ns([sys.executable, "-c", RUNNER, json.dumps(spec)], files=files,
                 setup=private_home(setup), env=env, timeout=60)
    assert res.rc == 0, res.stderr
    return [Start(d) for d in json.loads(res.out)]


def one(gosu, args, **kw):
    return starts(gosu, [args], **kw)[0]


def private_home(build=None):
    """Every case has a tmpfs /home: the repair must never reach the host's."""
    def setup():
        mount("home", "/home", "tmpfs", 0, "mode=755")
        if build:
            build()
    return setup


def home_tmpfs(build=None):
    return build


pytestmark = needs_root


# ------------------------------------------------------------ sources

def test_ids_source_maps_and_rewrites_all_three(gosu):
    s = one(gosu, ["--map-ids=1000:100", "app"])
    assert s.rc == 0, s.err
    assert s.ids() == (1000, 100, [100, 999])
    assert s.home == "/home/app"
    assert s.etc("passwd") == ("root:x:0:0:root:/root:/bin/sh\n"
                               "app:x:1000:100::/home/app:/bin/sh\n"
                               "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n")
    assert s.etc("group") == GROUP.replace("app:x:999:", "app:x:999:app")
    assert s.etc("gshadow") == GSHADOW.replace("app:!::", "app:!::app")
    assert 'notice: --map-ids: app shares uid 1000 with "ubuntu", gid 100 with "users"' in s.err


def test_uid_only_keeps_the_template_gid(gosu):
    s = one(gosu, ["--map-ids=1234", "app"])
    assert s.rc == 0, s.err
    assert s.ids() == (1234, 999, [999])
    assert s.etc("group") == GROUP and s.err == ""


@pytest.mark.parametrize("source,env,want", [
    ("env", {"USER_ID": "1500", "GROUP_ID": "1600"}, (1500, 1600, [1600])),
    ("env", {"USER_ID": "1500"}, (1500, 999, [999])),
    ("env:PUID:PGID", {"PUID": "1501", "PGID": "1601", "USER_ID": "7"}, (1501, 1601, [1601])),
    ("env:PUID", {"PUID": "1502", "GROUP_ID": "5"}, (1502, 999, [999])),
])
def test_env_sources(gosu, source, env, want):
    s = one(gosu, {"argv": [f"--map-ids={source}", "app"], "env": env})
    assert s.rc == 0, s.err
    assert s.ids() == want


@pytest.mark.parametrize("env,line", [
    ({}, ""),
    ({"USER_ID": ""}, ""),
    ({"GROUP_ID": "100"}, "warning: --map-ids: GROUP_ID is set but USER_ID is not: no ids are mapped\n"),
])
def test_env_unset_is_plain_gosu(gosu, env, line):
    s = one(gosu, {"argv": ["--map-ids=env", "app:users"], "env": env})
    assert s.rc == 0 and s.err == line
    assert s.ids() == (999, 100, [100])
    assert s.etc("passwd") == PASSWD and sorted(s.tree["/etc"]) == ["/etc", "/etc/group",
                                                                   "/etc/gshadow", "/etc/passwd"]


@pytest.mark.parametrize("source,env,err", [
    ("0", {}, '--map-ids: "0": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("1000:0", {}, '--map-ids: "1000:0": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("1000:", {}, '--map-ids: "1000:": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("+1000", {}, '--map-ids: "+1000": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("2147483648", {}, '--map-ids: "2147483648": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("env:", {}, '--map-ids: "env:": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("env:A:", {}, '--map-ids: "env:A:": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("env:A:B:C", {}, '--map-ids: "env:A:B:C": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("1000:5:6", {}, '--map-ids: "1000:5:6": want UID[:GID] (1-2147483647), env[:UVAR[:GVAR]] or an absolute path'),
    ("env", {"USER_ID": "0"}, '--map-ids: USER_ID="0" is not an id in range 1-2147483647'),
    ("env", {"USER_ID": "1000", "GROUP_ID": "x"}, '--map-ids: GROUP_ID="x" is not an id in range 1-2147483647'),
])
def test_bad_sources(gosu, source, env, err):
    s = one(gosu, {"argv": [f"--map-ids={source}", "app"], "env": env})
    assert (s.rc, s.err) == (1, f"error: {err}\n")
    assert s.etc("passwd") == PASSWD


def test_group_in_spec_is_refused(gosu):
    s = one(gosu, ["--map-ids=1000", "app:users"])
    assert (s.rc, s.err) == (1, "error: --map-ids: name only the account, not a group\n")


def test_root_template_is_refused(gosu):
    s = one(gosu, ["--map-ids=1000", "root"])
    assert s.rc == 1
    assert s.err == "error: --map-ids: the template root has uid 0: name the account the image runs as\n"


def work_dir(uid, gid):
    def build():
        mount("work", "/mnt", "tmpfs", 0, "mode=755")
        os.mkdir("/mnt/work")
        os.chown("/mnt/work", uid, gid)
        os.symlink("/mnt/work", "/mnt/link")
        os.mkdir("/mnt/real")
        os.symlink("/mnt/real", "/mnt/real/loop")
    return build


def test_path_source_is_the_owner(gosu):
    s = one(gosu, ["--map-ids=/mnt/work", "app"], setup=work_dir(1234, 2345))
    assert s.rc == 0, s.err
    assert s.ids() == (1234, 2345, [2345])  # app's own group renumbered


@pytest.mark.parametrize("path,err", [
    ("/mnt/link", "error: --map-ids: open /mnt/link: too many levels of symbolic links\n"),
    ("/mnt/link/", "error: --map-ids: open /mnt/link/: too many levels of symbolic links\n"),
    ("/mnt/real/loop/../work", "error: --map-ids: open /mnt/real/loop/../work: too many levels of symbolic links\n"),
    ("/proc/self", "error: --map-ids: open /proc/self: too many levels of symbolic links\n"),
    # magic links, last or on the way: opened as themselves, never followed
    ("/proc/1/root", "error: --map-ids: open /proc/1/root: too many levels of symbolic links\n"),
    ("/proc/1/cwd/", "error: --map-ids: open /proc/1/cwd/: too many levels of symbolic links\n"),
    ("/proc/1/root/mnt/work", "error: --map-ids: open /proc/1/root/mnt/work: too many levels of symbolic links\n"),
    ("/dev/null/", "error: --map-ids: open /dev/null/: not a directory\n"),
    ("/proc/1", "error: --map-ids: /proc/1 is not an ordinary directory or file\n"),
    ("/sys/kernel", "error: --map-ids: /sys/kernel is not an ordinary directory or file\n"),
    ("/dev/null", "error: --map-ids: /dev/null is not an ordinary directory or file\n"),
    ("/dev/pts", "error: --map-ids: /dev/pts is not an ordinary directory or file\n"),
    ("/mnt/none", "error: --map-ids: open /mnt/none: no such file or directory\n"),
])
def test_path_source_refusals(gosu, path, err):
    s = one(gosu, [f"--map-ids={path}", "app"], setup=work_dir(1234, 2345))
    assert (s.rc, s.err) == (1, err)
    assert s.etc("passwd") == PASSWD


def test_root_owned_path_is_not_mapped(gosu):
    s = one(gosu, ["--map-ids=/mnt/work", "app"], setup=work_dir(0, 2345))
    assert s.rc == 0, s.err
    assert s.err == ("warning: --map-ids: /mnt/work has uid 0, not mapped: "
                     "that id stays the template's\n")
    assert s.ids() == (999, 2345, [2345])


def test_overflow_owner_is_not_mapped(gosu):
    s = one(gosu, ["--map-ids=/mnt/work", "app"], setup=work_dir(1234, 65534))
    assert s.err == ("warning: --map-ids: /mnt/work has gid 65534, not mapped: "
                     "that id stays the template's\n")
    assert s.ids() == (1234, 999, [999])


def test_path_source_on_a_file_system_of_many_inodes(gosu):
    """More inodes than 32 bits count (a large XFS): the old fstatfs of a
    32-bit kernel fails there with EOVERFLOW (run with GOSU_BINARY set to
    an i386 or armhf build)."""
    def build():
        mount("big", "/mnt", "tmpfs", 0, "mode=755,nr_inodes=8589934592")
        os.mkdir("/mnt/work")
        os.chown("/mnt/work", 1234, 2345)
    s = one(gosu, ["--map-ids=/mnt/work", "app"], setup=build)
    assert s.rc == 0, s.err
    assert s.ids() == (1234, 2345, [2345])


# ------------------------------------------------------------ writing

def test_second_start_writes_nothing(gosu):
    a, b = starts(gosu, [["--map-ids=1000:1000", "app"]] * 2)
    assert a.rc == b.rc == 0
    # ubuntu's group has 1000: app joins it, and stays in its own.
    assert a.ids() == b.ids() == (1000, 1000, [999, 1000])
    assert a.tree["/etc"] == b.tree["/etc"]  # same inodes, mtimes, bytes
    assert sorted(b.tree["/etc"]) == ["/etc", "/etc/.pwd.lock", "/etc/group", "/etc/gshadow",
                                      "/etc/passwd"]
    assert b.err == ""


def test_mode_and_owner_kept(gosu):
    def setup():
        os.chmod("/etc/gshadow", 0o640)
        os.chown("/etc/gshadow", 0, 42)
    s = one(gosu, ["--map-ids=1000:100", "app"], setup=setup)
    e = s.tree["/etc"]["/etc/gshadow"]
    assert (e["mode"] & 0o7777, e["uid"], e["gid"]) == (0o640, 0, 42)
    assert "app:!::app" in e["data"]


def test_ids_changed_between_starts(gosu):
    a, b = starts(gosu, [["--map-ids=1000:1000", "app"], ["--map-ids=1001:1002", "app"]])
    # From ubuntu's 1000 to a free 1002: a member of ubuntu's group, as of its own.
    assert b.ids() == (1001, 1002, [999, 1000, 1002])
    assert "app:x:1001:1002::/home/app:/bin/sh\n" in b.etc("passwd")
    assert b.etc("group") == "root:x:0:\nusers:x:100:\nubuntu:x:1000:app\napp:x:999:app\n"
    assert a.ids() == (1000, 1000, [999, 1000])


def test_read_only_etc_maps_from_the_plan(gosu):
    def setup():
        mount(None, "/etc", None, 0x20 | 0x1)  # MS_REMOUNT | MS_RDONLY
    s = one(gosu, ["--map-ids=1000:100", "app"], setup=setup)
    assert s.rc == 0, s.err
    assert s.ids() == (1000, 100, [100, 999])
    assert s.etc("passwd") == PASSWD and s.etc("group") == GROUP
    assert ("warning: --map-ids: the user database could not be updated (/etc is read-only): "
            "whoami, ssh and initdb will not know uid 1000\n") in s.err


def test_bind_mounted_passwd_is_never_written(gosu, tmp_path):
    host = tmp_path / "host-passwd"
    host.write_text(PASSWD)
    before = host.stat()

    def setup():
        open("/etc/passwd", "w").close()
        mount(str(host), "/etc/passwd", None, 0x1000)  # MS_BIND
    # 1000:1000: the plan changes passwd and renumbers app's group.
    s = one(gosu, ["--map-ids=1000:1001", "app"], setup=setup)
    assert s.rc == 0, s.err
    assert s.ids() == (1000, 1001, [1001])
    assert host.read_text() == PASSWD and host.stat().st_mtime_ns == before.st_mtime_ns
    assert s.etc("group") == GROUP
    assert ("the user database could not be updated (/etc/passwd is a mount of its own)"
            in s.err)


def test_symlinked_passwd_is_never_written(gosu):
    def setup():
        os.rename("/etc/passwd", "/etc/passwd.real")
        os.symlink("passwd.real", "/etc/passwd")
    s = one(gosu, ["--map-ids=1000:1001", "app"], setup=setup)
    assert s.rc == 0, s.err
    assert s.ids() == (1000, 1001, [1001])
    assert s.tree["/etc"]["/etc/passwd"]["link"] == "passwd.real"
    assert s.etc("passwd.real") == PASSWD and s.etc("group") == GROUP
    assert "(/etc/passwd is a symlink)" in s.err


def test_unmapped_target_is_refused_before_writing(gosu):
    script = textwrap.dedent(f"""
        import os, subprocess, sys
        r = subprocess.run(["unshare", "--user", "--map-root-user", "{gosu.path}",
                            "--map-ids=1000", "app", "true"], capture_output=True)
        sys.stdout.write(r.stderr.decode() + str(r.returncode))
    """)
    res = run_ns([sys.executable, "-c", script], files=FILES, setup=private_home())
    assert res.out.decode() == ("error: --map-ids: uid 1000 is not mapped in this user "
                                "namespace (/proc/self/uid_map)\n1")


def hold(kind, seconds):
    """A shell step that holds one of the locks for a while, in the background."""
    if kind == "fcntl":
        return (f"{sys.executable} -c 'import fcntl,time; f=open(\"/etc/.pwd.lock\",\"w\"); "
                f"fcntl.lockf(f, fcntl.LOCK_EX); open(\"/etc/held\",\"w\").close(); time.sleep({seconds})' & "
                "while [ ! -e /etc/held ]; do sleep 0.01; done; rm /etc/held")
    if kind == "shadow":
        return (f"sleep {seconds + 2} &\n"
                "echo -n $! > /etc/passwd.99999; ln /etc/passwd.99999 /etc/passwd.lock\n"
                f"rm /etc/passwd.99999; (sleep {seconds}; rm /etc/passwd.lock) &")
    return f"touch /etc/group+\n(sleep {seconds}; rm /etc/group+) &"


@pytest.mark.parametrize("kind", ["fcntl", "shadow", "busybox"])
def test_locks_are_waited_for(gosu, kind):
    script = textwrap.dedent(f"""
        {hold(kind, 1)}
        start=$(date +%s%N)
        {gosu.path} --map-ids=1000:1001 app true
        echo $(( ($(date +%s%N) - start) / 1000000 ))
        cat /etc/passwd; ls -A /etc
    """)
    res = run_ns(["sh", "-c", script], files=FILES, setup=private_home(), timeout=30)
    lines = res.out.decode().splitlines()
    assert res.rc == 0, res.stderr
    assert int(lines[0]) >= 700, lines  # held for a second, taken meanwhile
    assert "app:x:1000:1001::/home/app:/bin/sh" in lines
    assert sorted(lines[4:]) == [".pwd.lock", "group", "gshadow", "passwd"]


def test_stale_shadow_lock_is_taken_over(gosu):
    script = textwrap.dedent(f"""
        echo -n 2147483646 > /etc/passwd.lock
        {gosu.path} --map-ids=1000:1001 app true && cat /etc/passwd && ls -A /etc
    """)
    res = run_ns(["sh", "-c", script], files=FILES, setup=private_home())
    assert "app:x:1000:1001::/home/app:/bin/sh" in res.out.decode()
    assert "passwd.lock" not in res.out.decode()


def restarts_as_pid_1_and_converges(gosu, leftovers):
    """What a dead start left in /etc (a shell line), then a start as PID 1
    of a new PID namespace, as a restarted container's entrypoint: it maps,
    and only the fcntl lock file stays beside the three files."""
    script = textwrap.dedent(f"""
        {leftovers}
        unshare --pid --fork --mount-proc {gosu.path} --map-ids=1000:1001 app true; echo "rc=$?"
        cat /etc/passwd; echo ---; ls -A /etc
    """)
    res = run_ns(["sh", "-c", script], files=FILES, setup=private_home(), timeout=30)
    out = res.out.decode()
    assert "rc=0\n" in out, res.stderr
    assert "app:x:1000:1001::/home/app:/bin/sh" in out
    assert sorted(out.split("---\n")[-1].split()) == [".pwd.lock", "group", "gshadow", "passwd"]


def test_locks_left_by_a_dead_pid_1_are_taken_over(gosu):
    """A container killed while gosu held shadow-utils' lock restarts with
    gosu as PID 1 again: the lock naming pid 1, and the pid file named by
    it, are that dead start's, not a holder to wait for."""
    restarts_as_pid_1_and_converges(
        gosu, "echo -n 1 > /etc/passwd.lock; echo -n 1 > /etc/passwd.1; echo -n 1 > /etc/group.1")


def test_concurrent_useradd_is_held_off(gosu):
    """useradd and gosu at the same time, many times: each sees the other's
    complete file, so neither change is ever lost."""
    script = textwrap.dedent(f"""
        touch /etc/shadow; chmod 600 /etc/shadow
        for i in $(seq 1 30); do /usr/sbin/useradd -M -N -g 100 -u $((2000 + i)) user$i; done &
        for i in $(seq 1 30); do
            {gosu.path} --map-ids=$((3000 + i)):$((4000 + i)) app true || echo FAIL
        done
        wait
        cat /etc/passwd /etc/group
    """)
    res = run_ns(["sh", "-c", script], files=FILES, setup=private_home(), timeout=120)
    text = res.out.decode()
    assert "FAIL" not in text and res.err == b"", res.stderr
    for i in range(1, 31):
        assert f"user{i}:x:{2000 + i}:100:" in text
    assert "app:x:3030:4030::/home/app:/bin/sh" in text
    assert "app:x:4030:" in text


# ------------------------------------------------------------ the repair

def app_home():
    os.makedirs("/home/app/sub/deep")
    for f in ("a", "sub/b", "sub/deep/c", "rootfile", "gidonly", "foreign"):
        open("/home/app/" + f, "w").close()
    for top, dirs, names in os.walk("/home/app"):
        for n in [top] + [os.path.join(top, x) for x in dirs + names]:
            os.lchown(n, 999, 999)
    os.chown("/home/app/rootfile", 0, 0)
    os.chown("/home/app/gidonly", 5, 999)
    os.chown("/home/app/foreign", 4242, 4242)
    os.symlink("/etc/passwd", "/home/app/outside")
    os.lchown("/home/app/outside", 999, 999)
    os.mkdir("/home/app/tmpfs")
    mount("vol", "/home/app/tmpfs", "tmpfs", 0, "mode=755")
    open("/home/app/tmpfs/x", "w").close()
    os.chown("/home/app/tmpfs/x", 999, 999)
    os.makedirs("/home/elsewhere")
    open("/home/elsewhere/y", "w").close()
    os.chown("/home/elsewhere/y", 999, 999)
    os.mkdir("/home/app/bind")
    mount("/home/elsewhere", "/home/app/bind", None, 0x1000)


def test_home_repaired_only_where_it_is_the_old_uid(gosu):
    s = one(gosu, ["--map-ids=1000:1001", "app"], setup=home_tmpfs(app_home), watch=["/home"])
    assert s.rc == 0, s.err
    want = {
        "/home/app": (1000, 1001), "/home/app/a": (1000, 1001), "/home/app/sub": (1000, 1001),
        "/home/app/sub/b": (1000, 1001), "/home/app/sub/deep/c": (1000, 1001),
        "/home/app/outside": (1000, 1001),  # the symlink itself
        "/home/app/rootfile": (0, 0), "/home/app/gidonly": (5, 999),
        "/home/app/foreign": (4242, 4242),
        "/home/app/tmpfs/x": (999, 999), "/home/elsewhere/y": (999, 999),
    }
    assert {p: s.owner(p) for p in want} == want
    assert s.tree["/etc"]["/etc/passwd"]["uid"] == 0  # what the symlink points to
    assert ('warning: --map-ids: "/home/app/tmpfs" is a mount of its own, not repaired: '
            'add --map-chown for it\n') in s.err
    assert ('warning: --map-ids: "/home/app/bind" is a mount of its own, not repaired: '
            'add --map-chown for it\n') in s.err


def test_marker_skips_a_repaired_home_after_a_fresh_etc(gosu):
    fresh = {"shell": f"printf '{PASSWD}' > /etc/passwd; printf '{GROUP}' > /etc/group; "
                      "touch -h /home/app/a; chown -h 999:999 /home/app/a"}
    a, b = starts(gosu, [["--map-ids=1000:1001", "app"], fresh, ["--map-ids=1000:1001", "app"]],
                  setup=home_tmpfs(app_home), watch=["/home"])
    assert a.owner("/home/app/a") == (1000, 1001)
    # The image's /etc again, and a file the walk would change: the marker says done.
    assert b.owner("/home/app/a") == (999, 999)
    assert b.ids() == (1000, 1001, [1001])
    assert b.err.count("mount of its own") == 0


def test_home_mount_point_left_alone_unless_named(gosu):
    def build():
        os.mkdir("/home/app")
        mount("vol", "/home/app", "tmpfs", 0, "mode=755")
        os.chown("/home/app", 999, 999)
        open("/home/app/f", "w").close()
        os.chown("/home/app/f", 999, 999)
    fresh = {"shell": f"printf '{PASSWD}' > /etc/passwd; printf '{GROUP}' > /etc/group"}
    a, b = starts(gosu, [["--map-ids=1000:1001", "app"], fresh,
                         ["--map-ids=1000:1001", "--map-chown=/home/app", "app"]],
                  setup=home_tmpfs(build), watch=["/home"])
    assert a.owner("/home/app/f") == (999, 999)
    assert ('warning: --map-ids: "/home/app" is a mount of its own, not repaired: '
            'add --map-chown for it\n') in a.err
    assert b.rc == 0 and "mount of its own" not in b.err
    assert b.owner("/home/app/f") == b.owner("/home/app") == (1000, 1001)


def test_map_chown_fresh_root_volume_made_the_accounts(gosu):
    def build():
        os.makedirs("/home/app")
        os.chown("/home/app", 999, 999)
        os.makedirs("/home/data")
        mount("vol", "/home/data", "tmpfs", 0, "mode=755")
        open("/home/data/f", "w").close()
        os.chown("/home/data/f", 999, 4242)
    s = one(gosu, ["--map-ids=1000:1001", "--map-chown=/home/data", "app"],
            setup=home_tmpfs(build), watch=["/home"])
    assert s.rc == 0, s.err
    assert s.owner("/home/data") == (1000, 1001)
    assert s.owner("/home/data/f") == (1000, 4242)
    assert s.owner("/home/app") == (1000, 1001)


def test_root_owned_home_left_alone(gosu):
    def build():
        os.makedirs("/home/app")
        open("/home/app/f", "w").close()
        os.chown("/home/app/f", 999, 999)
    s = one(gosu, ["--map-ids=1000:1001", "app"], setup=home_tmpfs(build), watch=["/home"])
    assert s.owner("/home/app") == (0, 0) and s.owner("/home/app/f") == (999, 999)
    assert 'warning: --map-ids: "/home/app" is not owned by the account, not repaired\n' in s.err


def test_missing_home_is_created(gosu):
    s = one(gosu, ["--map-ids=1000:1001", "app"], setup=home_tmpfs(), watch=["/home"])
    assert s.rc == 0, s.err
    assert s.owner("/home/app") == (1000, 1001)
    assert s.tree["/home"]["/home/app"]["mode"] & 0o7777 == 0o755


def test_missing_home_and_parents_are_created_whatever_the_umask(gosu):
    files = dict(FILES, passwd=PASSWD.replace("/home/app", "/home/a/b/app/").encode())

    def build():
        os.umask(0o077)  # preexec: the runner and gosu inherit it
    s = one(gosu, ["--map-ids=1000:1001", "app"], files=files, setup=home_tmpfs(build),
            watch=["/home"])
    assert s.rc == 0, s.err
    assert s.owner("/home/a") == s.owner("/home/a/b") == (0, 0)
    assert s.owner("/home/a/b/app") == (1000, 1001)
    for d in ("/home/a", "/home/a/b", "/home/a/b/app"):
        assert s.tree["/home"][d]["mode"] & 0o7777 == 0o755


def test_missing_home_is_not_created_through_a_symlink(gosu):
    files = dict(FILES, passwd=PASSWD.replace("/home/app", "/home/link/app").encode())

    def build():
        os.mkdir("/home/real")
        os.symlink("/home/real", "/home/link")
    s = one(gosu, ["--map-ids=1000:1001", "app"], files=files, setup=home_tmpfs(build),
            watch=["/home"])
    assert s.tree["/home"]["/home/real"] and "/home/real/app" not in s.tree["/home"]
    assert ('warning: --map-ids: "/home/link/app" is or passes through a symlink, '
            'not repaired\n') in s.err


def test_symlinked_home_left_alone(gosu):
    def build():
        os.makedirs("/home/real")
        os.chown("/home/real", 999, 999)
        os.symlink("/home/real", "/home/app")
    s = one(gosu, ["--map-ids=1000:1001", "app"], setup=home_tmpfs(build), watch=["/home"])
    assert s.owner("/home/real") == (999, 999)
    assert 'warning: --map-ids: "/home/app" is or passes through a symlink, not repaired\n' in s.err


SYSTEM = "a system directory or not absolute"


@pytest.mark.parametrize("dir,why", [
    ("/", SYSTEM), ("/etc", SYSTEM), ("/usr", SYSTEM), ("/usr/", SYSTEM), ("/var//", SYSTEM),
    ("/lib64", SYSTEM), ("/libexec", SYSTEM), ("/home/../etc", SYSTEM), ("relative", SYSTEM),
    ("/home/none", "no such file or directory"), ("/home/link", "too many levels of symbolic links"),
    ("/home/link/", "too many levels of symbolic links"), ("/home/f", "not a directory"),
])
def test_map_chown_refusals(gosu, dir, why):
    def build():
        os.symlink("/home", "/home/link")
        open("/home/f", "w").close()
    s = one(gosu, ["--map-ids=1000:1001", f"--map-chown={dir}", "app"], setup=home_tmpfs(build))
    assert s.rc == 1
    assert s.err == f'error: --map-chown="{dir}": {why}\n'
    assert s.etc("passwd") == PASSWD  # refused before anything is written


def test_map_chown_without_map_ids_is_a_usage_error(gosu):
    s = one(gosu, ["--map-chown=/home", "app"])
    assert s.rc == 1 and s.err.startswith('error: unknown option "--map-chown=/home"\n')


RACE = textwrap.dedent(r"""
    import json, os, subprocess, sys, time
    gosu, passwd, group = sys.argv[1:4]
    os.makedirs("/home/outside/dir")
    for p in ("/home/outside/secret", "/home/outside/dir/f"):
        open(p, "w").close()
    os.makedirs("/home/app/d")
    os.chown("/home/app", 999, 999)
    os.chown("/home/app/d", 999, 999)
    attacker = subprocess.Popen(["setpriv", "--reuid=999", "--regid=999", "--clear-groups",
                                 sys.executable, "-c", '''
    import os
    os.chdir("/home/app/d")
    while True:
        for make in (lambda n: os.symlink("/home/outside/secret", n),
                     lambda n: os.symlink("/home/outside", n),
                     lambda n: os.link("/home/outside/secret", n),
                     lambda n: open(n, "w").close(),
                     lambda n: os.mkdir(n)):
            try:
                make("new")
                os.rename("new", "swap")
            except OSError:
                for gone in (os.unlink, os.rmdir):
                    for n in ("new", "swap"):
                        try:
                            gone(n)
                        except OSError:
                            pass
    '''])
    time.sleep(0.2)
    rcs = []
    for i in range(60):
        open("/etc/passwd", "w").write(passwd)
        open("/etc/group", "w").write(group)
        for n in ("/home/app", "/home/app/d"):
            os.lchown(n, 999, 999)
        r = subprocess.run([gosu, "--map-ids=%d:%d" % (1000 + i, 2000 + i), "app", "true"],
                           capture_output=True)
        rcs.append(r.returncode)
    attacker.kill()
    attacker.wait()
    outside = {}
    for top, dirs, names in os.walk("/home/outside"):
        for n in [top] + [os.path.join(top, x) for x in dirs + names]:
            st = os.lstat(n)
            outside[n] = (st.st_uid, st.st_gid)
    st = os.lstat("/home/app/d")
    print(json.dumps(dict(rcs=rcs, outside=outside, d=(st.st_uid, st.st_gid))))
""")


def test_race_swapping_entries_never_reaches_outside(gosu):
    """While the walk runs, a process of the old uid keeps swapping an entry
    for a symlink out of the tree, a hard link to a root-owned file, a file
    and a directory: nothing outside the tree ever changes owner."""
    res = run_ns([sys.executable, "-c", RACE, str(gosu.path), PASSWD, GROUP],
                 files=FILES, setup=private_home(), timeout=120)
    assert res.rc == 0, res.stderr
    r = json.loads(res.out)
    assert set(r["rcs"]) == {0}
    assert r["outside"] == {"/home/outside": [0, 0], "/home/outside/dir": [0, 0],
                            "/home/outside/secret": [0, 0], "/home/outside/dir/f": [0, 0]}
    assert r["d"] == [1059, 2059]  # the walk did run, every time


def test_caller_already_the_target_runs_without_writing(gosu):
    """docker run --user 1234:1234: nothing can be written or repaired, and
    the caller already has the planned ids, so the command runs."""
    from conftest import Caller

    def build():
        os.makedirs("/home/app")
        os.chown("/home/app", 999, 999)
        os.chmod("/etc/gshadow", 0o600)
    res = run_ns([gosu.path, "--map-ids=1234:1234", "app", gosu.probe], files=FILES,
                 setup=private_home(build), caller=Caller(1234, 1234, (1234,)))
    assert res.rc == 0, res.stderr
    assert res.uid == [1234] * 4 and res.groups == [1234]
    assert res.stderr == (
        "warning: --map-ids: the user database could not be updated (/etc is not writable): "
        "whoami, ssh and initdb will not know uid 1234\n"
        'warning: --map-ids: cannot change the owner of "/home/app": operation not permitted\n')


def test_lock_not_had_in_time_is_an_error_and_nothing_is_written(gosu):
    script = textwrap.dedent(f"""
        {hold("shadow", 12)}
        {gosu.path} --map-ids=1000:1001 app true; echo "rc=$?"
        cat /etc/passwd; ls -A /etc
    """)
    res = run_ns(["sh", "-c", script], files=FILES, setup=private_home(), timeout=60)
    out = res.out.decode()
    assert "rc=1\n" in out and PASSWD in out
    assert res.stderr == ('notice: --map-ids: app shares uid 1000 with "ubuntu"\n'
                          "error: --map-ids: lock /etc/passwd: resource temporarily unavailable\n")
    assert "passwd+" not in out and "passwd.lock\n" in out  # the holder's lock, still held


def test_new_files_left_by_a_dead_start_are_taken_over(gosu):
    """A start killed between two renames leaves its shadow-utils lock and
    the "+" files it had not renamed yet: a restart, PID 1 again, takes both
    over and converges, as it would have before the first rename."""
    restarts_as_pid_1_and_converges(
        gosu, "echo -n 1 > /etc/passwd.lock; echo -n 1 > /etc/group.lock; "
              "sed 's/^app:x:999:999:/app:x:1000:1001:/' /etc/passwd > /etc/passwd+")
