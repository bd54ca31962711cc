"""The command line (behaviour.md §2) and the messages and exit codes of
finding and running COMMAND (§7)."""

import os
import re
import subprocess

import pytest

from conftest import ROOT_CALLER, run_ns

PASSWD = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"
VERSION = re.compile(r"0\.1\.0 \((gcc|clang) \d+\.\d+\.\d+ on linux/"
                     r"(amd64|i386|arm64|armhf|armel|ppc64el|s390x|riscv64|mips64el|loong64); "
                     r"(musl|glibc)\)")


def usage(self, version):
    return (f"Usage: {self} user-spec command [args]\n"
            f"   eg: {self} tianon bash\n"
            f"       {self} nobody:root bash -c 'whoami && id'\n"
            f"       {self} 1000:1 id\n\n"
            f"{self} version: {version}\n"
            f"{self} license: Apache-2.0 (full text at https://www.apache.org/licenses/LICENSE-2.0)\n\n"
            "Options (before user-spec):\n"
            " terminal:\n"
            "   --tty-guard      require the terminal guard (sets no_new_privs if need be)\n"
            "   --no-tty-guard   never install the terminal guard\n"
            "   --detach-tty     detach command from the controlling terminal\n"
            " privileges:\n"
            "   --no-new-privs   command and its children cannot gain privileges\n"
            "   --keep-caps=CAP,...   keep these capabilities (net_bind_service)\n"
            "   --clear-bounding-set  and no others can come back\n"
            " who runs it:\n"
            "   --keep-runtime-groups keep the groups a runtime added\n"
            "   --user-env       set USER and LOGNAME\n"
            "   --if-root        run as the caller when it cannot switch\n"
            "   --map-ids=SOURCE give user-spec the ids of UID[:GID], env[:UVAR[:GVAR]] or /path\n"
            "   --map-chown=DIR  with --map-ids: DIR's files become the new ids' too\n"
            " init (PID 1):\n"
            "   --init           with an init, as user too: forwards signals, reaps\n"
            "   --init-grace=S   with --init: after command, SIGTERM the rest, wait S s\n"
            "   --               end of options\n")


def run(gosu, *args, argv0=None, env=None):
    """gosu with the given arguments, outside any namespace (no switching)."""
    p = subprocess.run([argv0 or str(gosu.path), *args], executable=str(gosu.path),
                       capture_output=True, env=env or {}, stdin=subprocess.DEVNULL, timeout=10)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def version_of(gosu):
    rc, out, _ = run(gosu, "--version")
    return out.rstrip("\n")


def test_version(gosu):
    for flag in ("--version", "-v"):
        rc, out, err = run(gosu, flag, "whatever", "follows")
        assert (rc, err) == (0, "")
        assert VERSION.fullmatch(out.rstrip("\n")) and out.endswith(")\n") and out.count("\n") == 1


@pytest.mark.parametrize("flag", ["--help", "-h", "-?"])
def test_help_goes_to_stdout(gosu, flag):
    rc, out, err = run(gosu, flag, "nobody", "id", argv0="/some/where/gosu")
    assert (rc, out, err) == (0, usage("/some/where/gosu", version_of(gosu)), "")


@pytest.mark.parametrize("args", [[], ["nobody"]])
def test_too_few_arguments_print_usage_to_stderr(gosu, args):
    rc, out, err = run(gosu, *args, argv0="my-gosu")
    assert (rc, out, err) == (1, "", usage("my-gosu", version_of(gosu)))


def test_missing_argv0_counts_as_gosu(gosu):
    p = subprocess.run([gosu.execwith, "-0", "--", gosu.path], capture_output=True, timeout=10)
    assert (p.returncode, p.stdout) == (1, b"")
    assert p.stderr.decode() == usage("gosu", version_of(gosu))


def test_unknown_option(gosu):
    rc, out, err = run(gosu, "--bogus", "nobody", "true", argv0="gosu")
    assert (rc, out) == (1, "")
    assert err == 'error: unknown option "--bogus"\n' + usage("gosu", version_of(gosu))


def test_double_dash_ends_options(gosu):
    r = gosu("--", "0", gosu.probe, passwd=PASSWD, group=GROUP)
    assert r.rc == 0 and r.uid == [0] * 4
    # After "--", "--help" is a user spec, not an option.
    r = gosu("--", "--help", gosu.probe, passwd=PASSWD, group=GROUP)
    assert r.rc == 1
    assert r.stderr == ("error: failed switching to '--help': unable to find user --help: "
                        "no matching entries in passwd file\n")


def test_usage_errors_of_options_before_double_dash(gosu):
    rc, out, err = run(gosu, "--init-grace=5", "--", "nobody", "true", argv0="gosu")
    assert (rc, out) == (1, "")
    assert err.startswith('error: invalid option "--init-grace=5": --init-grace=SECONDS wants '
                          '0 to 86400 and --init\nUsage: gosu ')
    rc, out, err = run(gosu, "--map-chown=/srv", "--", "nobody", "true", argv0="gosu")
    assert (rc, out) == (1, "")
    assert err.startswith('error: unknown option "--map-chown=/srv"\nUsage: gosu ')


def test_single_dash_numbers_are_specs_not_options(gosu):
    r = gosu("-5", gosu.probe, passwd=PASSWD, group=GROUP)
    assert (r.rc, r.stderr) == (1, "error: failed switching to '-5': uids and gids must be in range 0-2147483647\n")


def not_found(cmd):
    return f'error: exec: "{cmd}": executable file not found in $PATH\n'


