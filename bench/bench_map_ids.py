#!/usr/bin/python3
"""The --map-ids figures of `make bench` (BENCHMARKS.md):

1. a restart with nothing to change against plain gosu, in the exec
   benchmark's runner (target: at most 1.10x);
2. a first start against the classic entrypoint (groupadd, useradd -m,
   chown -R of the home, exec gosu) on the same home (target: 0.1x);
3. the repair of a home of 10,000 entries, half of them the old uid's:
   the time, and the system calls per entry (strace -c).

Runs as root, in a private mount namespace of its own with a tmpfs over
/etc and over /home: the host's are never touched. Prints Markdown and
writes build/bench/map-ids.json."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "build", "bench")
GOSU = os.path.join(ROOT, "gosu")
NOOP = os.path.join(TOOLS, "noop")
RUNNER = os.path.join(TOOLS, "runner")
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

BASE_PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n"
BASE_GROUP = "root:x:0:\nusers:x:100:\nnogroup:x:65534:\n"
APP_PASSWD = BASE_PASSWD + "app:x:999:999::/home/app:/bin/sh\n"
APP_GROUP = BASE_GROUP + "app:x:999:\n"


def write_etc(passwd, group):
    for name, text in (("passwd", passwd), ("group", group),
                       ("shadow", "".join(l.split(":")[0] + ":*:19000:0:99999:7:::\n"
                                          for l in passwd.splitlines())),
                       ("gshadow", "".join(l.split(":")[0] + ":*::\n" for l in group.splitlines()))):
        with open("/etc/" + name, "w") as f:
            f.write(text)
    for leftover in os.listdir("/etc"):
        if leftover.endswith(("-", ".lock", "+")):
            os.unlink("/etc/" + leftover)


def make_home(entries, old_share=1.0, uid=999):
    """/home/app with `entries` entries (directories of 100 files each);
    old_share of them the old uid's, the rest another user's."""
    shutil.rmtree("/home/app", ignore_errors=True)
    os.makedirs("/home/app")
    os.chown("/home/app", uid, uid)
    made = 0
    d = None
    while made < entries:
        if made % 100 == 0:
            d = f"/home/app/d{made // 100}"
            os.mkdir(d)
            path = d
        else:
            path = f"{d}/f{made}"
            with open(path, "w"):
                pass
        owner = uid if (made % 1000) < old_share * 1000 else 4242
        os.lchown(path, owner, owner)
        made += 1


def timed(argv, reset, runs):
    """Wall times (ms) of argv, with reset() before each run, untimed."""
    out = []
    for _ in range(runs):
        reset()
        t = time.perf_counter_ns()
        subprocess.run(argv, env=ENV, check=True, stdout=subprocess.DEVNULL)
        out.append((time.perf_counter_ns() - t) / 1e6)
    return out


def restart(blocks, runs):
    """Plain gosu against a restart of --map-ids with nothing to change,
    interleaved in the runner's blocks."""
    write_etc(APP_PASSWD, APP_GROUP)
    make_home(100)
    subprocess.run([GOSU, "--map-ids=1000:1000", "app", NOOP], check=True)
    argv = [RUNNER, str(blocks), str(runs), "20", GOSU, "app", NOOP, ":::",
            GOSU, "--map-ids=1000:1000", "app", NOOP]
    out = subprocess.run(argv, env=ENV, check=True, capture_output=True, text=True,
                         start_new_session=True).stdout
    blocks_of = [{}, {}]
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        b, c, _, ns, _, _ = map(int, line.split())
        blocks_of[c].setdefault(b, []).append(ns)
    med = [{b: statistics.median(v) for b, v in d.items()} for d in blocks_of]
    plain = statistics.median(med[0].values())
    mapped = statistics.median(med[1].values())
    return {"plain_us": plain / 1e3, "restart_us": mapped / 1e3,
            "ratio": statistics.median(med[1][b] / med[0][b] for b in med[0])}


CLASSIC = """set -e
groupadd -g 1000 app
useradd -u 1000 -g 1000 -m -d /home/app -s /bin/sh app
chown -R 1000:1000 /home/app
exec {gosu} app {noop}
"""


def first_start(runs, entries):
    def ours():
        write_etc(APP_PASSWD, APP_GROUP)
        make_home(entries)

    def classic():
        write_etc(BASE_PASSWD, BASE_GROUP)
        make_home(entries)
        # useradd -m of an existing directory: the image's files are there.
    script = CLASSIC.format(gosu=GOSU, noop=NOOP)
    t_ours = timed([GOSU, "--map-ids=1000:1000", "app", NOOP], ours, runs)
    t_classic = timed(["sh", "-c", script], classic, runs)
    mo, mc = statistics.median(t_ours), statistics.median(t_classic)
    return {"entries": entries, "ours_ms": mo, "classic_ms": mc, "ratio": mo / mc}


def walker(runs, entries=10000):
    def fresh():
        write_etc(APP_PASSWD, APP_GROUP)
        make_home(entries, old_share=0.5)
    times = timed([GOSU, "--map-ids=1000:1000", "app", NOOP], fresh, runs)
    fresh()
    subprocess.run(["strace", "-f", "-c", "-o", "/tmp/map-ids.strace", GOSU,
                    "--map-ids=1000:1000", "app", NOOP], env=ENV, check=True, capture_output=True)
    with open("/tmp/map-ids.strace") as f:
        total = [l for l in f.read().splitlines() if l.rstrip().endswith("total")][0]
    calls = int(total.split()[3 if len(total.split()) > 5 else 2])
    os.unlink("/tmp/map-ids.strace")
    return {"entries": entries, "ms": statistics.median(times),
            "us_per_entry": statistics.median(times) * 1e3 / entries,
            "syscalls": calls, "syscalls_per_entry": calls / entries}


def inner():
    if os.stat("/etc").st_dev == os.stat("/").st_dev and not os.environ.get("MAP_BENCH_NS"):
        sys.exit("bench: not in a private mount namespace")
    for d in ("/etc", "/home"):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "bench", d], check=True)
    res = {"restart": restart(10, 50), "first_start": first_start(20, 100),
           "first_start_big": first_start(5, 2000), "walker": walker(5)}
    print(json.dumps(res))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        return inner()
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "--",
                          "env", "MAP_BENCH_NS=1", sys.executable, __file__, "--inner"],
                         check=True, capture_output=True, text=True).stdout
    res = json.loads(out)
    os.makedirs(TOOLS, exist_ok=True)
    with open(os.path.join(TOOLS, "map-ids.json"), "w") as f:
        json.dump(res, f, indent=1)
    r, w = res["restart"], res["walker"]
    print("## --map-ids\n")
    print("| case | ours | compared with | ratio | target |\n|---|---|---|---|---|")
    print(f"| restart, nothing to change | {r['restart_us']:.0f} µs | plain gosu {r['plain_us']:.0f} µs"
          f" | {r['ratio']:.2f}× | ≤ 1.10× |")
    for key in ("first_start", "first_start_big"):
        s = res[key]
        print(f"| first start, home of {s['entries']} entries | {s['ours_ms']:.1f} ms | groupadd + "
              f"useradd -m + chown -R + gosu {s['classic_ms']:.1f} ms | {s['ratio']:.2f}× | ≤ 0.1× |")
    print(f"\nThe repair of a home of {w['entries']} entries, half the old uid's: "
          f"{w['ms']:.1f} ms ({w['us_per_entry']:.2f} µs per entry), {w['syscalls']} system calls "
          f"({w['syscalls_per_entry']:.2f} per entry).")


if __name__ == "__main__":
    main()
