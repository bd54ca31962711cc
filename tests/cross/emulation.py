"""pytest plugin for `make cross-test` (loaded with -p emulation): when the
binary under test runs under an emulator (qemu-user through binfmt_misc),
the end-to-end cases that qemu-user cannot carry out, or whose observation
qemu-user itself changes, are skipped with the reason, and
tests/cross/test_emulated.py checks the documented fallback instead. Run
natively (amd64, i386 on x86_64), nothing is skipped.

A case of tests/e2e can also carry the marker itself:
    @pytest.mark.not_emulated("seccomp")      # or "environ", "signals", "subreaper", "setid"
"""

import os
import shutil
import subprocess
import tempfile

import pytest

from crossenv import binary_under_test, emulator, read_elf

WHY = {
    "seccomp": "qemu-user cannot install seccomp filters (prctl(PR_SET_SECCOMP) fails with EINVAL "
               "in the emulator, to keep its own system calls working); the documented fallback "
               "(no guard and no message by default, --tty-guard fails) is checked by "
               "tests/cross/test_emulated.py",
    "environ": "qemu-user rebuilds the environment it hands to the program (order reversed, "
               "duplicate names merged, entries without '=' dropped); test_emulated.py checks "
               "HOME and the other entries as a set",
    "signals": "qemu-user emulates signal dispositions and the signal mask itself: ignored and "
               "blocked signals of the emulated program are not the host process's and do not "
               "reach the command through execve; checked natively (amd64, i386)",
    "subreaper": "qemu-user does not pass prctl(PR_SET_CHILD_SUBREAPER) on (EINVAL), so orphans of "
                 "an init that is not PID 1 go past it (and past what --init-grace signals); "
                 "checked natively",
    "coarse_ctime": "qemu-s390x hands the program whole seconds of st_ctim and st_mtim (no "
                    "nanoseconds), so two same-size rewrites within one second look alike; "
                    "checked natively",
    "mount_ids": "qemu-user's statx says it gives the mount id and hands 0, which gosu takes for no "
                 "answer: --map-ids then writes no file and walks no tree (the documented fallback "
                 "for kernels without mount ids, checked by test_emulated.py); checked natively",
    "setid": "binfmt_misc without the 'C' flag does not apply an emulated binary's setuid/setgid "
             "bit, and stat(\"/proc/self/exe\") shows the emulator's file, not the program's; "
             "test_emulated.py checks that such a copy gains nothing",
}

