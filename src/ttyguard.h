/* The terminal guard (behaviour.md §9): a seccomp filter under which
 * ioctl(TIOCSTI) and ioctl(TIOCLINUX) fail with EPERM, so a command run as
 * a lesser user cannot type into the caller's terminal. */
#ifndef GOSU_TTYGUARD_H
#define GOSU_TTYGUARD_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One system call ABI: its AUDIT_ARCH value and its ioctl numbers. The
 * names (for the tests' messages) are arrays in the rows, not pointers to
 * strings the binary would carry for every architecture. */
struct abi {
	char name[12];
	uint32_t arch;
	uint32_t ioctl_nr[3];
	uint8_t n_nr;
};

/* Every ABI that one kernel of an architecture family can execute: the
 * filter is inherited by every program the command starts, whatever ABI
 * that program uses. */
struct family {
	char name[10];
	bool big_endian;
	uint8_t n_abis;
	uint32_t tiocsti, tioclinux;
	const struct abi *abis;
};

#define TTYGUARD_MAX_INSNS 64

extern const struct family *const ttyguard_families[];
extern const size_t ttyguard_n_families;
extern const struct family *const ttyguard_native;

/* Writes the filter for f to prog: the number of instructions. Pure. */
size_t ttyguard_build(const struct family *f, struct sock_filter prog[TTYGUARD_MAX_INSNS]);

/* Installs the filter for this process and all it starts: 0, or an errno.
 * EACCES: the kernel asks for no_new_privs or CAP_SYS_ADMIN, and
 * set_no_new_privs was false; EINVAL or ENOSYS: no seccomp filters here. */
int ttyguard_install(bool set_no_new_privs);

#endif