def lookup(gosu, cmd, env=None, setup=None, spec="nobody", cwd=None):
    return gosu(spec, cmd, passwd=PASSWD, group=GROUP, env={"PATH": "/usr/bin:/bin"} if env is None else env,
                setup=setup, cwd=cwd)


def test_command_not_found(gosu):
    r = lookup(gosu, "no-such-command")
    assert (r.rc, r.out, r.stderr) == (127, b"", not_found("no-such-command"))


@pytest.mark.parametrize("cmd", ["", ".", ".."])
def test_empty_dot_and_dotdot_are_never_found(gosu, cmd):
    r = lookup(gosu, cmd, env={"PATH": "/usr:/:/usr/bin"})
    assert (r.rc, r.stderr) == (127, not_found(cmd))


@pytest.mark.parametrize("env", [{}, {"PATH": ""}])
def test_no_path_finds_nothing(gosu, env):
    r = lookup(gosu, "true", env=env)
    assert (r.rc, r.stderr) == (127, not_found("true"))


def test_path_is_searched_in_order_and_the_command_gets_its_name_as_typed(gosu):
    r = lookup(gosu, "probe", env={"PATH": f"/nonexistent::/usr/bin:{gosu.bindir}"}, cwd="/")
    assert r.rc == 0, r.stderr
    assert r.probe["arg"] == ["probe"]


def test_command_with_slash_missing(gosu):
    r = lookup(gosu, "/nonexistent/cmd")
    assert (r.rc, r.stderr) == (
        127, 'error: exec: "/nonexistent/cmd": stat /nonexistent/cmd: no such file or directory\n')


def test_command_with_slash_through_a_file(gosu):
    r = lookup(gosu, "/etc/passwd/cmd")
    assert (r.rc, r.stderr) == (126, 'error: exec: "/etc/passwd/cmd": stat /etc/passwd/cmd: not a directory\n')


def test_found_relative_to_current_directory_is_refused(gosu):
    for path in (":/usr/bin", ".:/usr/bin", "/usr/bin:."):
        r = lookup(gosu, "probe", env={"PATH": path}, cwd=gosu.bindir)
        assert (r.rc, r.out, r.stderr) == (
            126, b"", 'error: exec: "probe": cannot run executable found relative to current directory\n')


def test_not_executable(gosu):
    def setup():
        with open("/etc/noexec", "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod("/etc/noexec", 0o644)
    r = lookup(gosu, "/etc/noexec", setup=setup)
    assert (r.rc, r.stderr) == (126, 'error: exec: "/etc/noexec": permission denied\n')


def test_a_directory(gosu):
    r = lookup(gosu, "/etc")
    assert (r.rc, r.stderr) == (126, 'error: exec: "/etc": is a directory\n')
    # In PATH, a directory of that name is passed over.
    r = lookup(gosu, "etc", env={"PATH": "/"})
    assert (r.rc, r.stderr) == (127, not_found("etc"))


def test_lookup_uses_the_target_users_rights(gosu):
    def setup():
        os.mkdir("/etc/bin")
        with open(gosu.probe, "rb") as src, open("/etc/bin/rootonly", "wb") as dst:
            dst.write(src.read())
        os.chmod("/etc/bin/rootonly", 0o700)
    r = lookup(gosu, "rootonly", env={"PATH": "/etc/bin"}, setup=setup)
    assert (r.rc, r.stderr) == (127, not_found("rootonly"))
    r = lookup(gosu, "/etc/bin/rootonly", setup=setup)
    assert (r.rc, r.stderr) == (126, 'error: exec: "/etc/bin/rootonly": permission denied\n')
    r = lookup(gosu, "rootonly", env={"PATH": "/etc/bin"}, setup=setup, spec="root")
    assert r.rc == 0 and r.uid == [0] * 4


def write_exec(path, content, mode=0o755):
    with open(path, "wb") as f:
        f.write(content)
    os.chmod(path, mode)


def test_exec_failure_format_error(gosu):
    r = lookup(gosu, "/etc/garbage", setup=lambda: write_exec("/etc/garbage", b"\x01\x02garbage"))
    assert (r.rc, r.stderr) == (126, "error: exec failed: exec format error\n")


def test_exec_failure_missing_interpreter(gosu):
    r = lookup(gosu, "/etc/script", setup=lambda: write_exec("/etc/script", b"#!/nonexistent/sh\n"))
    assert (r.rc, r.stderr) == (127, "error: exec failed: no such file or directory\n")


def test_no_shell_fallback_for_scripts_without_shebang(gosu):
    r = lookup(gosu, "/etc/script", setup=lambda: write_exec("/etc/script", b"echo hi\n"))
    assert (r.rc, r.out, r.stderr) == (126, b"", "error: exec failed: exec format error\n")


def test_command_is_quoted_like_go(gosu):
    name = "a\tb\x01\udcffé\x80\"\\\x7f"  # \udcff: the invalid byte 0xff
    r = lookup(gosu, name)
    assert r.rc == 127
    assert r.err == b'error: exec: "a\\tb\\x01\\xff\xc3\xa9\\u0080\\"\\\\\\x7f": executable file not found in $PATH\n'


def test_arguments_are_passed_as_given(gosu):
    args = ["", "two words", "-h", "--version", "ü", "x" * 10000]
    r = gosu("nobody", gosu.probe, *args, passwd=PASSWD, group=GROUP)
    assert r.rc == 0 and r.probe["arg"] == [str(gosu.probe), *args]