# The cases of tests/e2e that hit those limits: file::function -> reason.
LIMITS = {
    "test_ttyguard.py::test_guard_stops_every_way_of_typing": "seccomp",
    "test_ttyguard.py::test_guard_covers_the_commands_children": "seccomp",
    "test_ttyguard.py::test_guard_is_a_seccomp_filter_and_nothing_else": "seccomp",
    "test_ttyguard.py::test_tty_guard_option_sets_no_new_privs_when_it_must": "seccomp",
    "test_ttyguard.py::test_tty_guard_option_with_cap_sys_admin_needs_no_no_new_privs": "seccomp",
    "test_ttyguard.py::test_shared_terminal_without_cap_sys_admin_sets_no_new_privs_and_says_so": "seccomp",
    "test_ttyguard.py::test_no_guard_for_the_session_leader_of_its_own_terminal": "seccomp",
    "test_ttyguard.py::test_guard_for_a_session_leader_whose_terminal_another_session_reads": "seccomp",
    "test_ttyguard.py::test_guard_for_a_session_leader_whose_terminal_another_session_reads_through_dev_tty":
        "seccomp",
    "test_ttyguard.py::test_tty_guard_without_proc_needs_an_answer": "seccomp",
    "test_process.py::test_home_replaced_in_place_of_all_home_entries": "environ",
    "test_process.py::test_every_other_entry_passes_unchanged": "environ",
    "test_entrypoint_options.py::test_user_env_sets_user_and_logname_and_nothing_else": "environ",
    "test_process.py::test_ignored_and_blocked_signals_pass_on": "signals",
    "test_reference.py::test_signals_and_parent_death_signal": "signals",
    "test_setid.py::test_setid_copy_refuses": "setid",
    "test_init.py::test_not_pid1_orphans_come_to_the_init": "subreaper",
    "test_init.py::test_grace_lets_what_is_left_end": "subreaper",
    "test_init.py::test_grace_not_pid1_never_signals_the_rest_of_the_system": "subreaper",
    "test_init.py::test_command_gets_the_callers_mask_and_dispositions": "signals",
    "test_init.py::test_terminal_guard_covers_command_and_init": "seccomp",
    "test_rewrite.py::test_file_that_keeps_changing_is_an_error": "coarse_ctime",
    "test_map_ids.py::test_ids_source_maps_and_rewrites_all_three": "mount_ids",
    "test_map_ids.py::test_uid_only_keeps_the_template_gid": "mount_ids",
    "test_map_ids.py::test_root_owned_path_is_not_mapped": "mount_ids",
    "test_map_ids.py::test_overflow_owner_is_not_mapped": "mount_ids",
    "test_map_ids.py::test_second_start_writes_nothing": "mount_ids",
    "test_map_ids.py::test_mode_and_owner_kept": "mount_ids",
    "test_map_ids.py::test_ids_changed_between_starts": "mount_ids",
    "test_map_ids.py::test_bind_mounted_passwd_is_never_written": "mount_ids",
    "test_map_ids.py::test_symlinked_passwd_is_never_written": "mount_ids",
    "test_map_ids.py::test_locks_are_waited_for": "mount_ids",
    "test_map_ids.py::test_stale_shadow_lock_is_taken_over": "mount_ids",
    "test_map_ids.py::test_locks_left_by_a_dead_pid_1_are_taken_over": "mount_ids",
    "test_map_ids.py::test_new_files_left_by_a_dead_start_are_taken_over": "mount_ids",
    "test_map_ids.py::test_concurrent_useradd_is_held_off": "mount_ids",
    "test_map_ids.py::test_home_repaired_only_where_it_is_the_old_uid": "mount_ids",
    "test_map_ids.py::test_marker_skips_a_repaired_home_after_a_fresh_etc": "mount_ids",
    "test_map_ids.py::test_home_mount_point_left_alone_unless_named": "mount_ids",
    "test_map_ids.py::test_map_chown_fresh_root_volume_made_the_accounts": "mount_ids",
    "test_map_ids.py::test_root_owned_home_left_alone": "mount_ids",
    "test_map_ids.py::test_race_swapping_entries_never_reaches_outside": "mount_ids",
    "test_map_ids.py::test_caller_already_the_target_runs_without_writing": "mount_ids",
    "test_map_ids.py::test_lock_not_had_in_time_is_an_error_and_nothing_is_written": "mount_ids",
}


def setid_bit_seen(binary):
    """Whether the emulated binary sees its own setuid bit: gosu refuses
    to run from a setuid copy whose mode it can read. (Reading it through
    open("/proc/self/exe") and fstat works under qemu-user; stat() of the
    path does not.)"""
    d = tempfile.mkdtemp(prefix="gosu-setid-")
    try:
        copy = os.path.join(d, "gosu")
        shutil.copy(binary, copy)
        os.chmod(copy, 0o4755)
        p = subprocess.run([copy, "--version"], capture_output=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        return p.returncode == 1 and b"'setuid' bit" in p.stderr
    finally:
        shutil.rmtree(d)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "not_emulated(kind): a case qemu-user cannot run; kind is one of " + ", ".join(WHY))
    binary = binary_under_test()
    config._gosu_emulator = emulator()
    config._gosu_arch = read_elf(binary).arch
    config._gosu_limits = set(WHY)
    if config._gosu_arch != "s390x":
        config._gosu_limits.discard("coarse_ctime")
    if config._gosu_emulator and (config._gosu_emulator.credentials or setid_bit_seen(binary)):
        config._gosu_limits.discard("setid")  # the setid cases can run as they are


def pytest_report_header(config):
    emu = config._gosu_emulator
    how = f"emulated by binfmt_misc {emu.name} ({emu.interpreter}, flags {emu.flags})" if emu else "native"
    return f"gosu under test: {binary_under_test()} (linux/{config._gosu_arch}, {how})"


def pytest_collection_modifyitems(config, items):
    emu = config._gosu_emulator
    if not emu:
        return
    for item in items:
        kinds = [m.args[0] for m in item.iter_markers("not_emulated") if m.args]
        key = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
        if key in LIMITS:
            kinds.append(LIMITS[key])
        for kind in kinds:
            if kind in config._gosu_limits:
                item.add_marker(pytest.mark.skip(reason=f"under {emu.name}: {WHY[kind]}"))
                break
