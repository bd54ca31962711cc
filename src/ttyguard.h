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
 * rows carry no names: the binary would hold them for nothing, and the
 * tests name an ABI by its AUDIT_ARCH value. */
struct abi {
	uint32_t arch;
	uint32_t ioctl_nr[3];
	uint8_t n_nr;
};

/* Every ABI that one kernel of an architecture family can execute: the
 * filter is inherited by every program the command starts, whatever ABI
 * that program uses. */
struct family {
	bool big_endian;
	uint8_t n_abis;
	uint16_t tiocsti, tioclinux; /* old-style requests, without size or direction bits */
	const struct abi *abis;
};

#define TTYGUARD_MAX_INSNS 64

extern const struct family *const ttyguard_families[];
extern const size_t ttyguard_n_families;
extern const struct family *const ttyguard_native;

/* Writes the filter for f to prog: the number of instructions. Pure. */
size_t ttyguard_build(const struct family *f, struct sock_filter prog[TTYGUARD_MAX_INSNS]);

/* Installs the filter for this process and all it starts: 0, or an errno
 * (EINVAL or ENOSYS: no seccomp filters here). Where the kernel takes it
 * only with no_new_privs (without CAP_SYS_ADMIN), sets that first, and
 * *set_nnp. */
int ttyguard_install(bool *set_nnp);

#endif
