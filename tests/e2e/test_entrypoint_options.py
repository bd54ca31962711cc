"""The options of behaviour.md §13, for the lines entrypoints write around
gosu: --keep-caps, --clear-bounding-set, --keep-runtime-groups, --user-env
and --if-root. Each result is read from the kernel (/proc/self/status) or
the environment the command got."""

import pytest

from conftest import CALLER_8888, Caller, run_ns

PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "app:x:1000:1000:app:/home/app:/bin/sh\n"
          "guest:x:1001:1001:guest:/home/guest:/bin/sh\n"
          ":x:1234:1234:empty name:/home/empty:/bin/sh\n")
# root is listed in video and audio, as on Alpine: those look like the
# image's own memberships, never like a runtime's.
GROUP = ("root:x:0:\napp:x:1000:\nguest:x:1001:\nextra:x:2000:app\n"
         "video:x:44:root,guest\naudio:x:63:root\n")
DB = dict(passwd=PASSWD, group=GROUP)

# capabilities(7) numbers
NET_BIND_SERVICE, NET_RAW, SYS_RESOURCE, SYS_NICE, SETGID, SETUID = 10, 13, 24, 23, 6, 7
REFUSED = ["setuid", "setgid", "setpcap", "sys_admin", "sys_module", "sys_ptrace", "sys_rawio",
           "dac_override", "dac_read_search", "fowner", "chown", "mknod", "bpf", "sys_boot",
           "mac_admin", "mac_override", "linux_immutable", "perfmon", "setfcap"]


def bits(*caps):
    return sum(1 << c for c in caps)


def caps(r):
    return {k: int(r.one(k), 16) for k in ("CapPrm", "CapEff", "CapInh", "CapAmb")}


