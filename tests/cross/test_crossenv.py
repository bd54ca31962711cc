"""crossenv's decision, native or emulated, from the binary and the machine
alone: a binfmt_misc that is not mounted here does not make a foreign
binary native."""

import struct

import crossenv
from crossenv import ARCHES, EM_ARM, EF_ARM_ABI_FLOAT_HARD


def elf(path, arch):
    bits, order, machine = ARCHES[arch]
    e = "<" if order == "little" else ">"
    head = bytearray(64)
    head[:6] = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if order == "little" else 2])
    struct.pack_into(e + "H", head, 18, machine)
    flags = EF_ARM_ABI_FLOAT_HARD if machine == EM_ARM and arch == "armhf" else 0
    struct.pack_into(e + "I", head, 48 if bits == 64 else 36, flags)
    path.write_bytes(bytes(head))
    return path


def test_native_from_the_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(crossenv, "BINFMT", tmp_path / "not-mounted")
    assert crossenv.emulator(elf(tmp_path / "a", "amd64"), "x86_64") is None
    assert crossenv.emulator(elf(tmp_path / "i", "i386"), "x86_64") is None
    assert crossenv.emulator(elf(tmp_path / "b", "arm64"), "aarch64") is None


def test_foreign_is_emulated_even_without_binfmt_misc_mounted(tmp_path, monkeypatch):
    monkeypatch.setattr(crossenv, "BINFMT", tmp_path / "not-mounted")
    for arch in ("arm64", "armhf", "ppc64el", "s390x", "riscv64", "mips64el"):
        emu = crossenv.emulator(elf(tmp_path / arch, arch), "x86_64")
        assert emu is not None and not emu.credentials, arch
    assert crossenv.emulator(elf(tmp_path / "x", "amd64"), "aarch64") is not None
