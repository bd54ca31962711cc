"""A setuid or setgid copy refuses to do anything (behaviour.md §8), with
/proc mounted or not, and no environment variable changes that."""

import ctypes
import os
import shutil

import pytest

from conftest import MNT_DETACH, Caller, _libc, run_ns

PASSWD = "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/sh\n"
GROUP = "root:x:0:\nuser:x:1000:\n"
USER = Caller(1000, 1000, (1000,))
GOSU_PLEASE = ("GOSU_PLEASE_LET_ME_BE_COMPLETELY_INSECURE_I_GET_TO_KEEP_ALL_THE_PIECES",
               "I've seen things you people wouldn't believe. Attack ships on fire off the shoulder of "
               "Orion. I watched C-beams glitter in the dark near the Tannh\u00e4user Gate. All those "
               "moments will be lost in time, like tears in rain. Time to die.")


def copy_with_mode(gosu, mode, without_proc=False):
    def setup():
        # /etc is this case's own tmpfs, mounted without nosuid.
        shutil.copy(gosu.path, "/etc/gosu")
        os.chown("/etc/gosu", 0, 0)
        os.chmod("/etc/gosu", mode)
        if without_proc:
            if _libc.umount2(b"/proc", MNT_DETACH) != 0:
                raise OSError(ctypes.get_errno(), "umount /proc")
    return setup


def message(kind):
    if kind == "setuid":
        return ("error: /etc/gosu appears to be installed with the 'setuid' bit set, which is an "
                "*extremely* insecure and completely unsupported configuration! (what you want "
                "instead is likely 'sudo' or 'su')\n")
    return ("error: /etc/gosu appears to be installed with the 'setgid' bit set, which is not quite "
            "*as* insecure as 'setuid', but still not great, and definitely a completely unsupported "
            "configuration! (what you want instead is likely 'sudo' or 'su')\n")


CASES = [  # mode, who runs it, /proc unmounted, the refusal
    (0o4755, USER, False, "setuid"),
    (0o4755, USER, True, "setuid"),
    (0o4755, Caller(), False, "setuid"),  # root running a setuid copy: only the mode bit tells
    (0o2755, USER, False, "setgid"),
    (0o2755, USER, True, "setgid"),
    (0o2755, Caller(), False, "setgid"),
]


@pytest.mark.parametrize("mode,caller,without_proc,kind", CASES)
@pytest.mark.parametrize("args", [["root", "/bin/true"], ["--version"], ["--help"], []])
def test_setid_copy_refuses(gosu, mode, caller, without_proc, kind, args):
    env = {"PATH": "/bin", GOSU_PLEASE[0]: GOSU_PLEASE[1]}
    r = run_ns(["/etc/gosu", *args], passwd=PASSWD, group=GROUP, caller=caller, env=env,
               setup=copy_with_mode(gosu, mode, without_proc))
    assert (r.rc, r.out, r.stderr) == (1, b"", message(kind))


def test_plain_copy_without_proc_works(gosu):
    r = run_ns(["/etc/gosu", "user", "/bin/true"], passwd=PASSWD, group=GROUP,
               setup=copy_with_mode(gosu, 0o755, True), env={"PATH": "/bin"})
    assert (r.rc, r.stderr) == (0, "")
