"""The Dockerfiles of examples/, without Docker: what they COPY exists, the
stage that picks the binary finds the right one for every platform and
checks it against SHA256SUMS, and the scratch image's promise (a numeric
spec, no /etc/passwd at all) holds for the static program it runs."""

import ctypes
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOCKERFILES = sorted(EXAMPLES.glob("Dockerfile.*"))
GOSU = Path(os.environ.get("GOSU_BINARY", ROOT / "gosu"))
ARCH_SCRIPT = EXAMPLES / "gosu-arch.sh"

# Docker's TARGETARCH/TARGETVARIANT -> gosu's binary
PLATFORMS = {
    ("amd64", ""): "amd64", ("386", ""): "i386", ("arm64", ""): "arm64", ("arm64", "v8"): "arm64",
    ("arm", "v7"): "armhf", ("arm", "v6"): "armel", ("arm", "v5"): "armel",
    ("ppc64le", ""): "ppc64el", ("s390x", ""): "s390x", ("riscv64", ""): "riscv64",
    ("mips64le", ""): "mips64el", ("loong64", ""): "loong64",
}


def instructions(path):
    """(instruction, argument) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_three_images():
    assert [p.name for p in DOCKERFILES] == ["Dockerfile.alpine", "Dockerfile.debian", "Dockerfile.scratch"]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_what_is_copied_exists(dockerfile):
    for word, arg in instructions(dockerfile):
        if word == "COPY" and not arg.startswith("--from"):
            *sources, _ = arg.split()
            for src in sources:
                if src == "dist/":
                    continue  # made by make dist, or a release's files
                if src == "examples/app":
                    assert "-o examples/app examples/app.c" in dockerfile.read_text()
                    continue  # the application, built first (the comment says how)
                assert (ROOT / src).exists(), src
                if src.endswith(".sh"):
                    assert os.access(ROOT / src, os.X_OK), src


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_entrypoint_is_exec_form_ending_in_gosu(dockerfile):
    entry = [json.loads(arg) for word, arg in instructions(dockerfile) if word == "ENTRYPOINT"]
    assert len(entry) == 1 and isinstance(entry[0], list)
    if dockerfile.name == "Dockerfile.scratch":
        assert entry[0] == ["/gosu", "1000:1000", "/app"]
        return
    assert entry[0] == ["docker-entrypoint.sh"]
    script = (EXAMPLES / "docker-entrypoint.sh").read_text()
    assert re.search(r'^exec "\$GOSU" "\$USER_ID" "\$@"$', script, re.M)


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: "/".join(filter(None, p)))
def test_arch_names(platform):
    p = subprocess.run(["sh", ARCH_SCRIPT, *platform], capture_output=True, text=True)
    assert (p.returncode, p.stdout) == (0, PLATFORMS[platform] + "\n")


def test_arch_of_this_machine():
    p = subprocess.run(["sh", ARCH_SCRIPT], capture_output=True, text=True)
    assert p.returncode == 0
    version = subprocess.run([GOSU, "--version"], capture_output=True, text=True).stdout
    assert f" on linux/{p.stdout.strip()}; " in version


def test_unknown_platform():
    p = subprocess.run(["sh", ARCH_SCRIPT, "sparc64"], capture_output=True, text=True)
    assert p.returncode == 1 and "sparc64" in p.stderr


def gosu_stage(dockerfile):
    """The RUN of the stage that picks the binary."""
    runs, in_stage = [], False
    for word, arg in instructions(dockerfile):
        if word == "FROM":
            in_stage = arg.endswith(" AS gosu")
        elif word == "RUN" and in_stage:
            runs.append(arg)
    assert len(runs) == 1
    return runs[0]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("platform", [("arm64", ""), ("arm", "v7"), ("386", "")], ids=str)
def test_the_stage_picks_and_checks_the_binary(tmp_path, dockerfile, platform):
    dist, bindir = tmp_path / "dist", tmp_path / "bin"
    dist.mkdir(), bindir.mkdir()
    shutil.copy(ARCH_SCRIPT, bindir / "gosu-arch.sh")
    for arch in ("amd64", "i386", "arm64", "armhf", "armel"):
        (dist / f"gosu-{arch}").write_bytes(f"binary for {arch}\n".encode())
    sums = subprocess.run(["sha256sum"] + sorted(p.name for p in dist.iterdir()), cwd=dist,
                          capture_output=True, text=True, check=True).stdout
    (dist / "SHA256SUMS").write_text(sums)
    script = gosu_stage(dockerfile).replace("/dist", str(dist)).replace("/gosu", str(tmp_path / "gosu"))
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "TARGETARCH": platform[0], "TARGETVARIANT": platform[1]}
    p = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    want = PLATFORMS[platform]
    assert (tmp_path / "gosu").read_text() == f"binary for {want}\n"
    assert os.access(tmp_path / "gosu", os.X_OK)
    # A binary that does not match its checksum is not installed.
    (tmp_path / "gosu").unlink()
    (dist / f"gosu-{want}").write_text("tampered\n")
    p = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    assert p.returncode != 0 and not (tmp_path / "gosu").exists()


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: a private mount namespace")
def test_scratch_image_runs_numeric_spec_without_etc(tmp_path):
    tmp_path = Path(tempfile.mkdtemp(prefix="gosu-scratch-"))  # where uid 1000 can reach
    tmp_path.chmod(0o755)
    cc = shutil.which("musl-gcc") or shutil.which("cc")
    app = tmp_path / "app"
    try:
        subprocess.run([cc, "-static", "-Os", "-o", app, EXAMPLES / "app.c"], check=True)
        shutil.copy(GOSU, tmp_path / "gosu")
        run_scratch(tmp_path, app)
    finally:
        shutil.rmtree(tmp_path)


def run_scratch(tmp_path, app):

    def empty_etc():  # scratch: nothing in /etc at all
        if _libc.unshare(0x20000) or _libc.mount(None, b"/", None, 0x4000 | 0x40000, None) \
                or _libc.mount(b"scratch", b"/etc", b"tmpfs", 0, None):
            raise OSError(ctypes.get_errno(), "namespace")
    p = subprocess.run([tmp_path / "gosu", "1000:1000", app], env={}, preexec_fn=empty_etc,
                       capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout == "uid=1000 gid=1000 groups=1000 home=/\n"