def all_caps():
    """The bounding set the tests start with (a container's may lack some)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1], 16) for line in f if line.startswith("CapBnd:"))


def raw_groups(r):
    return [int(x) for x in r.one("Groups").split()]


def env_of(r, name):
    return [e.partition("=")[2] for e in r.env if e.partition("=")[0] == name]


# --keep-caps

@pytest.mark.parametrize("spelling", ["net_bind_service,net_raw", "NET_BIND_SERVICE,NET_RAW",
                                      "cap_net_bind_service,CAP_NET_RAW", "Cap_Net_Raw,Net_Bind_Service"])
def test_kept_capabilities_are_effective_after_exec_and_nothing_else(gosu, spelling):
    r = gosu(f"--keep-caps={spelling}", "app", gosu.probe, **DB)
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid) == ([1000] * 4, [1000] * 4)
    want = bits(NET_BIND_SERVICE, NET_RAW)
    assert caps(r) == dict(CapPrm=want, CapEff=want, CapInh=want, CapAmb=want)
    assert int(r.one("CapBnd"), 16) == all_caps()
    assert r.stderr == ""


def test_kept_capabilities_do_not_reopen_the_way_to_root(gosu):
    r = gosu("--keep-caps=net_raw", "app", "/usr/bin/python3", "-c",
             "import os\ntry:\n os.setuid(0)\nexcept PermissionError:\n print('refused')", **DB)
    assert (r.rc, r.out, r.stderr) == (0, b"refused\n", "")


def test_without_keep_caps_nothing_is_kept(gosu):
    r = gosu("app", **DB)
    assert caps(r) == dict(CapPrm=0, CapEff=0, CapInh=0, CapAmb=0)


def test_kept_capabilities_survive_securebits_that_keep_others(gosu):
    # The caller keeps net_raw through securebits; only the asked one stays.
    r = run_ns(["setpriv", "--securebits=+no_setuid_fixup", "--inh-caps=+net_raw",
                "--ambient-caps=+net_raw", "--", gosu.path, "--keep-caps=sys_nice", "app", gosu.probe], **DB)
    assert r.rc == 0, r.stderr
    assert caps(r) == dict(CapPrm=bits(SYS_NICE), CapEff=bits(SYS_NICE), CapInh=bits(SYS_NICE),
                           CapAmb=bits(SYS_NICE))


@pytest.mark.parametrize("name", REFUSED + ["CAP_SYS_ADMIN", "Setuid"])
def test_capabilities_that_amount_to_root_are_refused(gosu, name):
    r = gosu(f"--keep-caps=net_raw,{name}", "app", gosu.probe, **DB)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == f'error: --keep-caps: "{name}" is a capability that amounts to root\n'


@pytest.mark.parametrize("value, word", [("net_raw,bogus", "bogus"), ("cap_", "cap_"), ("", ""),
                                         ("net_raw,", ""), ("net raw", "net raw"),
                                         ("net_raw\x01", "net_raw\\x01")])
def test_unknown_names_are_errors_naming_the_word(gosu, value, word):
    r = gosu(f"--keep-caps={value}", "app", gosu.probe, **DB)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == f'error: --keep-caps: "{word}" is not a capability\n'


def test_a_name_given_twice_is_an_error(gosu):
    r = gosu("--keep-caps=net_raw", "--keep-caps=sys_nice,CAP_NET_RAW", "app", gosu.probe, **DB)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == 'error: --keep-caps: "CAP_NET_RAW" is named twice\n'


def test_a_capability_the_caller_lacks_is_skipped_with_one_line(gosu):
    # As Docker's default set lacks sys_resource.
    r = run_ns(["setpriv", "--bounding-set=-sys_resource,-sys_nice", "--", gosu.path,
                "--keep-caps=sys_resource,net_raw,sys_nice", "app", gosu.probe], **DB)
    assert r.rc == 0, r.stderr
    assert r.stderr == "warning: --keep-caps: the caller does not have cap_sys_nice,cap_sys_resource, not kept\n"
    assert caps(r) == dict(CapPrm=bits(NET_RAW), CapEff=bits(NET_RAW), CapInh=bits(NET_RAW),
                           CapAmb=bits(NET_RAW))


def test_keep_caps_for_a_root_target_changes_nothing_alone(gosu):
    r = gosu("--keep-caps=net_raw", "root", gosu.probe, **DB)
    assert r.rc == 0, r.stderr
    assert int(r.one("CapEff"), 16) == all_caps()


# --clear-bounding-set

def test_bounding_set_holds_only_the_kept_capabilities(gosu):
    r = gosu("--keep-caps=net_bind_service", "--clear-bounding-set", "app", gosu.probe, **DB)
    assert r.rc == 0, r.stderr
    assert int(r.one("CapBnd"), 16) == bits(NET_BIND_SERVICE)
    want = bits(NET_BIND_SERVICE)
    assert caps(r) == dict(CapPrm=want, CapEff=want, CapInh=want, CapAmb=want)


def test_bounding_set_cleared_entirely_without_kept_capabilities(gosu):
    r = gosu("--clear-bounding-set", "app", gosu.probe, **DB)
    assert r.rc == 0, r.stderr
    assert int(r.one("CapBnd"), 16) == 0


def test_root_target_with_a_cleared_bounding_set_has_only_the_kept_ones(gosu):
    # Root's exec gives it the bounding set and the inheritable set.
    r = run_ns(["setpriv", "--inh-caps=+sys_nice", "--", gosu.path, "--keep-caps=net_raw",
                "--clear-bounding-set", "root", gosu.probe], **DB)
    assert r.rc == 0, r.stderr
    assert (r.uid, int(r.one("CapBnd"), 16)) == ([0] * 4, bits(NET_RAW))
    assert caps(r) == dict(CapPrm=bits(NET_RAW), CapEff=bits(NET_RAW), CapInh=0, CapAmb=0)


def test_bounding_set_cannot_be_cleared_without_setpcap(gosu):
    r = gosu("--clear-bounding-set", "app", gosu.probe, **DB, caller=CALLER_8888)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr.startswith(
        "error: failed switching to 'app': cannot clear the bounding set: operation not permitted\n")


# --keep-runtime-groups

ROOT_WITH_RUNTIME_GROUPS = Caller(0, 0, (0, 44, 63, 2000, 3000, 4000))


def test_runtime_groups_added_after_the_targets_own(gosu):
    r = gosu("--keep-runtime-groups", "app", gosu.probe, **DB, caller=ROOT_WITH_RUNTIME_GROUPS)
    assert r.rc == 0, r.stderr
    # 0 never, 44 and 63 list root in /etc/group, 2000 is the target's already
    assert raw_groups(r) == [1000, 2000, 3000, 4000]
    assert r.stderr == ""


def test_runtime_groups_dropped_without_the_option(gosu):
    r = gosu("app", gosu.probe, **DB, caller=ROOT_WITH_RUNTIME_GROUPS)
    assert raw_groups(r) == [1000, 2000]


def test_runtime_groups_with_an_explicit_group(gosu):
    r = gosu("--keep-runtime-groups", "app:5555", gosu.probe, **DB, caller=ROOT_WITH_RUNTIME_GROUPS)
    assert r.rc == 0, r.stderr
    assert (r.gid, r.groups) == ([5555] * 4, [2000, 3000, 4000, 5555])


def test_callers_primary_gid_is_no_runtime_group(gosu):
    r = gosu("--keep-runtime-groups", "app", gosu.probe, **DB, caller=Caller(0, 7000, (7000, 3000)))
    assert r.rc == 0, r.stderr
    assert raw_groups(r) == [1000, 2000, 3000]


def test_gid_0_is_never_kept_even_for_a_caller_without_an_entry(gosu):
    r = run_ns(["setpriv", "--regid=7000", "--groups=0,3000", "--", gosu.path, "--keep-runtime-groups",
                "app", gosu.probe], passwd="app:x:1000:1000:app:/home/app:/bin/sh\n", group="")
    assert r.rc == 0, r.stderr
    assert raw_groups(r) == [1000, 3000]


def test_runtime_groups_with_a_caller_listed_in_many_groups(gosu):
    group = GROUP + "".join(f"g{i}:x:{10000 + i}:x,root\n" for i in range(300))
    extra = tuple(range(10000, 10300, 7)) + (3000,)
    r = gosu("--keep-runtime-groups", "app", gosu.probe, passwd=PASSWD, group=group,
             caller=Caller(0, 0, (0,) + extra))
    assert r.rc == 0, r.stderr
    assert raw_groups(r) == [1000, 2000, 3000]


# --user-env

def through_execwith(gosu, env_entries, *args, **kw):
    argv = [gosu.execwith]
    for e in env_entries:
        argv += ["-e", e]
    return run_ns([*argv, "--", gosu.path, *args], **kw)


def test_user_env_sets_user_and_logname_and_nothing_else(gosu):
    r = through_execwith(gosu, ["A=1", "USER=root", "HOME=/root", "LOGNAME=root", "USER=again", "B=2"],
                         "--user-env", "app", gosu.probe, **DB)
    assert r.rc == 0, r.stderr
    assert r.env == ["A=1", "B=2", "HOME=/home/app", "USER=app", "LOGNAME=app"]


@pytest.mark.parametrize("spec, user", [("4242", "4242"), ("1234", "1234"), ("guest:0", "guest")])
def test_user_env_without_a_name_is_the_uid(gosu, spec, user):
    r = through_execwith(gosu, ["USER=root"], "--user-env", spec, gosu.probe, **DB)
    assert r.rc == 0, r.stderr
    assert (env_of(r, "USER"), env_of(r, "LOGNAME")) == ([user], [user])


def test_without_user_env_user_is_left_alone(gosu):
    r = through_execwith(gosu, ["USER=root"], "app", gosu.probe, **DB)
    assert r.env == ["USER=root", "HOME=/home/app"]


# --if-root

GUEST = Caller(1001, 1001, (1001, 3000))


def test_if_root_runs_as_the_caller_when_it_cannot_switch(gosu):
    r = gosu("--if-root", "app", gosu.probe, **DB, caller=GUEST, env={"HOME": "/caller", "PATH": "/bin"})
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, raw_groups(r)) == ([1001] * 4, [1001] * 4, [1001, 3000])
    assert env_of(r, "HOME") == ["/caller"]
    assert caps(r) == dict(CapPrm=0, CapEff=0, CapInh=0, CapAmb=0)
    assert r.stderr == 'warning: --if-root: cannot switch users: running as uid 1001, not "app"\n'


def test_without_if_root_the_same_caller_fails(gosu):
    r = gosu("app", gosu.probe, **DB, caller=GUEST)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr.startswith("error: failed switching to 'app': operation not permitted\n")


def test_if_root_with_the_callers_uid_says_nothing(gosu):
    r = gosu("--if-root", "app", gosu.probe, **DB, caller=Caller(1000, 5000, (5000,)))
    assert r.rc == 0, r.stderr
    assert (r.uid, r.gid, raw_groups(r), r.stderr) == ([1000] * 4, [5000] * 4, [5000], "")


def test_if_root_already_the_target_is_the_normal_path(gosu):
    r = gosu("--if-root", "app", gosu.probe, **DB, caller=Caller(1000, 1000, (1000, 2000)),
             env={"HOME": "/caller", "PATH": "/bin"})
    assert r.rc == 0, r.stderr
    assert (r.uid, raw_groups(r), env_of(r, "HOME"), r.stderr) == ([1000] * 4, [1000, 2000], ["/home/app"], "")


def test_if_root_still_applies_the_other_options(gosu):
    r = through_execwith(gosu, ["USER=root"], "--if-root", "--user-env", "--no-new-privs",
                         "--keep-caps=net_raw", "app", gosu.probe, **DB, caller=GUEST)
    assert r.rc == 0, r.stderr
    assert (r.uid, r.one("NoNewPrivs")) == ([1001] * 4, "1")
    assert env_of(r, "USER") == env_of(r, "LOGNAME") == ["guest"]
    assert caps(r) == dict(CapPrm=0, CapEff=0, CapInh=0, CapAmb=0)
    assert r.stderr.splitlines() == [
        'warning: --if-root: cannot switch users: running as uid 1001, not "app"',
        "warning: --keep-caps: the caller does not have cap_net_raw, not kept"]


def test_if_root_with_init_runs_the_init_as_the_caller_too(gosu):
    script = "cat /proc/$PPID/comm; grep ^Uid: /proc/$PPID/status; id -u"
    r = gosu("--if-root", "--init", "app", "/bin/sh", "-c", script, **DB, caller=GUEST)
    assert (r.rc, r.out.decode().split("\n")) == (0, ["gosu", "Uid:\t1001\t1001\t1001\t1001", "1001", ""])
    assert r.stderr == 'warning: --if-root: cannot switch users: running as uid 1001, not "app"\n'


def test_if_root_caller_without_an_entry_is_its_uid(gosu):
    r = through_execwith(gosu, [], "--if-root", "--user-env", "app", gosu.probe, **DB,
                         caller=Caller(4242, 4242))
    assert r.rc == 0, r.stderr
    assert (r.uid, env_of(r, "USER"), env_of(r, "HOME")) == ([4242] * 4, ["4242"], [])


def test_if_root_caller_with_setuid_and_setgid_switches(gosu):
    r = gosu("--if-root", "app", gosu.probe, **DB, caller=CALLER_8888)
    assert r.rc == 0, r.stderr
    assert (r.uid, raw_groups(r), r.stderr) == ([1000] * 4, [1000, 2000], "")


def test_if_root_caller_with_only_setgid_is_able_to_switch(gosu):
    # CAP_SETGID alone is not "cannot switch": the switch is tried, and fails.
    r = run_ns(["setpriv", "--reuid=1001", "--regid=1001", "--clear-groups", "--inh-caps=+setgid",
                "--ambient-caps=+setgid", "--", gosu.path, "--if-root", "app", gosu.probe], **DB)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr.startswith("error: failed switching to 'app': operation not permitted\n")


def test_if_root_resolution_errors_come_first(gosu):
    r = gosu("--if-root", "bogususer", gosu.probe, **DB, caller=GUEST)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == ("error: failed switching to 'bogususer': "
                        "unable to find user bogususer: no matching entries in passwd file\n")


def test_if_root_uid_0_without_capabilities_stays_an_error(gosu):
    # docker run --cap-drop ALL: uid 0, but no CAP_SETUID or CAP_SETGID
    r = run_ns(["setpriv", "--bounding-set=-all", "--", gosu.path, "--if-root", "app", gosu.probe], **DB)
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr.startswith("error: failed switching to 'app': operation not permitted\n")


# Redis 8's entrypoint line and its gosu equivalent (README)

def test_redis_setpriv_line_and_its_gosu_equivalent_agree(gosu):
    keys = ("Uid", "Gid", "CapPrm", "CapEff", "CapInh", "CapAmb", "CapBnd", "NoNewPrivs")
    db = dict(passwd="redis:x:999:999::/data:/bin/sh\n", group="redis:x:999:\n")
    x = "net_bind_service"
    ref = run_ns(["setpriv", "--reuid", "redis", "--regid", "redis", "--clear-groups", "--nnp",
                  f"--inh-caps=-all,+{x}", f"--ambient-caps=-all,+{x}", f"--bounding-set=-all,+{x}",
                  gosu.probe], **db)
    ours = gosu("--no-new-privs", f"--keep-caps={x}", "--clear-bounding-set", "redis", gosu.probe, **db)
    assert (ref.rc, ours.rc) == (0, 0), (ref.stderr, ours.stderr)
    assert {k: ours.one(k) for k in keys} == {k: ref.one(k) for k in keys}
    assert int(ours.one("CapEff"), 16) == bits(NET_BIND_SERVICE)
    # setpriv leaves no group at all; gosu the primary one
    assert (ref.one("Groups"), raw_groups(ours)) == ("", [999])


def test_user_env_refuses_a_name_that_would_be_cut_short(gosu):
    r = gosu("--user-env", "1500", gosu.probe, passwd=b"ab\0cd:x:1500:1500::/home/x:/bin/sh\n", group="")
    assert (r.rc, r.out) == (1, b"")
    assert r.stderr == "error: failed switching to '1500': --user-env: the user name holds a NUL byte\n"
    r = gosu("1500", gosu.probe, passwd=b"ab\0cd:x:1500:1500::/home/x:/bin/sh\n", group="")
    assert r.rc == 0, r.stderr


def test_runtime_groups_of_a_caller_that_already_is_the_target(gosu):
    # docker run --user 1000:1000 --group-add 3000: nothing to change.
    r = gosu("--keep-runtime-groups", "app", gosu.probe, passwd=PASSWD, group="app:x:1000:\n",
             caller=Caller(1000, 1000, (1000, 3000)))
    assert (r.rc, r.stderr) == (0, "")
    assert (r.uid, raw_groups(r)) == ([1000] * 4, [1000, 3000])
