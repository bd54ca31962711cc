"""A passwd file rewritten in place (not renamed over) while gosu reads it:
a read that straddles two versions must never give an entry made of both
(behaviour.md §4). gosu is held between its reads by strace's syscall
delays while the test rewrites the file, so the race is not left to luck."""

import os
import shutil
import threading
import time

import pytest

from conftest import IS_ROOT, run_ns

pytestmark = pytest.mark.skipif(not shutil.which("strace"), reason="needs strace (apt-get install strace)")

CHUNK = 32 << 10  # what gosu reads at a time from a file this large
GROUP = "root:x:0:\napp:x:1000:\n"


def padding(n):
    """n bytes of harmless lines."""
    lines, i = [], 0
    while n > 0:
        line = f"p{i}:x:{5000 + i % 1000}:5000::/:\n"
        if len(line) > n or n - len(line) < 12:
            line = "#" + "-" * (n - 2) + "\n"
        lines.append(line)
        n -= len(line)
        i += 1
    return "".join(lines)


def versions():
    """Two files of one size. Alone, each gives app uid 1000. Where the
    first read of the old one ends, it leaves "app:x:"; the new one has
    "0:0:..." right after that place."""
    tail = "1000:1000::/home/app:/bin/sh\n"
    old = padding(CHUNK - len("app:x:")) + "app:x:" + tail
    head = "app:x:1000:1000::/home/app:/bin/sh\n"
    trap = "# was app:x:"
    root = "0:0::/root:/bin/sh\n"
    new = head + padding(CHUNK - len(head) - len(trap)) + trap + root
    new += padding(len(old) - len(new))
    assert len(old) == len(new) and old[:CHUNK].endswith("app:x:") and new[CHUNK:].startswith("0:0:")
    return old, new


def parent(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def gosu_reading_passwd(at):
    """The pid of our gosu (its parent is the strace this test started; other
    runs of the suite may go on beside this one) whose fd 3 is /etc/passwd,
    read up to offset at."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "gosu" or parent(parent(pid)) != os.getpid():
                    continue
            if os.readlink(f"/proc/{pid}/fd/3") != "/etc/passwd":
                continue
            with open(f"/proc/{pid}/fdinfo/3") as f:
                if f"pos:\t{at}\n" in f.read():
                    return pid
        except OSError:
            continue
    return None


def rewrite(pid, text):
    """In place, through gosu's own view of /etc: no O_TRUNC, same size."""
    fd = os.open(f"/proc/{pid}/root/etc/passwd", os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def traced(gosu, delays):
    return ["strace", "-qq", "-o", "/dev/null", "-e", "trace=read",
            "-e", f"inject=read:delay_enter={delays}", gosu.path, "app", gosu.probe]


@pytest.mark.skipif(not IS_ROOT, reason="needs root")
def test_rewritten_between_two_reads_is_read_again(gosu):
    old, new = versions()
    done = threading.Event()

    def rewriter():
        while not done.is_set():
            pid = gosu_reading_passwd(CHUNK)
            if pid:
                time.sleep(0.05)  # gosu waits in its second read
                rewrite(pid, new)
                return
            time.sleep(0.002)

    t = threading.Thread(target=rewriter)
    t.start()
    try:
        # The second read of the file waits a second before it starts.
        r = run_ns(traced(gosu, "1000000:when=2"), passwd=old, group=GROUP)
    finally:
        done.set()
        t.join()
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, r.home) == ([1000] * 4, [1000] * 4, "/home/app")


@pytest.mark.skipif(not IS_ROOT, reason="needs root")
def test_file_that_keeps_changing_is_an_error(gosu):
    old, new = versions()
    done = threading.Event()

    def rewriter():
        pid, flip = None, False
        while not done.is_set():
            pid = pid or gosu_reading_passwd(CHUNK) or gosu_reading_passwd(0)
            if pid:
                try:
                    rewrite(pid, new if flip else old)
                except OSError:
                    return  # gosu is gone
                flip = not flip
            time.sleep(0.01)

    t = threading.Thread(target=rewriter)
    t.start()
    try:
        # Every read waits long enough for a rewrite or two.
        r = run_ns(traced(gosu, "100000:when=1+"), passwd=old, group=GROUP, timeout=30)
    finally:
        done.set()
        t.join()
    assert (r.rc, r.out) == (1, b""), r.stderr
    assert r.stderr == "error: failed switching to 'app': read /etc/passwd: changed while read\n"
