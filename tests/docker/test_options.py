"""The options of behaviour.md §13 in real containers: the groups of
`docker run --group-add`, a capability kept from `--cap-add`, and a
container started with `--user`."""

BIND_80 = ("use Socket; socket(my $s, PF_INET, SOCK_STREAM, 0) or die \"socket: $!\\n\";"
           " bind($s, sockaddr_in(80, INADDR_LOOPBACK)) or die \"bind: $!\\n\"; print \"bound\\n\"")
# Docker lets every user bind low ports (net.ipv4.ip_unprivileged_port_start
# is 0 in its containers): put the line back at 1024, so that port 80 needs
# the capability.
ONE_CAP = ["--sysctl", "net.ipv4.ip_unprivileged_port_start=1024", "--cap-drop", "ALL",
           "--cap-add", "SETUID", "--cap-add", "SETGID", "--cap-add", "NET_BIND_SERVICE"]


def run(docker, images, *command, opts=()):
    return docker.run(images.test, *command, opts=opts)


def test_group_add_is_kept_with_keep_runtime_groups(docker, images):
    r = run(docker, images, "gosu", "--keep-runtime-groups", "app", "id", "-G", opts=["--group-add", "3000"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "1000 3000\n", "")


def test_group_add_with_user_and_keep_runtime_groups_just_runs(docker, images):
    # Already the target, and the runtime's group is kept: nothing to change.
    r = run(docker, images, "gosu", "--keep-runtime-groups", "app", "id", "-G",
            opts=["--user", "1000:1000", "--group-add", "3000"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "1000 3000\n", "")


def test_group_add_is_dropped_without_it(docker, images):
    r = run(docker, images, "gosu", "app", "id", "-G", opts=["--group-add", "3000"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "1000\n", "")


def test_kept_capability_binds_port_80_as_app(docker, images, probe):
    r = run(docker, images, "gosu", "--keep-caps=net_bind_service", "app", "perl", "-e", BIND_80, opts=ONE_CAP)
    assert (r.returncode, r.stdout, r.stderr) == (0, "bound\n", "")
    p = probe(run(docker, images, "gosu", "--keep-caps=net_bind_service", "app", "probe", opts=ONE_CAP).stdout)
    assert p["Uid"][0].split() == ["1000"] * 4
    assert p["CapPrm"] == p["CapEff"] == p["CapInh"] == p["CapAmb"] == ["0000000000000400"]
    assert p["CapBnd"] == ["00000000000004c0"]  # what docker left


def test_bounding_set_cleared_with_setpcap(docker, images, probe):
    r = run(docker, images, "gosu", "--keep-caps=net_bind_service", "--clear-bounding-set", "app", "probe",
            opts=ONE_CAP + ["--cap-add", "SETPCAP"])
    assert r.returncode == 0, r.stderr
    p = probe(r.stdout)
    assert p["CapPrm"] == p["CapEff"] == p["CapInh"] == p["CapAmb"] == p["CapBnd"] == ["0000000000000400"]


def test_bounding_set_not_cleared_without_setpcap(docker, images):
    r = run(docker, images, "gosu", "--keep-caps=net_bind_service", "--clear-bounding-set", "app", "probe",
            opts=ONE_CAP)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith(
        "error: failed switching to 'app': cannot clear the bounding set: operation not permitted\n")


def test_without_keep_caps_port_80_is_refused(docker, images):
    r = run(docker, images, "gosu", "app", "perl", "-e", BIND_80, opts=ONE_CAP)
    assert (r.returncode, r.stdout, r.stderr) == (13, "", "bind: Permission denied\n")


def test_a_capability_docker_did_not_give_is_skipped(docker, images, probe):
    r = run(docker, images, "gosu", "--keep-caps=sys_resource,net_bind_service", "app", "probe")
    assert r.returncode == 0
    assert r.stderr == "warning: --keep-caps: the caller does not have cap_sys_resource, not kept\n"
    assert probe(r.stdout)["CapEff"] == ["0000000000000400"]


def test_user_1001_with_if_root_runs_as_itself(docker, images):
    r = run(docker, images, "gosu", "--if-root", "app", "id", "-u", opts=["--user", "1001"])
    assert (r.returncode, r.stdout) == (0, "1001\n")
    assert r.stderr == 'warning: --if-root: cannot switch users: running as uid 1001, not "app"\n'


def test_user_1001_without_if_root_fails(docker, images):
    r = run(docker, images, "gosu", "app", "id", "-u", opts=["--user", "1001"])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("error: failed switching to 'app': operation not permitted\n")


def test_cap_drop_all_as_root_stays_an_error_with_if_root(docker, images):
    r = run(docker, images, "gosu", "--if-root", "app", "id", "-u", opts=["--cap-drop", "ALL"])
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("error: failed switching to 'app': operation not permitted\n")


def test_user_env_in_a_container(docker, images):
    r = run(docker, images, "gosu", "--user-env", "app", "sh", "-c", 'echo "$USER $LOGNAME $HOME"')
    assert (r.returncode, r.stdout, r.stderr) == (0, "app app /home/app\n", "")
