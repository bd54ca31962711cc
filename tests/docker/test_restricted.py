"""Containers started with less than root's full power: `--user`, a read-only
root, dropped capabilities, no_new_privs. What gosu does in each, by the
rules for an already-switched caller and for a failed switch: the exit code
and the exact messages."""

import pytest

# A switch the caller is not allowed to make: the reason, then the hint.
def eperm(spec):
    return (f"error: failed switching to '{spec}': operation not permitted\n"
            "error: switching users needs root, or CAP_SETUID and CAP_SETGID: start gosu as root\n")


APP = {"Uid": ["1000"] * 4, "Gid": ["1000"] * 4, "Groups": ["1000"]}
NO_CAPS = ["0" * 16]


def run(docker, images, *command, opts=()):
    return docker.run(images.test, *command, opts=opts)


def ids(p):
    return {k: p[k][0].split() for k in ("Uid", "Gid", "Groups")}


@pytest.mark.parametrize("spec", ["app", "1000", "1000:1000", "app:app"])
def test_user_already_the_target_just_runs(docker, images, probe, spec):
    r = run(docker, images, "gosu", spec, "probe", opts=["--user", "1000:1000"])
    assert (r.returncode, r.stderr) == (0, "")
    p = probe(r.stdout)
    assert ids(p) == APP and p["CapEff"] == NO_CAPS and p["env"].count("HOME=/home/app") == 1


@pytest.mark.parametrize("spec", ["nobody", "root", "1000:0", "1001"])
def test_user_another_target_is_refused(docker, images, spec):
    r = run(docker, images, "gosu", spec, "probe", opts=["--user", "1000:1000"])
    assert (r.returncode, r.stdout, r.stderr) == (1, "", eperm(spec))


@pytest.mark.xfail(strict=True, reason="§5 step 1: a caller that cannot change groups runs with "
                   "its own and one line says how they differ (not built yet)")
def test_user_with_extra_groups_runs_with_a_note(docker, images, probe):
    # docker run --group-add, Kubernetes fsGroup: the target's ids, one more group.
    r = run(docker, images, "gosu", "app", "probe", opts=["--user", "1000:1000", "--group-add", "3000"])
    assert r.returncode == 0 and len(r.stderr.splitlines()) == 1 and "3000" in r.stderr
    assert probe(r.stdout)["Groups"][0].split() == ["1000", "3000"]


def test_read_only_root(docker, images, probe):
    r = run(docker, images, "gosu", "app", "probe", opts=["--read-only"])
    assert (r.returncode, r.stderr) == (0, "")
    assert ids(probe(r.stdout)) == APP


def test_cap_drop_all_is_refused(docker, images):
    r = run(docker, images, "gosu", "app", "probe", opts=["--cap-drop", "ALL"])
    assert (r.returncode, r.stdout, r.stderr) == (1, "", eperm("app"))


def test_cap_drop_all_root_to_root_just_runs(docker, images, probe):
    # Already uid 0, gid 0 and groups [0]: nothing to change, nothing needed.
    r = run(docker, images, "gosu", "root", "probe", opts=["--cap-drop", "ALL"])
    assert (r.returncode, r.stderr) == (0, "")
    p = probe(r.stdout)
    assert ids(p) == {"Uid": ["0"] * 4, "Gid": ["0"] * 4, "Groups": ["0"]}


def test_cap_drop_all_with_setuid_setgid(docker, images, probe):
    r = run(docker, images, "gosu", "app", "probe",
            opts=["--cap-drop", "ALL", "--cap-add", "SETUID", "--cap-add", "SETGID"])
    assert (r.returncode, r.stderr) == (0, "")
    p = probe(r.stdout)
    assert ids(p) == APP
    assert p["CapPrm"] == p["CapEff"] == p["CapInh"] == p["CapAmb"] == NO_CAPS
    assert p["CapBnd"] == ["00000000000000c0"]  # what docker left: setgid, setuid


@pytest.mark.parametrize("cap", ["SETUID", "SETGID"])
def test_cap_drop_all_with_only_one_of_them(docker, images, cap):
    r = run(docker, images, "gosu", "app", "probe", opts=["--cap-drop", "ALL", "--cap-add", cap])
    assert (r.returncode, r.stdout, r.stderr) == (1, "", eperm("app"))


def test_no_new_privileges(docker, images, probe):
    r = run(docker, images, "gosu", "app", "probe", opts=["--security-opt", "no-new-privileges"])
    assert (r.returncode, r.stderr) == (0, "")
    p = probe(r.stdout)
    assert ids(p) == APP and p["NoNewPrivs"] == ["1"] and p["CapEff"] == NO_CAPS


def test_no_new_privileges_and_the_rest(docker, images, probe):
    r = run(docker, images, "gosu", "app", "probe",
            opts=["--security-opt", "no-new-privileges", "--read-only", "--cap-drop", "ALL",
                  "--cap-add", "SETUID", "--cap-add", "SETGID"])
    assert (r.returncode, r.stderr) == (0, "")
    p = probe(r.stdout)
    assert ids(p) == APP and p["NoNewPrivs"] == ["1"] and p["CapEff"] == NO_CAPS
