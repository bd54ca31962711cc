#include "ttyguard.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>

/* x32 system calls are x86_64 calls with this bit set; x32's own ioctl is
 * 514, and on kernels before 5.4 x32 could reach every x86_64 entry. */
#define X32 0x40000000u

static const struct abi x86[] = {
	{AUDIT_ARCH_X86_64, {16, X32 | 16, X32 | 514}, 3},
	{AUDIT_ARCH_I386, {54}, 1},
};
static const struct abi arm[] = {
	{AUDIT_ARCH_AARCH64, {29}, 1},
	{AUDIT_ARCH_ARM, {54}, 1},
};
static const struct abi ppc64el[] = {
	{AUDIT_ARCH_PPC64LE, {54}, 1},
};
static const struct abi s390x[] = {
	{AUDIT_ARCH_S390X, {54}, 1},
	{AUDIT_ARCH_S390, {54}, 1},
};
static const struct abi riscv[] = {
	{AUDIT_ARCH_RISCV64, {29}, 1},
	{AUDIT_ARCH_RISCV32, {29}, 1},
};
static const struct abi loongarch[] = {
	{AUDIT_ARCH_LOONGARCH64, {29}, 1},
};
static const struct abi mips64el[] = {
	{AUDIT_ARCH_MIPSEL64, {5015}, 1},
	{AUDIT_ARCH_MIPSEL64N32, {6015}, 1},
	{AUDIT_ARCH_MIPSEL, {4054}, 1},
};

/* Each family is its own object: the binary refers to its native one
 * only, and the linker leaves the others out. */
#define FAMILY(table, sti, linux, be) \
	static const struct family table##_family = {.big_endian = (be), \
		.n_abis = sizeof(table) / sizeof *(table), .tiocsti = (sti), .tioclinux = (linux), .abis = (table)}

FAMILY(x86, 0x5412, 0x541c, false);
FAMILY(arm, 0x5412, 0x541c, false);
FAMILY(ppc64el, 0x5412, 0x541c, false);
FAMILY(s390x, 0x5412, 0x541c, true);
FAMILY(riscv, 0x5412, 0x541c, false);
FAMILY(loongarch, 0x5412, 0x541c, false);
FAMILY(mips64el, 0x5472, 0x5483, false);

const struct family *const ttyguard_families[] = {
	&x86_family, &arm_family, &ppc64el_family, &s390x_family, &riscv_family,
	&loongarch_family, &mips64el_family,
};
/* The elements are pointers, as the check suspects. */
const size_t ttyguard_n_families = sizeof ttyguard_families / sizeof *ttyguard_families; /* NOLINT(bugprone-sizeof-expression) */

#if defined(__x86_64__) || defined(__i386__)
#define NATIVE x86_family
#elif defined(__aarch64__) || defined(__arm__)
#define NATIVE arm_family
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE ppc64el_family
#elif defined(__s390x__)
#define NATIVE s390x_family
#elif defined(__riscv)
#define NATIVE riscv_family
#elif defined(__loongarch64)
#define NATIVE loongarch_family
#elif defined(__mips__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE mips64el_family
#else
#error "no terminal guard table for this architecture"
#endif
const struct family *const ttyguard_native = &NATIVE;

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* Skip `skip` instructions where A is k (JEQ), or where it is not (JNE). */
#define JEQ(k, skip) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (skip), 0)
#define JNE(k, skip) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, (skip))

/* The layout, each part ending in a return:
 *     load arch
 *     per ABI: arch not its own: on to the next ABI; load nr; one jump
 *              per ioctl number to "check"; allow
 *     kill (unknown ABI)
 *     check: load the request's low 32 bits (the kernel ignores the
 *            rest); deny TIOCSTI and TIOCLINUX; allow */
size_t ttyguard_build(const struct family *f, struct sock_filter prog[TTYGUARD_MAX_INSNS])
{
	size_t n = 0, check = 2;
	uint32_t request = offsetof(struct seccomp_data, args[1]) + (f->big_endian ? 4 : 0);

	for (size_t i = 0; i < f->n_abis; i++)
		check += 3 + f->abis[i].n_nr;

	prog[n++] = (struct sock_filter)LOAD(offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < f->n_abis; i++) {
		const struct abi *a = &f->abis[i];

		prog[n++] = (struct sock_filter)JNE(a->arch, 2 + a->n_nr);
		prog[n++] = (struct sock_filter)LOAD(offsetof(struct seccomp_data, nr));
		for (size_t j = 0; j < a->n_nr; j++, n++)
			prog[n] = (struct sock_filter)JEQ(a->ioctl_nr[j], check - n - 1);
		prog[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	}
	/* An ABI the table does not know must not be a way around it. */
	prog[n++] = (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS);
	prog[n++] = (struct sock_filter)LOAD(request);
	prog[n++] = (struct sock_filter)JEQ(f->tiocsti, 2);
	prog[n++] = (struct sock_filter)JEQ(f->tioclinux, 1);
	prog[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	prog[n++] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	return n;
}

int ttyguard_install(bool *set_nnp)
{
	struct sock_filter prog[TTYGUARD_MAX_INSNS];
	struct sock_fprog fprog = {
		.len = (unsigned short)ttyguard_build(ttyguard_native, prog),
		.filter = prog,
	};

	/* The kernel's own test, rather than a guess from the capabilities:
	 * EACCES, neither no_new_privs nor CAP_SYS_ADMIN; once more after
	 * setting no_new_privs. */
	*set_nnp = false;
	while (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog)) {
		if (errno != EACCES || *set_nnp || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return errno;
		*set_nnp = true;
	}
	return 0;
}
