"""`exec gosu --init app CMD` as the entrypoint: PID 1 is gosu's init, as
app, with CMD its child; `docker stop`'s SIGTERM reaches a CMD that has no
handler of its own, and no root process is left in the container."""

import time

import pytest

from test_pid1 import processes, status_of_pid1, stop_time

ENTRY = '#!/bin/sh\nset -e\nexec gosu --init app "$@"\n'


@pytest.fixture(scope="module")
def init_image(docker, images):
    tag = "gosu-test/init:test"
    docker.build_files(tag, f"FROM {images.test}\nCOPY init.sh /\n", {"init.sh": ENTRY})
    return tag


def test_docker_stop_ends_a_command_without_handler(docker, init_image, container, figures):
    # Without --init the same command waits out the timeout and dies with
    # 137 (test_pid1.py); here the default timeout of 10 s is not reached.
    took, code = stop_time(docker, container, init_image, "/init.sh", ["sleep", "1000"])
    figures.add(f"docker stop, exec gosu --init app sleep 1000: {took:.3f} s, exit {code}")
    assert code == 143 and took < 2


def test_no_root_process_is_left(docker, init_image, container):
    cid = container(init_image, "sleep", "1000", opts=["--entrypoint", "/init.sh"])
    deadline = time.monotonic() + 10
    while len(processes(docker, cid)) < 2:  # the entrypoint has not forked yet
        assert time.monotonic() < deadline, processes(docker, cid)
        time.sleep(0.02)
    st = status_of_pid1(docker, cid)
    assert st["Name"] == ["gosu"]
    assert st["Uid"] == st["Gid"] == ["1000"] * 4
    assert st["CapEff"] == st["CapPrm"] == ["0" * 16]
    procs = processes(docker, cid)
    assert sorted(procs) == [("1000", "gosu"), ("1000", "sleep")], procs
