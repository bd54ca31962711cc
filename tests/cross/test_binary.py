"""The binary under test is what its name and version line say: the ELF
header of the architecture, statically linked, no path of the build machine
inside, and the checksum that dist/SHA256SUMS lists for it."""

import hashlib
import os
import re
import subprocess

import pytest

from crossenv import EM_ARM, EF_ARM_ABI_FLOAT_HARD, EF_ARM_ABI_FLOAT_SOFT, PT_DYNAMIC, PT_INTERP, \
    ROOT, binary_under_test, read_elf

BINARY = binary_under_test()
VERSION = re.compile(r"\d+\.\d+\.\d+ \((gcc|clang) [\d.]+ on linux/(\w+); (glibc|musl)\)")


def version_line():
    p = subprocess.run([BINARY, "--version"], capture_output=True, timeout=30, env={},
                       stdin=subprocess.DEVNULL)
    assert (p.returncode, p.stderr) == (0, b"")
    m = VERSION.fullmatch(p.stdout.decode().rstrip("\n"))
    assert m, p.stdout
    return m


def test_elf_header_is_the_arch_of_the_version_line():
    elf = read_elf(BINARY)
    arch = version_line().group(2)
    assert elf.arch == arch
    if elf.machine == EM_ARM:  # armhf and armel differ only in the float ABI
        want = EF_ARM_ABI_FLOAT_HARD if arch == "armhf" else EF_ARM_ABI_FLOAT_SOFT
        assert elf.flags & want


def test_named_and_asked_for_arch():
    arch = version_line().group(2)
    if BINARY.name.startswith("gosu-"):
        assert BINARY.name == f"gosu-{arch}"
    if os.environ.get("GOSU_ARCH"):
        assert os.environ["GOSU_ARCH"] == arch


def test_statically_linked():
    types = read_elf(BINARY).phdr_types
    assert PT_INTERP not in types and PT_DYNAMIC not in types


def test_no_path_of_the_build_inside():
    data = BINARY.read_bytes()
    for path in {str(ROOT), os.getcwd(), os.path.realpath(ROOT)}:
        assert path.encode() not in data, path
    assert b"build/dist/" not in data


def test_checksum_listed_in_sha256sums():
    sums = BINARY.parent / "SHA256SUMS"
    if not sums.exists():
        pytest.skip("not a binary of dist/")
    listed = dict(reversed(line.split(maxsplit=1)) for line in sums.read_text().splitlines())
    assert listed[BINARY.name] == hashlib.sha256(BINARY.read_bytes()).hexdigest()
