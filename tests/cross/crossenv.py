"""What the binary under test is and how this machine runs it: the ELF
header gives its architecture, /proc/sys/fs/binfmt_misc tells whether the
kernel hands it to an emulator (qemu-user) or runs it itself."""

import os
import struct
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINFMT = Path("/proc/sys/fs/binfmt_misc")

EM_386, EM_MIPS, EM_PPC64, EM_S390, EM_ARM = 3, 8, 21, 22, 40
EM_X86_64, EM_AARCH64, EM_RISCV, EM_LOONGARCH = 62, 183, 243, 258
EF_ARM_ABI_FLOAT_SOFT, EF_ARM_ABI_FLOAT_HARD = 0x200, 0x400
PT_DYNAMIC, PT_INTERP = 2, 3

# gosu's architecture name -> (ELF class bits, byte order, e_machine)
ARCHES = {
    "amd64": (64, "little", EM_X86_64),
    "i386": (32, "little", EM_386),
    "arm64": (64, "little", EM_AARCH64),
    "armhf": (32, "little", EM_ARM),
    "armel": (32, "little", EM_ARM),
    "ppc64el": (64, "little", EM_PPC64),
    "s390x": (64, "big", EM_S390),
    "riscv64": (64, "little", EM_RISCV),
    "mips64el": (64, "little", EM_MIPS),
    "loong64": (64, "little", EM_LOONGARCH),
}


@dataclass
class Elf:
    bits: int
    order: str
    machine: int
    flags: int
    phdr_types: tuple

    @property
    def arch(self):
        for name, (bits, order, machine) in ARCHES.items():
            if (bits, order, machine) == (self.bits, self.order, self.machine):
                if machine == EM_ARM:
                    return "armhf" if self.flags & EF_ARM_ABI_FLOAT_HARD else "armel"
                return name
        return None


def read_elf(path):
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF":
        raise ValueError(f"{path}: not an ELF file")
    bits = {1: 32, 2: 64}[data[4]]
    order = {1: "little", 2: "big"}[data[5]]
    e = "<" if order == "little" else ">"
    if bits == 64:
        machine, = struct.unpack_from(e + "H", data, 18)
        phoff, = struct.unpack_from(e + "Q", data, 32)
        flags, = struct.unpack_from(e + "I", data, 48)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 54)
    else:
        machine, = struct.unpack_from(e + "H", data, 18)
        phoff, = struct.unpack_from(e + "I", data, 28)
        flags, = struct.unpack_from(e + "I", data, 36)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 42)
    types = tuple(struct.unpack_from(e + "I", data, phoff + i * phentsize)[0] for i in range(phnum))
    return Elf(bits, order, machine, flags, types)


@dataclass
class Handler:
    """A binfmt_misc entry that claims the binary: an emulator."""
    name: str
    interpreter: str
    flags: str

    @property
    def credentials(self):
        # 'C': the kernel computes credentials (setuid bits) from the binary.
        return "C" in self.flags


def binfmt_handler(path):
    """The enabled binfmt_misc entry that would run path, or None (the
    kernel runs it itself, or cannot run it at all)."""
    try:
        if (BINFMT / "status").read_text().strip() != "enabled":
            return None
        entries = [p for p in BINFMT.iterdir() if p.name not in ("register", "status")]
    except OSError:
        return None
    head = Path(path).read_bytes()[:256]
    for entry in sorted(entries):
        try:
            lines = entry.read_text().splitlines()
        except OSError:
            continue
        if not lines or lines[0] != "enabled":
            continue
        fields = dict(line.split(" ", 1) if " " in line else (line, "") for line in lines[1:])
        if "magic" not in fields:
            continue  # an extension entry
        off = int(fields.get("offset", "0"))
        magic = bytes.fromhex(fields["magic"])
        mask = bytes.fromhex(fields.get("mask", "ff" * len(magic)))
        chunk = head[off:off + len(magic)]
        if len(chunk) == len(magic) and all(c & m == g & m for c, g, m in zip(chunk, magic, mask)):
            return Handler(entry.name, fields.get("interpreter", ""),
                           fields.get("flags:", fields.get("flags", "")).strip())
    return None


def binary_under_test():
    return Path(os.environ.get("GOSU_BINARY", ROOT / "gosu")).resolve()


# The architectures each machine's kernel runs itself.
NATIVE = {"x86_64": {"amd64", "i386"}, "i686": {"i386"}, "aarch64": {"arm64"},
          "armv7l": {"armhf", "armel"}, "ppc64le": {"ppc64el"}, "s390x": {"s390x"},
          "riscv64": {"riscv64"}, "mips64": {"mips64el"}, "loongarch64": {"loong64"}}


def emulator(path=None, machine=None):
    """How the binary under test runs: None when this machine's kernel runs
    it itself, else the binfmt_misc handler that runs it. Decided from the
    binary and the machine: binfmt_misc may be registered and still not be
    mounted in this mount namespace, and then the handler's details are
    unknown, not absent."""
    path = path or binary_under_test()
    if read_elf(path).arch in NATIVE.get(machine or os.uname().machine, ()):
        return None
    return binfmt_handler(path) or Handler("qemu-user", "unknown: binfmt_misc is not readable here", "")
