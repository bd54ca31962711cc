"""--map-ids in real containers: a bind mount from the host as the source of
the ids, an id the image already has (app is 1000 in images.test, as node is
in node's images), a restart of the same container, a read-only root."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

MAP_DOCKERFILE = """\
FROM {base}
RUN groupadd -g 999 svc && useradd -l -m -u 999 -g 999 -s /bin/sh svc
"""


@pytest.fixture(scope="module")
def image(docker, images):
    tag = "gosu-test/map-ids"
    docker.build_files(tag, MAP_DOCKERFILE.format(base=images.test), {})
    return tag


@pytest.fixture
def host_dir():
    """A directory of the host's user 1234:1234, with files of others."""
    d = Path(tempfile.mkdtemp(prefix="gosu-map-ids-"))
    os.chown(d, 1234, 1234)
    for name, owner in (("mine", 1234), ("foreign", 4242), ("image-uid", 999)):
        (d / name).write_text(name)
        os.chown(d / name, owner, owner)
    yield d
    shutil.rmtree(d)


def owners(d):
    return {p.name: (p.stat().st_uid, p.stat().st_gid) for p in sorted(d.iterdir())}


def test_bind_mount_owner_becomes_the_account(docker, image, probe, host_dir):
    r = docker.run(image, "gosu", "--map-ids=/work", "svc", "sh", "-c",
                   "touch /work/new && mkdir /work/sub && probe && whoami",
                   opts=["-v", f"{host_dir}:/work"])
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    p = probe(r.stdout)
    assert p["Uid"][0].split() == ["1234"] * 4 and p["Gid"][0].split() == ["1234"] * 4
    assert r.stdout.rstrip().endswith("svc")
    assert owners(host_dir) == {"foreign": (4242, 4242), "image-uid": (999, 999),
                                "mine": (1234, 1234), "new": (1234, 1234), "sub": (1234, 1234)}


def test_restart_writes_nothing(docker, image, host_dir):
    stat = "stat -c '%i %Y %Z' /etc/passwd /etc/group /etc/gshadow; ls -A /etc | grep -c -e '+$' -e lock"
    cid = docker("create", "-v", f"{host_dir}:/work", image, "gosu", "--map-ids=/work", "svc",
                 "sh", "-c", stat).stdout.strip()
    try:
        first = docker("start", "-a", cid)
        again = docker("start", "-a", cid)
    finally:
        docker.remove(cid)
    assert first.returncode == again.returncode == 0
    assert first.stdout == again.stdout  # same inodes and times
    assert first.stdout.splitlines()[-1] == "1"  # only the fcntl lock file
    assert again.stderr == ""


def test_user_id_taken_by_another_account(docker, image, probe):
    r = docker.run(image, "gosu", "--map-ids=env", "svc", "sh", "-c", "probe; whoami; id -gn",
                   opts=["-e", "USER_ID=1000", "-e", "GROUP_ID=1000"])
    assert r.returncode == 0, r.stderr
    assert r.stderr == 'notice: --map-ids: svc shares uid 1000 with "app", gid 1000 with "app"\n'
    p = probe(r.stdout)
    assert p["Uid"][0].split() == ["1000"] * 4
    assert sorted(p["Groups"][0].split()) == ["1000", "999"]
    assert r.stdout.splitlines()[-2:] == ["svc", "app"]  # lookups by uid name the template


def test_no_user_id_is_plain_gosu(docker, image, probe):
    r = docker.run(image, "gosu", "--map-ids=env", "svc", "probe")
    assert (r.returncode, r.stderr) == (0, "")
    assert probe(r.stdout)["Uid"][0].split() == ["999"] * 4


def test_read_only_root(docker, image, probe, host_dir):
    r = docker.run(image, "gosu", "--map-ids=/work", "svc", "sh", "-c",
                   "touch /work/new && probe && id -un 2>&1; true",
                   opts=["--read-only", "-v", f"{host_dir}:/work"])
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("warning: --map-ids: the user database could not be updated "
                        "(/etc is read-only): whoami, ssh and initdb will not know uid 1234\n"
                        'warning: --map-ids: cannot change the owner of "/home/svc": '
                        "read-only file system (and 3 more)\n")  # .bashrc, .profile, .bash_logout
    p = probe(r.stdout)
    assert p["Uid"][0].split() == ["1234"] * 4
    assert p["env"].count("HOME=/home/svc") == 1
    assert owners(host_dir)["new"] == (1234, 1234)
