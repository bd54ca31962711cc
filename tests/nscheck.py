"""The test harnesses run each case in a private mount namespace with a
tmpfs over /etc. Where none can be made, say so once, with the reason and
the fix, instead of failing every case."""

import ctypes
import os
import sys

import pytest

CLONE_NEWNS, MS_REC, MS_PRIVATE = 0x00020000, 0x4000, 0x40000


def namespace_problem():
    """Why such a namespace cannot be made here, or None: tried once, in a
    child."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        for what, rc in (("unshare(CLONE_NEWNS)", lambda: libc.unshare(CLONE_NEWNS)),
                         ("mount / private", lambda: libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None)),
                         ("mount a tmpfs on /etc", lambda: libc.mount(b"gosu-test", b"/etc", b"tmpfs", 0, b"mode=755"))):
            if rc() != 0:
                os.write(wr, f"{what}: {os.strerror(ctypes.get_errno())}".encode())
                os._exit(1)
        os._exit(0)
    os.close(wr)
    with os.fdopen(rd) as f:
        why = f.read()
    _, status = os.waitpid(pid, 0)
    return None if status == 0 else why or f"status {status}"


def exit_without_namespace():
    why = namespace_problem()
    if why:
        pytest.exit(
            f"the tests cannot make their private mount namespace here ({why}). Each case needs "
            "one, so that the host's /etc is never touched. In a chroot, make its / a mount point "
            "first (mount --bind DIR DIR, then chroot DIR); in a container, give it CAP_SYS_ADMIN "
            "(docker run --privileged), or run the suite on the host.", returncode=1)

