"""`exec gosu app CMD` as the entrypoint: CMD is the container's PID 1, alone,
with app's ids and no capability; `docker stop` reaches it. The pattern gosu
replaces, `su app -c CMD`, side by side: su stays as a root parent."""

import statistics
import time

import pytest

ENTRYPOINTS = {
    "gosu": '#!/bin/sh\nset -e\nexec gosu app "$@"\n',
    "su": '#!/bin/sh\nset -e\nexec su app -c "$*"\n',
}


@pytest.fixture(scope="module")
def entry_image(docker, images):
    tag = "gosu-test/entrypoints:test"
    docker.build_files(tag, f"FROM {images.test}\nCOPY gosu.sh su.sh /\n",
                       {f"{k}.sh": v for k, v in ENTRYPOINTS.items()})
    return tag


def status_of_pid1(docker, cid):
    text = docker("exec", cid, "cat", "/proc/1/status").stdout
    return {k: v.split() for k, _, v in (ln.partition(":") for ln in text.splitlines())}


def processes(docker, cid):
    """(uid, comm) of every process in the container, from the host's view."""
    lines = docker("top", cid, "-o", "pid,uid,comm").stdout.splitlines()[1:]
    return [tuple(ln.split(None, 2)[1:]) for ln in lines]


def test_the_command_is_pid1_alone_as_app(docker, entry_image, container):
    cid = container(entry_image, "/usr/local/bin/sigterm", opts=["--entrypoint", "/gosu.sh"])
    wait_ready(docker, cid)
    st = status_of_pid1(docker, cid)
    assert st["Name"] == ["sigterm"]
    assert st["Uid"] == st["Gid"] == ["1000"] * 4
    assert st["Groups"] == ["1000"]
    assert st["CapEff"] == st["CapPrm"] == ["0" * 16]
    assert processes(docker, cid) == [("1000", "sigterm")]


def test_with_su_a_root_parent_stays(docker, entry_image, container):
    # The opposite setup: what the test above would see if gosu left a parent.
    cid = container(entry_image, "/usr/local/bin/sigterm", opts=["--entrypoint", "/su.sh"])
    wait_ready(docker, cid)
    st = status_of_pid1(docker, cid)
    assert st["Name"] == ["su"] and st["Uid"] == ["0"] * 4
    procs = processes(docker, cid)
    assert procs[0] == ("0", "su") and ("1000", "sigterm") in procs and len(procs) > 1


def wait_ready(docker, cid, timeout=10):
    deadline = time.monotonic() + timeout
    while "ready" not in docker("logs", cid).stdout:
        assert time.monotonic() < deadline, "the command never said ready"
        time.sleep(0.02)


def stop_time(docker, container, image, entry, command, stop_timeout=10):
    cid = container(image, *command, opts=["--entrypoint", entry])
    if command[0].endswith("sigterm"):
        wait_ready(docker, cid)
    else:
        time.sleep(0.3)
    start = time.monotonic()
    docker("stop", "-t", str(stop_timeout), cid, timeout=stop_timeout + 30)
    took = time.monotonic() - start
    code = int(docker("inspect", "-f", "{{.State.ExitCode}}", cid).stdout)
    docker.remove(cid)
    return took, code


def test_docker_stop_gosu_against_su(docker, entry_image, container, figures):
    runs = {k: [stop_time(docker, container, entry_image, f"/{k}.sh", ["/usr/local/bin/sigterm"])
                for _ in range(3)] for k in ENTRYPOINTS}
    med = {k: statistics.median(t for t, _ in v) for k, v in runs.items()}
    for k, v in runs.items():
        figures.add(f"docker stop, exec {'gosu app' if k == 'gosu' else 'su app -c'} "
                    f"+ a SIGTERM handler: median {med[k]:.3f} s of "
                    f"{', '.join(f'{t:.3f}' for t, _ in v)}; exit {sorted({c for _, c in v})}")
    # The handler runs: a clean exit 0, well under a second.
    assert all(c == 0 for _, c in runs["gosu"]) and med["gosu"] < 1.0
    # su catches the SIGTERM, passes it on, waits 2 s, then kills its shell.
    assert all(c == 143 for _, c in runs["su"]) and 1.8 < med["su"] < 5


def test_pid1_without_a_handler_waits_for_the_kill(docker, entry_image, container, figures):
    # A PID 1 gets no default action for SIGTERM: docker stop waits its whole
    # timeout (10 s by default, 2 s here) and kills with SIGKILL: 137.
    took, code = stop_time(docker, container, entry_image, "/gosu.sh", ["sleep", "1000"],
                           stop_timeout=2)
    figures.add(f"docker stop -t 2, exec gosu app sleep 1000 (no handler): {took:.3f} s, exit {code}")
    assert code == 137 and 2.0 <= took < 5
