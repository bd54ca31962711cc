"""Every image of examples/ built and run on this engine, from a context made
as a user's would be (dist/ with this tree's gosu and its SHA256SUMS, the
scratch application built first), the base given with --build-arg BASE=.
Dockerfile.alpine runs on a stand-in: BusyBox alone plus shims for adduser,
addgroup and install (Debian's busybox-static has none of them); see the
README for what that does not prove. Then the USER_ID/GROUP_ID entrypoint
against a bind mount, a restart, an id the image already has, a read-only
root and a missing CAP_CHOWN."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import GOSU, ROOT

EXAMPLES = ROOT / "examples"
SHIMS = [ROOT / "tests" / "examples" / "shims" / n for n in ("adduser", "addgroup")] + \
    [Path(__file__).resolve().parent / "shims" / "install"]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    ctx = tmp_path_factory.mktemp("example-context")
    arch = subprocess.run(["sh", EXAMPLES / "gosu-arch.sh"], capture_output=True, text=True,
                          check=True).stdout.strip()
    (ctx / "dist").mkdir()
    shutil.copy(GOSU, ctx / "dist" / f"gosu-{arch}")
    digest = hashlib.sha256(GOSU.read_bytes()).hexdigest()
    (ctx / "dist" / "SHA256SUMS").write_text(f"{digest}  gosu-{arch}\n")
    shutil.copytree(EXAMPLES, ctx / "examples")
    cc = shutil.which("musl-gcc") or shutil.which("cc")
    subprocess.run([cc, "-static", "-Os", "-o", ctx / "examples" / "app", EXAMPLES / "app.c"],
                   check=True)
    return ctx


@pytest.fixture(scope="module")
def example(docker, images, context):
    """Builds examples/Dockerfile.KIND once; returns its tag."""
    built = {}

    def build(kind):
        if kind not in built:
            base = images.debian
            if kind == "alpine":
                base = "gosu-test/alpine-standin:test"
                docker.build_files(base, f"FROM {images.busybox}\nCOPY adduser addgroup install /usr/sbin/\n",
                                   {p.name: p for p in SHIMS})
            tag = f"gosu-example:{kind}"
            docker.build(context, tag, dockerfile=context / "examples" / f"Dockerfile.{kind}",
                         args={"BASE": base}, buildkit=True)
            built[kind] = tag
        return built[kind]
    return build


@pytest.mark.parametrize("kind,out", [
    ("debian", "uid=1000(app) gid=1000(app) groups=1000(app)\n"),
    ("alpine", "uid=1000(app) gid=1000(app) groups=1000(app)\n"),
    ("scratch", "uid=1000 gid=1000 groups=1000 home=/\n"),
])
def test_the_image_runs_as_documented(docker, example, kind, out):
    r = docker.run(example(kind))
    assert (r.returncode, r.stdout, r.stderr) == (0, out, "")


@pytest.mark.parametrize("kind", ["debian", "alpine"])
def test_the_command_is_pid1(docker, example, kind):
    r = docker.run(example(kind), "sh", "-c", "echo $$ $(id -u)")
    assert (r.returncode, r.stdout, r.stderr) == (0, "1 1000\n", "")


def owner(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid


@pytest.mark.parametrize("kind", ["debian", "alpine"])
def test_bind_mount_files_land_with_the_host_ids(docker, example, kind, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    (data / "theirs").write_text("another host user's\n")
    os.chown(data / "theirs", 4321, 4321)
    r = docker.run(example(kind), "sh", "-c", "touch /data/new && mkdir /data/dir && id -u",
                   opts=["-e", "USER_ID=2345", "-e", "GROUP_ID=2346", "-v", f"{data}:/data"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "2345\n", "")
    assert owner(data) == owner(data / "new") == owner(data / "dir") == (2345, 2346)
    assert owner(data / "theirs") == (4321, 4321)


@pytest.mark.parametrize("kind", ["debian", "alpine"])
def test_restart(docker, example, kind):
    cid = docker("create", "-e", "USER_ID=2345", example(kind), "sh", "-c",
                 "id; grep -c ^app: /etc/passwd").stdout.strip()
    try:
        want = "uid=2345(app) gid=2345(app) groups=2345(app)\n1\n"
        for _ in range(2):
            r = docker("start", "-a", cid, check=False)
            assert (r.returncode, r.stdout, r.stderr) == (0, want, "")
    finally:
        docker.remove(cid)


@pytest.fixture(scope="module")
def node_image(docker, example):
    """The Debian example where uid and gid 1000 are node's, as in node images."""
    tag = "gosu-example:node"
    docker.build_files(tag, f"FROM {example('debian')}\n"
                       "RUN groupadd -g 1000 node && useradd -l -m -u 1000 -g 1000 node\n")
    return tag


def test_an_id_taken_in_the_image_is_reused(docker, node_image):
    r = docker.run(node_image, opts=["-e", "USER_ID=1000"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "uid=1000(node) gid=1000(node) groups=1000(node)\n", "")


def test_only_the_group_changes_the_home_follows(docker, node_image):
    r = docker.run(node_image, "sh", "-c", "id; stat -c %u:%g /home/node /home/node/.bashrc",
                   opts=["-e", "USER_ID=1000", "-e", "GROUP_ID=3000"])
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "uid=1000(node) gid=3000(app) groups=3000(app)\n1000:3000\n1000:3000\n"


def test_read_only_root_with_the_ids_in_the_image(docker, node_image):
    r = docker.run(node_image, opts=["--read-only", "-e", "USER_ID=1000"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "uid=1000(node) gid=1000(node) groups=1000(node)\n", "")


@pytest.mark.parametrize("kind", ["debian", "alpine"])
def test_read_only_root_needing_a_change(docker, example, kind):
    r = docker.run(example(kind), opts=["--read-only"])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("docker-entrypoint: cannot add group app (1000): /etc is read-only "
                        "(docker run --read-only?); give the image that user, or a writable /etc\n")


@pytest.mark.parametrize("kind", ["debian", "alpine"])
def test_without_cap_chown(docker, example, kind):
    r = docker.run(example(kind), opts=["--cap-drop", "CHOWN"])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("docker-entrypoint: cannot add group app (1000): CAP_CHOWN is missing "
                        "(docker run --cap-drop?); add it, or give the image that user\n")
