#!/usr/bin/python3
"""The benchmark behind `make bench`; BENCHMARKS.md says what it measures.

Run as root from the top of the tree after `make gosu bench-tools` (which
`make bench` does). Prints a Markdown report and writes it, with the raw
figures, to build/bench/report.md and build/bench/results.json.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import initbench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "build", "bench")
NOOP = os.path.join(TOOLS, "noop")
TRAMPOLINE = os.path.join(TOOLS, "trampoline")
FLOOR = os.path.join(TOOLS, "floor")
RUNNER = os.path.join(TOOLS, "runner")
PEAKRSS = os.path.join(TOOLS, "peakrss")
READALL = os.path.join(TOOLS, "readall")
OURS = os.path.join(ROOT, "gosu")
GOSU = "/usr/sbin/gosu"
SETPRIV = "/usr/bin/setpriv"
# One small, fixed environment for every command: the environment is
# copied by each execve, so its size must not differ between runs.
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

# The exec benchmark: (key, label, argv). The trampoline is the floor.
EXEC_CMDS = [
    ("noop", "static no-op", [NOOP]),
    ("trampoline", "static trampoline → no-op", [TRAMPOLINE, NOOP]),
    # The system calls the job itself needs, and nothing else
    # (bench/floor.c): what no implementation of behaviour.md can beat.
    ("floor", "required-work floor → no-op", [FLOOR, NOOP]),
    ("ours", "our gosu nobody no-op", [OURS, "nobody", NOOP]),
    ("gosu", "Debian gosu nobody no-op", [GOSU, "nobody", NOOP]),
    ("setpriv", "setpriv --reuid=nobody --regid=nogroup --init-groups no-op",
     [SETPRIV, "--reuid=nobody", "--regid=nogroup", "--init-groups", NOOP]),
    # On a controlling terminal (as under `docker run -t`) our default
    # installs the terminal guard, a seccomp filter. The rows above have no
    # terminal; the trampoline on one gives the cost of getting one.
    ("tramp_tty", "static trampoline → no-op, on a terminal",
     ["+tty", TRAMPOLINE, NOOP]),
    ("ours_tty", "our gosu nobody no-op, on a terminal (guard on)",
     ["+tty", OURS, "nobody", NOOP]),
]
# The terminal benchmark, run as in a container: the runner is PID 1 of a
# new PID namespace with its own /proc. On a terminal the runner holds too
# (+tty, as a shell holds its own), gosu's default installs the guard; on
# one only the command's session holds (+pty: the runner keeps the master
# side, as a container engine does; `docker run -t` with `exec gosu`), it
# does not. The check is that the rows do what they say: `grep -q` exits 0
# only when the Seccomp line matches.
IN_CONTAINER = ["unshare", "--pid", "--fork", "--mount-proc", "--"]
TTY_CMDS = [
    ("tramp_own", "static trampoline → no-op, leading its own terminal",
     ["+pty", TRAMPOLINE, NOOP], None),
    ("ours_own", "our gosu nobody no-op, leading its own terminal: no guard",
     ["+pty", OURS, "nobody", NOOP], "0"),
    ("tramp_shared", "static trampoline → no-op, on a terminal another session holds",
     ["+tty", TRAMPOLINE, NOOP], None),
    ("ours_shared", "our gosu nobody no-op, on a terminal another session holds: guard",
     ["+tty", OURS, "nobody", NOOP], "2"),
    ("ours_shared_off", "our gosu --no-tty-guard nobody no-op, the same",
     ["+tty", OURS, "--no-tty-guard", "nobody", NOOP], "0"),
]
# The ladder: the required-work floor stopped after each step (floor.c).
LADDER = [("trampoline: exec only", TRAMPOLINE),
          ("1. /proc/self/exe and the ids (§8)", os.path.join(TOOLS, "floor-1")),
          ("2. read /etc/passwd and /etc/group (§3, §4)", os.path.join(TOOLS, "floor-2")),
          ("3. /dev/tty: ENXIO, and its node (§9)", os.path.join(TOOLS, "floor-3")),
          ("4. setgroups, setresgid, setresuid (§5)", os.path.join(TOOLS, "floor-4")),
          ("5. clear capabilities, read everything back (§5)", os.path.join(TOOLS, "floor-5")),
          ("6. stat and access the command (§7): the whole floor", FLOOR)]
SIZES = [1000, 10000, 100000]
MEMBERS = 20
UID0 = 100000


def sh(argv, **kw):
    return subprocess.run(argv, check=True, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, text=True, **kw).stdout


def run_blocks(cmds, blocks, runs, warmup, wrap=()):
    """Times the commands (lists of argv) with the runner (started under
    wrap); returns the fork-only ru_maxrss and, per command, a list of
    (block, wall ns, ru_maxrss KiB, CPU µs)."""
    argv = [*wrap, RUNNER, str(blocks), str(runs), str(warmup)]
    for i, c in enumerate(cmds):
        argv += ([":::"] if i else []) + c
    out = sh(argv, env=ENV, start_new_session=True)
    fork_rss, data = None, [[] for _ in cmds]
    for line in out.splitlines():
        if line.startswith("# fork-only maxrss_kb"):
            fork_rss = int(line.split()[-1])
            continue
        b, c, _, ns, rss, cpu = map(int, line.split())
        data[c].append((b, ns, rss, cpu))
    return fork_rss, data


def block_medians(rows, field):
    by_block = {}
    for r in rows:
        by_block.setdefault(r[0], []).append(r[field])
    return {b: statistics.median(v) for b, v in by_block.items()}


def ratio(data, i, j, field=1):
    """Median over blocks of (median of i in the block / median of j), of
    the wall time (field 1) or the CPU time (field 3)."""
    mi, mj = block_medians(data[i], field), block_medians(data[j], field)
    return statistics.median(mi[b] / mj[b] for b in mi)


def time_stats(rows):
    ns = sorted(r[1] for r in rows)
    q = statistics.quantiles(ns, n=10) if len(ns) > 1 else ns
    return {"median_us": statistics.median(ns) / 1e3,
            "p10_us": q[0] / 1e3, "p90_us": q[-1] / 1e3,
            "cpu_us": statistics.median(r[3] for r in rows),
            "ru_maxrss_kb": statistics.median(r[2] for r in rows),
            "runs": len(ns)}


def peak_rss(argv, reps):
    """Per image (the tool, then what it exec'd): the median over reps of
    its exact peak RSS in KiB."""
    images = []
    for _ in range(reps):
        out = sh([PEAKRSS] + [a for a in argv if a != "+tty"], env=ENV,
                 start_new_session=True)
        for line in out.splitlines():
            _, n, kb, _, path = line.split(" ", 4)
            n = int(n)
            if n == len(images):
                images.append((path, []))
            images[n][1].append(int(kb))
    return [(path, statistics.median(kbs)) for path, kbs in images]


def size_of(path):
    real = os.path.realpath(path)
    info = {"bytes": os.path.getsize(real)}
    sections = sh(["readelf", "-SW", real])
    info["stripped"] = ".symtab" not in sections
    info["static"] = "INTERP" not in sh(["readelf", "-lW", real])
    return info


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    osname = "Linux"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    virt = subprocess.run(["systemd-detect-virt"], capture_output=True,
                          text=True).stdout.strip() if os.path.exists(
        "/usr/bin/systemd-detect-virt") else ""
    def version(argv):
        try:
            return sh(argv, stderr=subprocess.STDOUT).splitlines()[0]
        except (OSError, subprocess.CalledProcessError):
            return "?"
    return {"cpus": len(os.sched_getaffinity(0)), "cpu": cpu, "load": loadavg(),
            "memory_gib": round(mem_kb / 2**20, 1), "kernel": platform.release(),
            "os": osname, "virtualization": virt or "none detected",
            "ours": version([OURS, "--version"]),
            "gosu": version([GOSU, "--version"]),
            "setpriv": version([SETPRIV, "--version"])}


def ladder(args):
    """Each step of the floor, and ours, in alternating blocks: what every
    part of the job costs on this machine."""
    cmds = [[path, NOOP] for _, path in LADDER] + [[OURS, "nobody", NOOP]]
    _, data = run_blocks(cmds, args.blocks, args.runs, args.warmup)
    # What a step adds: its rise in × trampoline (per-block ratios cancel
    # drift) times the trampoline's time.
    tramp = statistics.median(r[1] for r in data[0]) / 1e3
    rows, prev = [], None
    for i, label in enumerate([l for l, _ in LADDER] + ["our gosu nobody"]):
        x = ratio(data, i, 0)
        rows.append({"label": label, "median_us": statistics.median(r[1] for r in data[i]) / 1e3,
                     "x_trampoline": x,
                     "added_us": None if prev is None or i == len(LADDER) else (x - prev) * tramp})
        prev = x
    return rows


def terminal(args):
    """The TTY_CMDS in alternating blocks, checked first."""
    for key, _, argv, seccomp in TTY_CMDS:
        if seccomp is not None:
            check = argv[:-1] + ["/bin/grep", "-q", f"^Seccomp:\t{seccomp}$", "/proc/self/status"]
            run_blocks([check], 1, 1, 0, IN_CONTAINER)
    _, data = run_blocks([c for _, _, c, _ in TTY_CMDS], args.blocks, args.runs, args.warmup,
                         IN_CONTAINER)
    keys = [k for k, _, _, _ in TTY_CMDS]
    res = {}
    for i, (key, label, _, _) in enumerate(TTY_CMDS):
        r = time_stats(data[i])
        r["label"] = label
        base = "tramp_own" if key.endswith("_own") else "tramp_shared"
        r["x_trampoline"] = ratio(data, i, keys.index(base))
        r["cpu_x_trampoline"] = ratio(data, i, keys.index(base), 3)
        res[key] = r
    return res


def report_terminal(t):
    L = ["On a terminal, as in a container (the runner is PID 1 of its own PID namespace "
         "with its own /proc); each row × the trampoline on the same kind of terminal; "
         "the same blocks and rotation as above.", "",
         "| command | wall µs, median (p10–p90) | CPU µs | above its trampoline µs "
         "| × its trampoline | CPU × its trampoline |", "|---|--:|--:|--:|--:|--:|"]
    for key, label, _, _ in TTY_CMDS:
        r = t[key]
        base = t["tramp_own" if key.endswith("_own") else "tramp_shared"]
        L.append(f"| {label} | {r['median_us']:.0f} ({r['p10_us']:.0f}–{r['p90_us']:.0f}) "
                 f"| {r['cpu_us']:.0f} | {r['median_us'] - base['median_us']:.0f} "
                 f"| {r['x_trampoline']:.3f} | {r['cpu_x_trampoline']:.3f} |")
    guard = t["ours_shared"]["median_us"] - t["ours_shared_off"]["median_us"]
    own = t["ours_own"]["median_us"] - t["tramp_own"]["median_us"]
    off = t["ours_shared_off"]["median_us"] - t["tramp_shared"]["median_us"]
    return L + ["", f"The guard costs {guard:.0f} µs where it is installed (guard − "
                f"`--no-tty-guard` on the same terminal); leading its own terminal, ours adds "
                f"{own:.0f} µs to its trampoline, against {off:.0f} µs with `--no-tty-guard` "
                f"on a shared one.", ""]


# The scaling benchmark: generated databases, inside a mount namespace.

def write_db(directory, n):
    """n users, then n groups of MEMBERS members each; every user is in
    MEMBERS groups, so the last one has real memberships to find."""
    with open(os.path.join(directory, "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/bash\n")
        f.writelines(f"user{i}:x:{UID0 + i}:{UID0 + i}:User {i}:/home/user{i}:/bin/sh\n"
                     for i in range(n))
    with open(os.path.join(directory, "group"), "w") as f:
        f.write("root:x:0:\n")
        f.writelines(f"group{j}:x:{UID0 + j}:" +
                     ",".join(f"user{(MEMBERS * j + k) % n}" for k in range(MEMBERS)) + "\n"
                     for j in range(n))


def scale_inner(args):
    """Runs in the private mount namespace that scale() made: the bind
    mounts below vanish with it and never touch the host's /etc."""
    if os.readlink("/proc/self/ns/mnt") == args.host_ns:
        sys.exit("bench: not in a private mount namespace; refusing to mount over /etc")
    d, n = args.dir, args.scale_inner
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "bench-etc", d], check=True)
    write_db(d, n)
    for name in ("passwd", "group"):
        os.chmod(os.path.join(d, name), 0o644)
        subprocess.run(["mount", "--bind", os.path.join(d, name), "/etc/" + name], check=True)
    user = f"user{n - 1}"
    res = {"n": n, "passwd_bytes": os.path.getsize("/etc/passwd"),
           "group_bytes": os.path.getsize("/etc/group")}
    # Both must really resolve the user, with its memberships.
    for key, tool in (("ours", OURS), ("gosu", GOSU)):
        ids = sh([tool, user, "/usr/bin/id", "-u"], env=ENV).split()
        groups = sh([tool, user, "/usr/bin/id", "-G"], env=ENV).split()
        if ids != [str(UID0 + n - 1)] or len(groups) < MEMBERS:
            sys.exit(f"bench: {tool} {user} gave uid {ids}, groups {groups}")
        res[key + "_groups"] = len(groups)
    cmds = [[OURS, user, NOOP], [GOSU, user, NOOP], [READALL, NOOP]]
    if args.baseline:
        cmds.append([args.baseline, user, NOOP])
    blocks = args.scale_blocks
    runs = min(100, max(1, args.scale_runs * max(SIZES) // n))
    fork_rss, data = run_blocks(cmds, blocks, runs, 1)
    for i, key in enumerate(("ours", "gosu", "floor", "base")[:len(cmds)]):
        res[key] = time_stats(data[i])
        res[key]["peak_kb"] = peak_rss(cmds[i], args.rss_reps)[0][1]
    if args.baseline:
        res["x_base"] = ratio(data, 0, 3)
    res["ratio"] = ratio(data, 0, 1)
    res["cpu_ratio"] = ratio(data, 0, 1, 3)
    res["x_floor"] = ratio(data, 0, 2)
    print(json.dumps(res))


def scale(args, n):
    host_ns = os.readlink("/proc/self/ns/mnt")
    with tempfile.TemporaryDirectory(prefix="gosu-bench-") as d:
        out = sh(["unshare", "--mount", "--propagation", "private", "--",
                  sys.executable, os.path.abspath(__file__),
                  "--scale-inner", str(n), "--dir", d, "--host-ns", host_ns,
                  "--scale-blocks", str(args.scale_blocks),
                  "--scale-runs", str(args.scale_runs),
                  "--rss-reps", str(args.rss_reps)] +
                 (["--baseline", args.baseline] if args.baseline else []))
    return json.loads(out)


# The report.

def fmt_kb(kb):
    return "–" if kb is None else f"{kb:,.0f}"


def busy_warning(m):
    """Wall times on a busy machine include waiting for a CPU."""
    load = max(float(x) for x in (m["load"].split()[0], m["load_end"].split()[0]))
    if load < 0.5 * m["cpus"]:
        return []
    return [f"**Busy machine** (load average up to {load:.2f} on {m['cpus']} CPUs): wall "
            "times include waiting for a CPU and the tails are long; the per-block "
            "ratios cancel slow drift, not contention. Rerun on a quiet machine."]


def report_ladder(lad):
    L = ["What the job costs, step by step: the required-work floor (bench/floor.c) built to stop "
         "after each step, then exec the no-op; the same blocks and rotation as above.", "",
         "| step | wall µs, median | × trampoline | the step adds µs |", "|---|--:|--:|--:|"]
    for r in lad:
        added = "" if r["added_us"] is None else f"{r['added_us']:+.0f}"
        L.append(f"| {r['label']} | {r['median_us']:.0f} | {r['x_trampoline']:.3f} | {added} |")
    return L + [""]


def report(m, ex, sc, args, lad=None, ini=None, term=None):
    L = [f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, "
         f"kernel {m['kernel']}, {m['os']}, virtualization: {m['virtualization']}; "
         f"load average {m['load']} at the start, {m['load_end']} at the end.",
         f"Tools: ours {m['ours']}; Debian gosu {m['gosu']}; {m['setpriv']}.",
         *busy_warning(m),
         f"Exec benchmark: {args.blocks} blocks × {args.runs} runs of each command "
         f"(after {args.warmup} warm-up runs each), the order rotated from block to block; "
         f"ratios are medians of the per-block ratios of medians.", "",
         "| command | wall µs, median (p10–p90) | CPU µs | above the no-op µs | × trampoline "
         "| × required-work floor | × Debian gosu | peak RSS KiB, tool / process "
         "| ru_maxrss KiB | binary bytes |",
         "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    noop_us = ex["noop"]["median_us"]
    for key, label, _ in EXEC_CMDS:
        r = ex[key]
        size = r["size"]
        kind = ("static" if size["static"] else "dynamic") + \
            (", stripped" if size["stripped"] else ", not stripped")
        L.append(f"| {label} | {r['median_us']:.0f} ({r['p10_us']:.0f}–{r['p90_us']:.0f}) "
                 f"| {r['cpu_us']:.0f} | {r['median_us'] - noop_us:.0f} "
                 f"| {r['x_trampoline']:.3f} | {r['x_floor']:.3f} | {r['x_gosu']:.3f} "
                 f"| {fmt_kb(r['tool_peak_kb'])} / {fmt_kb(r['process_peak_kb'])} "
                 f"| {fmt_kb(r['ru_maxrss_kb'])} | {size['bytes']:,} ({kind}) |")
    L += ["", f"ru_maxrss of a child that exits right after fork (the runner's own share): "
          f"{ex['fork_only_ru_maxrss_kb']} KiB.", ""]
    if term:
        L += report_terminal(term)
    if lad:
        L += report_ladder(lad)
    if sc:
        L += ["| users, groups | passwd + group | ours ms (CPU) | Debian gosu ms (CPU) "
              "| read-only floor ms | ours / gosu | ours / floor | peak RSS KiB, ours / gosu "
              "| gosu ru_maxrss KiB | `id -G` count, ours / gosu |",
              "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for x in sc:
            mb = (x["passwd_bytes"] + x["group_bytes"]) / 1e6
            o, g, f = x["ours"], x["gosu"], x["floor"]
            L.append(f"| {x['n']:,} | {mb:.1f} MB "
                     f"| {o['median_us'] / 1e3:.2f} ({o['cpu_us'] / 1e3:.2f}) "
                     f"| {g['median_us'] / 1e3:.2f} ({g['cpu_us'] / 1e3:.2f}) "
                     f"| {f['median_us'] / 1e3:.2f} | {x['ratio']:.3f} | {x['x_floor']:.2f} "
                     f"| {fmt_kb(o['peak_kb'])} / {fmt_kb(g['peak_kb'])} "
                     f"| {fmt_kb(g['ru_maxrss_kb'])} | {x['ours_groups']} / {x['gosu_groups']} |")
        L.append("")
        if args.baseline:
            L += [f"Beside the baseline build ({args.baseline}), in the same blocks:", "",
                  "| users, groups | ours ms | baseline ms | ours / baseline |", "|--:|--:|--:|--:|"]
            L += [f"| {x['n']:,} | {x['ours']['median_us'] / 1e3:.2f} "
                  f"| {x['base']['median_us'] / 1e3:.2f} | {x['x_base']:.3f} |" for x in sc]
            L.append("")
    if ini:
        L += initbench.report(ini) + [""]
    L += ["| target | limit | measured | met |", "|---|---|---|---|"]
    for name, limit, value, ok in targets(ex, sc) + (initbench.targets(ini) if ini else []):
        met = "–" if ok is None else "yes" if ok else "**no**"
        L.append(f"| {name} | {limit} | {value} | {met} |")
    return "\n".join(L) + "\n"


def targets(ex, sc):
    o, fl = ex["ours"], ex["floor"]
    t = [("time vs trampoline", "≤ 1.15×", f"{o['x_trampoline']:.3f}× "
          f"(CPU time: {o['cpu_x_trampoline']:.3f}×)", o["x_trampoline"] <= 1.15),
         ("the required-work floor vs trampoline", "(no tool can go below it)",
          f"{fl['x_trampoline']:.3f}× (CPU time: {fl['cpu_x_trampoline']:.3f}×)", None),
         ("time vs the required-work floor", "(what this implementation adds)",
          f"{o['x_floor']:.3f}× (CPU time: {o['cpu_x_floor']:.3f}×)", None),
         ("time vs Debian gosu", "≤ 0.25×", f"{o['x_gosu']:.3f}× "
          f"(CPU time: {o['cpu_x_gosu']:.3f}×)", o["x_gosu"] <= 0.25),
         ("stripped static binary", "≤ 40 KiB (40,960 bytes)", f"{o['size']['bytes']:,} bytes",
          o["size"]["bytes"] <= 40960 and o["size"]["stripped"] and o["size"]["static"])]
    if "base" in ex:
        t.append(("time vs the baseline build", "no regression", f"{o['x_base']:.3f}× "
                  f"(CPU time: {o['cpu_x_base']:.3f}×)", None))
    extra = o["process_peak_kb"] - ex["noop"]["process_peak_kb"]
    t.append(("peak RSS vs the no-op's own", "≤ +100 KiB", f"+{extra:.0f} KiB "
              f"({fmt_kb(o['process_peak_kb'])} vs {fmt_kb(ex['noop']['process_peak_kb'])})",
              extra <= 100))
    big = [s for s in sc if s["n"] == max(SIZES)]
    if big:
        s = big[0]
        t.append((f"{s['n']:,} entries vs Debian gosu", "≤ 0.15×",
                  f"{s['ratio']:.3f}× (CPU time: {s['cpu_ratio']:.3f}×)", s["ratio"] <= 0.15))
    if len(sc) > 1:
        lo, hi = sc[0]["ours"]["peak_kb"], sc[-1]["ours"]["peak_kb"]
        t.append(("peak RSS does not grow with the database",
                  f"{sc[0]['n']:,} → {sc[-1]['n']:,} entries: same",
                  f"{fmt_kb(lo)} → {fmt_kb(hi)} KiB", hi - lo <= 8))
    return t


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--blocks", type=int, default=30, help="blocks of the exec benchmark")
    p.add_argument("--runs", type=int, default=100, help="runs of each command per block")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--rss-reps", type=int, default=3, help="runs of each command under peakrss")
    p.add_argument("--scale-blocks", type=int, default=10)
    p.add_argument("--scale-runs", type=int, default=2,
                   help="runs per block at 100,000 entries (proportionally more for fewer, up to 100)")
    p.add_argument("--no-scale", action="store_true", help="skip the scaling benchmark")
    p.add_argument("--no-terminal", action="store_true",
                   help="skip the terminal benchmark (it needs unshare --pid)")
    p.add_argument("--no-ladder", action="store_true",
                   help="skip timing the required-work floor step by step")
    p.add_argument("--baseline", help="another build of gosu (say, of the last release), "
                   "measured beside ours in the same blocks")
    p.add_argument("--no-init", action="store_true", help="skip the --init benchmark")
    p.add_argument("--out", default=TOOLS)
    p.add_argument("--scale-inner", type=int, help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    p.add_argument("--host-ns", help=argparse.SUPPRESS)
    args = p.parse_args()

    if os.geteuid() != 0:
        sys.exit("bench: must run as root: gosu only switches users for root")
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
    if args.scale_inner:
        return scale_inner(args)
    if args.baseline:
        EXEC_CMDS.insert([k for k, _, _ in EXEC_CMDS].index("ours") + 1,
                         ("base", "baseline build nobody no-op", [args.baseline, "nobody", NOOP]))
    for f in (NOOP, TRAMPOLINE, FLOOR, RUNNER, PEAKRSS, READALL, OURS, GOSU, SETPRIV,
              initbench.PROBE,
              *(path for _, path in LADDER), *([args.baseline] if args.baseline else [])):
        if not os.access(f, os.X_OK):
            sys.exit(f"bench: {f} missing: run `make bench`")

    m = machine()
    print("bench: exec benchmark ...", file=sys.stderr)
    fork_rss, data = run_blocks([c for _, _, c in EXEC_CMDS], args.blocks, args.runs, args.warmup)
    keys = [k for k, _, _ in EXEC_CMDS]
    ex = {"fork_only_ru_maxrss_kb": fork_rss}
    for i, (key, label, argv) in enumerate(EXEC_CMDS):
        r = time_stats(data[i])
        r["label"] = label
        r["x_trampoline"] = ratio(data, i, keys.index("trampoline"))
        r["x_gosu"] = ratio(data, i, keys.index("gosu"))
        r["x_noop"] = ratio(data, i, keys.index("noop"))
        r["cpu_x_trampoline"] = ratio(data, i, keys.index("trampoline"), 3)
        r["cpu_x_gosu"] = ratio(data, i, keys.index("gosu"), 3)
        r["x_floor"] = ratio(data, i, keys.index("floor"))
        r["cpu_x_floor"] = ratio(data, i, keys.index("floor"), 3)
        if "base" in keys:
            r["x_base"] = ratio(data, i, keys.index("base"))
            r["cpu_x_base"] = ratio(data, i, keys.index("base"), 3)
        # peakrss gives no terminal: the rows on one would be measured
        # as the rows without.
        images = [] if argv[0] == "+tty" else peak_rss(argv, args.rss_reps)
        r["tool_peak_kb"] = images[0][1] if images else None
        r["process_peak_kb"] = max(kb for _, kb in images) if images else None
        r["images"] = images
        r["size"] = size_of([a for a in argv if a != "+tty"][0])
        ex[key] = r
    term = None
    if not args.no_terminal:
        print("bench: on a terminal, as in a container ...", file=sys.stderr)
        term = terminal(args)
    lad = None
    if not args.no_ladder:
        print("bench: the required-work floor, step by step ...", file=sys.stderr)
        lad = ladder(args)
    ini = None
    if not args.no_init:
        print("bench: --init against tini ...", file=sys.stderr)
        ini = initbench.run()
    sc, failed = [], None
    for n in [] if args.no_scale else SIZES:
        print(f"bench: scaling benchmark, {n:,} entries ...", file=sys.stderr)
        try:
            sc.append(scale(args, n))
        except subprocess.CalledProcessError as e:
            # Most likely no CAP_SYS_ADMIN for a mount namespace: keep
            # the exec results, say so, and fail at the end.
            failed = (f"The scaling benchmark failed at {n:,} entries ({e}); it needs "
                      "`unshare --mount` to work (a privileged container or a host).")
            break
    m["load_end"] = loadavg()
    text = report(m, ex, sc, args, lad, ini, term) + (f"\n{failed}\n" if failed else "")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": m, "exec": ex, "terminal": term, "ladder": lad, "scale": sc,
                   "init": ini, "args": vars(args)},
                  f, indent=1)
    print(text)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
