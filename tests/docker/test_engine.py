"""The engine itself: isolated as the suite promises, and the images are the
ones built here from this tree."""

import hashlib
import os
import time
from pathlib import Path

import pytest

from conftest import GOSU


def test_dockerd_has_only_loopback(engine):
    pid = engine.proc.pid
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
    devs = [ln.split(":")[0].strip() for ln in Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]]
    assert devs == ["lo"]
    assert Path(f"/proc/{pid}/exe").resolve() == Path("/usr/sbin/dockerd")


def test_a_container_has_only_loopback(docker, images):
    r = docker.run(images.busybox, "cat", "/proc/net/dev")
    assert r.returncode == 0, r.stderr
    assert [ln.split(":")[0].strip() for ln in r.stdout.splitlines()[2:]] == ["lo"]


def test_an_image_not_built_here_fails_at_once(docker, images):
    start = time.monotonic()
    r = docker.run("gosu-test/never-built:1", "true")
    assert r.returncode == 125
    assert "No such image: gosu-test/never-built:1" in r.stderr
    assert time.monotonic() - start < 10


def test_a_build_from_an_image_not_built_here_fails(docker, images):
    # The daemon tries the registry (a build has no --pull never) and has no route.
    with pytest.raises(AssertionError, match="network is unreachable"):
        docker.build_files("gosu-test/never", "FROM gosu-test/never-built:1\nRUN true\n", timeout=60)


@pytest.mark.parametrize("args", [("run", "--network", "host", "x"), ("run", "--net=bridge", "x"),
                                  ("build", "--network=host", "."), ("run", "--pull=always", "x"),
                                  ("pull", "x"), ("container", "run", "x"), ("-H", "tcp://x", "ps")])
def test_the_client_refuses_what_would_leave_the_namespace(docker, args):
    with pytest.raises(ValueError):
        docker.argv(*args)


def test_run_and_build_are_isolated_by_the_client(docker):
    argv = docker.argv("run", "img", "true")
    assert argv[:4] == ["/usr/bin/docker", "-H", f"unix://{docker.engine.socket}", "run"]
    assert argv[4:8] == ["--network", "none", "--pull", "never"]
    assert docker.argv("build", ".")[4:6] == ["--network", "none"]


def test_the_test_image_holds_this_trees_gosu(docker, images):
    r = docker.run(images.test, "sha256sum", "/usr/local/bin/gosu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == hashlib.sha256(GOSU.read_bytes()).hexdigest()
    r = docker.run(images.test, "sh", "-c", "id app; stat -c '%u:%g %a' /home/app")
    assert r.stdout == "uid=1000(app) gid=1000(app) groups=1000(app)\n1000:1000 755\n"


def test_the_pty_helper(docker, images):
    t = docker.pty("run", "--rm", "-it", images.busybox, "sh", "-c", "tty; read x; echo got=$x")
    try:
        t.expect(r"/dev/pts/\d+")
        t.write("hello\n")
        t.expect(r"got=hello")
        assert t.wait() == 0
    finally:
        t.close()
