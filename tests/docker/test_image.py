"""The gosu image of `make image` (scripts/image.py): a tarball that `docker
load` takes, FROM scratch with /gosu (this machine's release binary, byte
for byte) and /LICENSE and nothing else, tagged gosu:<version>; and
examples/Dockerfile.image, which copies gosu out of it, built and run."""

import hashlib
import io
import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.search(r'#define GOSU_VERSION "([^"]+)"', (ROOT / "src/version.h").read_text()).group(1)
ARCH = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
IMAGE_TAR = ROOT / "build" / "image" / f"gosu-{VERSION}-{ARCH}.tar"
BINARY = ROOT / "dist" / f"gosu-{ARCH}"
TAG = f"gosu:{VERSION}"


@pytest.fixture(scope="module")
def image_tar():
    if not IMAGE_TAR.exists():
        pytest.exit(f"test-docker: {IMAGE_TAR} is missing (make image)", returncode=1)
    return IMAGE_TAR


@pytest.fixture(scope="module")
def loaded(docker, image_tar):
    out = docker("load", "-i", image_tar).stdout
    assert f"Loaded image: {TAG}" in out
    return TAG


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def test_tarball_holds_one_layer_of_gosu_and_licence(image_tar):
    with tarfile.open(image_tar) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert [m["RepoTags"] for m in manifest] == [[TAG]]
        files = {}
        for layer in manifest[0]["Layers"]:
            with tarfile.open(fileobj=io.BytesIO(tar.extractfile(layer).read())) as lt:
                for m in lt.getmembers():
                    files[m.name] = (m.mode, lt.extractfile(m).read() if m.isfile() else None)
        config = json.load(tar.extractfile(manifest[0]["Config"]))
    assert sorted(files) == ["LICENSE", "gosu"]
    assert files["gosu"][0] & 0o7777 == 0o755
    assert sha256(files["gosu"][1]) == sha256(BINARY.read_bytes())
    assert files["LICENSE"][1] == (ROOT / "LICENSE").read_bytes()
    assert config["architecture"] == {"i386": "386", "armhf": "arm", "armel": "arm",
                                      "ppc64el": "ppc64le", "mips64el": "mips64le"}.get(ARCH, ARCH)
    assert config["config"]["Entrypoint"] == ["/gosu"]


def test_image_runs_gosu(docker, loaded):
    p = docker.run(loaded)
    assert (p.returncode, p.stderr) == (0, "")
    assert re.fullmatch(re.escape(VERSION) + rf" \(gcc [0-9.]+ on linux/{ARCH}; musl\)\n", p.stdout)


def test_example_copies_gosu_from_the_image(docker, images, loaded):
    dockerfile = (ROOT / "examples" / "Dockerfile.image").read_text()
    assert f"COPY --from={TAG} /gosu /usr/local/bin/gosu\n" in dockerfile
    tag = "gosu-test/example:image"
    docker.build_files(tag, dockerfile,
                       {"examples/docker-entrypoint.sh": ROOT / "examples" / "docker-entrypoint.sh"},
                       args={"BASE": images.debian})
    p = docker.run(tag, "sh", "-c", "id; sha256sum /usr/local/bin/gosu",
                   opts=("-e", "USER_ID=1234", "-e", "GROUP_ID=2345"))
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout == ("uid=1234(app) gid=2345(app) groups=2345(app)\n"
                        f"{sha256(BINARY.read_bytes())}  /usr/local/bin/gosu\n")
