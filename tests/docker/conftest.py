"""The real-engine suite: gosu in real containers, on a dockerd of this run.

`make test-docker` runs it (part of `make check`). It needs root; a developer
without root gets every case skipped with the reason, and under CI=true that
is a failure, as is a dockerd that cannot start (one line saying why).

Adding tests/docker/test_<feature>.py: ask for these fixtures.

  docker   (session) the client of this run's engine, a dockerengine.Docker:
           docker(*args, check=True, timeout=120, input=None, env=None)
               runs /usr/bin/docker -H unix://<this run's socket> ARGS and
               returns the CompletedProcess (text); `run` and `create` get
               `--network none --pull never`, `build` gets `--network none`,
               and a test cannot pass its own --network, --pull, --dns or
               --add-host, nor call pull/push/login/search/network.
           docker.run(image, *command, opts=(...)) `docker run --rm`, never
               raises: look at .returncode, .stdout, .stderr.
           docker.build_files(tag, dockerfile_text, {name: Path | bytes | str},
               args={...}, buildkit=False) a build from a context made here.
           docker.build(context_dir, tag, dockerfile=..., args=..., buildkit=...)
           docker.import_tar(path_or_bytes, tag, changes=[...])
           docker.remove(*containers) `docker rm -f`, never raises.
           buildkit=True is needed for FROM --platform and TARGETARCH.
           docker.pty(*args) the client under a fresh pseudo-terminal (its
               controlling terminal), for `run -it` and `exec -it`: .write(s),
               .expect(regex, timeout) -> match, .drain(), .wait() -> status,
               .output (all read so far, \\r\\n as \\n), .close().
  images   (session) the images built here, by role:
           images.debian   Debian bookworm minbase (mmdebstrap, cached)
           images.busybox  BusyBox alone (busybox-static)
           images.test     images.debian + /usr/local/bin/gosu (this tree's
                           ./gosu), probe, ttyprobe, injector, sigterm (build/
                           and build/docker/, static), and the user
                           app 1000:1000 with group app 1000 and home /home/app
  container (function) a factory: container(image, *command, opts=(...))
           starts `docker run -d` and returns its id; every container it
           started is removed at the end of the test.
  probe    (function) probe(text) -> {key: [values]} of tests/probe.c's output.
  figures  (session) figures.add(line): a measured figure, printed at the end
           of the run under "figures" (pytest captures the tests' output).
  engine   (session) the dockerd itself: .socket, .proc (its Popen), .dir
           (this run's temporary directory), .driver (overlay2 or vfs).

Each run has its own engine, so tags and container names are the run's own.
GOSU_BINARY=PATH puts another gosu in images.test (and in the examples).

Never name an image that was not built here: it fails (no route, --pull
never). A new image: docker.build_files(f"gosu-test/{name}", f"FROM
{images.test}\\n...", files). Helpers the image needs: build them statically on
the host (mk/docker.mk) and COPY them in."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

import dockerengine

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
GOSU = Path(os.environ.get("GOSU_BINARY", ROOT / "gosu"))
IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason):
    """Fails under CI, skips otherwise (the reason on one line)."""
    line = f"test-docker: {reason}"
    if IN_CI:
        pytest.exit(line, returncode=1)
    pytest.skip(line)


NOT_ROOT = "test-docker: needs root (its own dockerd in a new network namespace)"


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        if IN_CI:
            pytest.exit(NOT_ROOT, returncode=1)
        for item in items:
            item.add_marker(pytest.mark.skip(reason=NOT_ROOT))


@pytest.fixture(scope="session")
def engine():
    for path in (dockerengine.DOCKERD, dockerengine.DOCKER):
        if not os.access(path, os.X_OK):
            _unavailable(f"{path} is missing (make deps installs docker.io)")
    e = dockerengine.Engine()
    try:
        try:
            e.start()
        except dockerengine.Unavailable as err:
            pytest.exit(f"test-docker: dockerd cannot start: {err}", returncode=1)
        yield e
    finally:
        e.stop()
        e.remove()


@pytest.fixture(scope="session")
def docker(engine):
    return dockerengine.Docker(engine)


TEST_DOCKERFILE = """\
FROM {base}
COPY gosu probe ttyprobe injector sigterm /usr/local/bin/
RUN groupadd -g 1000 app && useradd -l -m -u 1000 -g 1000 -s /bin/sh app \\
    && gosu --version
"""


@pytest.fixture(scope="session")
def images(docker):
    names = SimpleNamespace(debian="gosu-test/debian:bookworm", busybox="gosu-test/busybox:static",
                            test="gosu-test/gosu:test")
    with dockerengine.debian_tar() as tar:
        docker.import_tar(tar, names.debian)
    docker.import_tar(dockerengine.busybox_tar(), names.busybox)
    helpers = {"gosu": GOSU, "probe": BUILD / "probe", "ttyprobe": BUILD / "ttyprobe",
               "injector": BUILD / "docker" / "injector", "sigterm": BUILD / "docker" / "sigterm"}
    for name, path in helpers.items():
        if not path.exists():
            pytest.exit(f"test-docker: {path} is missing (make test-docker builds it)", returncode=1)
    docker.build_files(names.test, TEST_DOCKERFILE.format(base=names.debian), helpers)
    return names


@pytest.fixture
def container(docker):
    started = []

    def start(image, *command, opts=()):
        cid = docker("run", "-d", *opts, image, *command).stdout.strip()
        started.append(cid)
        return cid
    yield start
    docker.remove(*started)


_FIGURES = []


@pytest.fixture(scope="session")
def figures():
    return SimpleNamespace(add=_FIGURES.append)


def pytest_terminal_summary(terminalreporter):
    if os.geteuid() != 0:
        terminalreporter.write_line(f"skipped: {NOT_ROOT}")
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


def parse_probe(text):
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("\t")
        if sep:
            out.setdefault(key, []).append(value)
    return out


@pytest.fixture
def probe():
    return parse_probe
