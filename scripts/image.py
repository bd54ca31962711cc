"""image.py BINARY LICENSE ARCH OUT: the gosu image for one architecture,
FROM scratch, holding only /gosu and /LICENSE, tagged gosu:<version>, saved
with `docker save` to OUT for `docker load -i OUT`. It is built on a Docker
engine of this run's own (tests/docker/dockerengine.py: dockerd in a
network namespace with only loopback, no bridge and no iptables rules, its
data in a temporary directory), which goes away at the end: the tarball is
what stays. Nothing is pulled: scratch is no image."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "docker"))
import dockerengine  # noqa: E402

DOCKERFILE = """\
FROM scratch
COPY gosu LICENSE /
LABEL org.opencontainers.image.title="gosu" \\
      org.opencontainers.image.version="{version}" \\
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/gosu"]
CMD ["--version"]
"""


def main():
    binary, licence, arch, out = sys.argv[1:5]
    version = re.search(r'#define GOSU_VERSION "([^"]+)"',
                        (ROOT / "src" / "version.h").read_text()).group(1)
    tag = f"gosu:{version}"
    engine = dockerengine.Engine()
    try:
        engine.start()
        docker = dockerengine.Docker(engine)
        docker.build_files(tag, DOCKERFILE.format(version=version),
                           {"gosu": Path(binary), "LICENSE": Path(licence)})
        line = docker.run(tag).stdout
        if f" on linux/{arch}; " not in line:
            sys.exit(f"image: {tag} --version said {line!r}, not linux/{arch}")
        tmp = Path(out + ".tmp")
        docker("save", "-o", str(tmp), tag)
        tmp.chmod(0o644)
        tmp.rename(out)
    except dockerengine.Unavailable as e:
        sys.exit(f"image: dockerd cannot start: {e}")
    finally:
        engine.stop()
        engine.remove()
    print(f"image: {tag} ({arch}), {Path(out).stat().st_size} bytes: docker load -i {out}")


main()
