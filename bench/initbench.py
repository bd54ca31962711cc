"""The --init part of `make bench`: the running init's resident memory, how
long a signal takes from the init to COMMAND's handler, and how long an
orphan stays a zombie, for `gosu --init` and for Debian's tini in front of
plain gosu (tini-static for the memory: the build one would copy into an
image), with the same command."""
import os
import select
import signal
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = os.path.join(ROOT, "gosu")
PROBE = os.path.join(ROOT, "build", "probe")  # `probe --signals` records each signal
PIDNS = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]
INITS = [("ours", "gosu --init nobody", lambda *cmd: [OURS, "--init", "nobody", *cmd]),
         ("tini", "tini -s -- gosu nobody", lambda *cmd: ["/usr/bin/tini", "-s", "--", OURS, "nobody", *cmd]),
         ("tini_static", "tini-static -s -- gosu nobody",
          lambda *cmd: ["/usr/bin/tini-static", "-s", "--", OURS, "nobody", *cmd])]
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(x) for x in f.read().split()]


def status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f)


def wait_for(what, timeout=5):
    deadline = time.monotonic() + timeout
    while not (v := what()):
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.001)
    return v


def kb(field):
    return int(field.split()[0])


def memory(argv):
    """VmRSS and VmHWM, KiB, of the init as PID 1 with COMMAND running."""
    p = subprocess.Popen(PIDNS + argv("sleep", "1000"), env=ENV, stdin=subprocess.DEVNULL)
    try:
        pid1 = wait_for(lambda: children(p.pid))[0]
        wait_for(lambda: any(status(c)["Name"] == "sleep" for c in children(pid1)))
        time.sleep(0.2)
        st = status(pid1)
        return {"rss_kb": kb(st["VmRSS"]), "hwm_kb": kb(st["VmHWM"]), "uid": int(st["Uid"].split()[0])}
    finally:
        p.kill()
        p.wait()


def forwarding(argvs, n):
    """Per argv, microseconds from kill() on the init to the line COMMAND's
    handler writes, n times, the inits taking turns so that they share the
    machine's moods alike; an argv None sends to COMMAND directly (the
    floor)."""
    cmd = [PROBE, "--signals"]
    procs = [subprocess.Popen(argv(*cmd) if argv else cmd, env=ENV, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE) for argv in argvs]
    took = [[] for _ in procs]
    try:
        for p in procs:
            assert os.read(p.stdout.fileno(), 64) == b"ready\n"
        for _ in range(n):
            for p, t in zip(procs, took):
                fd = p.stdout.fileno()
                start = time.perf_counter_ns()
                os.kill(p.pid, signal.SIGUSR1)
                select.select([fd], [], [], 5)
                assert os.read(fd, 64) == b"sig\t10\n"
                t.append((time.perf_counter_ns() - start) / 1e3)
        return took
    finally:
        for p in procs:
            p.kill()
            p.wait()
            p.stdout.close()


# COMMAND leaves an orphan on each line it reads: its pid, then it exits
# 20 ms later and waits for the init to reap it.
ORPHANS = "while read x; do sh -c 'sleep 0.02 & echo $!'; done"


def reaping(argvs, n):
    """Per argv, microseconds from an orphan's exit (its pidfd becomes
    readable) to its reaping (its /proc entry gone), n times, the inits
    taking turns. Not as PID 1, so the pids are ours."""
    procs = [subprocess.Popen(argv("/bin/sh", "-c", ORPHANS), env=ENV, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE) for argv in argvs]
    took = [[] for _ in procs]
    try:
        for _ in range(n):
            for p, t in zip(procs, took):
                p.stdin.write(b"\n")
                p.stdin.flush()
                pid = int(p.stdout.readline())
                try:
                    pidfd = os.pidfd_open(pid)
                except ProcessLookupError:
                    continue  # gone before it could be watched: no sample
                try:
                    select.select([pidfd], [], [], 5)
                    exited = time.perf_counter_ns()
                    while os.path.exists(f"/proc/{pid}"):
                        os.sched_yield()  # the init may need this CPU
                    t.append((time.perf_counter_ns() - exited) / 1e3)
                finally:
                    os.close(pidfd)
        return took
    finally:
        for p in procs:
            p.kill()
            p.wait()


def summary(xs):
    q = statistics.quantiles(xs, n=10) if len(xs) > 1 else xs
    return {"median_us": statistics.median(xs), "p10_us": q[0], "p90_us": q[-1], "n": len(xs)}


def run(signals=300, orphans=100):
    argvs = [argv for _, _, argv in INITS]
    direct, *fwd = forwarding([None] + argvs, signals)
    reaps = reaping(argvs, orphans)
    res = {"direct_signal": summary(direct)}
    for (key, label, argv), f, z in zip(INITS, fwd, reaps):
        res[key] = {"label": label, **memory(argv), "signal": summary(f), "reap": summary(z)}
    return res


def report(r):
    L = ["", "The init (`--init`), against Debian's tini 0.19 in front of plain gosu: the running "
         "init's memory as PID 1 of a PID namespace (COMMAND `sleep`), signal forwarding "
         "(SIGUSR1 sent to the init → COMMAND's handler has run, as its pipe shows; "
         f"to COMMAND directly: {r['direct_signal']['median_us']:.0f} µs median), and the time "
         "an orphan stays a zombie (not PID 1: subreapers, `tini -s`).", "",
         "| init | runs as uid | VmRSS KiB | VmHWM KiB | forwarding µs, median (p10–p90) "
         "| zombie µs, median (p10–p90) |", "|---|--:|--:|--:|--:|--:|"]
    for key, _, _ in INITS:
        x = r[key]
        s, z = x["signal"], x["reap"]
        L.append(f"| {x['label']} | {x['uid']} | {x['rss_kb']} | {x['hwm_kb']} "
                 f"| {s['median_us']:.0f} ({s['p10_us']:.0f}–{s['p90_us']:.0f}) "
                 f"| {z['median_us']:.0f} ({z['p10_us']:.0f}–{z['p90_us']:.0f}), n={z['n']} |")
    return L


def targets(r):
    o, t = r["ours"], r["tini_static"]
    return [("init's VmRSS vs tini-static's", "≤ tini-static's", f"{o['rss_kb']} vs {t['rss_kb']} KiB",
             o["rss_kb"] <= t["rss_kb"]),
            ("signal forwarding vs tini-static", "≤ tini-static's",
             f"{o['signal']['median_us']:.0f} vs {t['signal']['median_us']:.0f} µs",
             o["signal"]["median_us"] <= t["signal"]["median_us"]),
            ("init's uid", "not root", str(o["uid"]), o["uid"] != 0)]
