/* The terminal guard's filter for every ABI of every family, run through a
 * classic-BPF interpreter on synthetic seccomp_data, so a wrong table row
 * fails here even for ABIs this machine cannot execute. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ttyguard.h"

#define DENY (SECCOMP_RET_ERRNO | 1u) /* EPERM */
#define KILL SECCOMP_RET_KILL_PROCESS
#define ALLOW SECCOMP_RET_ALLOW
#define TIOCGWINSZ_ 0x5413u

/* seccomp_data as the family's kernel lays it out, in its byte order. */
struct packet {
	uint8_t b[sizeof(struct seccomp_data)];
	bool big_endian;
};

static void put32(struct packet *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p->b[off + (size_t)i] = (uint8_t)(v >> (p->big_endian ? 8 * (3 - i) : 8 * i));
}

static void put64(struct packet *p, size_t off, uint64_t v)
{
	put32(p, off + (p->big_endian ? 4 : 0), (uint32_t)v);
	put32(p, off + (p->big_endian ? 0 : 4), (uint32_t)(v >> 32));
}

static uint32_t get32(const struct packet *p, size_t off)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p->b[off + (size_t)i] << (p->big_endian ? 8 * (3 - i) : 8 * i);
	return v;
}

/* The seccomp subset of classic BPF; anything else, an out-of-range load
 * or jump, or running off the end is a failure (returned as 0xdead). */
static uint32_t run(const struct sock_filter *prog, size_t n, const struct packet *p)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &prog[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k % 4 || i->k + 4 > sizeof p->b)
				return 0xdead;
			a = get32(p, i->k);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			return 0xdead;
		}
		if (pc + 1 > n)
			return 0xdead;
	}
	return 0xdead;
}

static uint32_t verdict(const struct family *f, uint32_t arch, uint32_t nr, uint64_t request)
{
	struct sock_filter prog[TTYGUARD_MAX_INSNS];
	size_t n = ttyguard_build(f, prog);
	struct packet p = {.big_endian = f->big_endian};

	put32(&p, offsetof(struct seccomp_data, nr), nr);
	put32(&p, offsetof(struct seccomp_data, arch), arch);
	put64(&p, offsetof(struct seccomp_data, instruction_pointer), 0x7fff12345678);
	put64(&p, offsetof(struct seccomp_data, args[0]), 1);
	put64(&p, offsetof(struct seccomp_data, args[1]), request);
	put64(&p, offsetof(struct seccomp_data, args[2]), 0x1000);
	return run(prog, n, &p);
}

static bool is_ioctl(const struct abi *a, uint32_t nr)
{
	for (size_t k = 0; k < a->n_nr; k++)
		if (a->ioctl_nr[k] == nr)
			return true;
	return false;
}

static void expect(const struct family *f, const struct abi *a, uint32_t nr,
                   uint64_t request, uint32_t want)
{
	uint32_t got = verdict(f, a->arch, nr, request);

	CHECK(got == want, "family of arch %#x, arch %#x: nr %#x request %#llx: %#x, want %#x",
	      f->abis[0].arch, a->arch, nr, (unsigned long long)request, got, want);
}

TEST(filter_per_abi)
{
	static const uint64_t high[] = {0, 1ull << 32, 0xffffffff00000000ull, 0x8000000000000000ull};

	for (size_t fi = 0; fi < ttyguard_n_families; fi++) {
		const struct family *f = ttyguard_families[fi];

		for (size_t ai = 0; ai < f->n_abis; ai++) {
			const struct abi *a = &f->abis[ai];

			for (size_t k = 0; k < a->n_nr; k++) {
				uint32_t nr = a->ioctl_nr[k];

				for (size_t h = 0; h < sizeof high / sizeof *high; h++) {
					expect(f, a, nr, high[h] | f->tiocsti, DENY);
					expect(f, a, nr, high[h] | f->tioclinux, DENY);
					expect(f, a, nr, high[h] | TIOCGWINSZ_, ALLOW);
				}
				/* TIOCSTI in the high half only is another request. */
				expect(f, a, nr, (uint64_t)f->tiocsti << 32, ALLOW);
				expect(f, a, nr, f->tiocsti + 1, ALLOW);
				expect(f, a, nr, 0, ALLOW);
				/* The same arguments to other system calls are no concern. */
				static const uint32_t near[] = {1, (uint32_t)-1, 0x40000000u, 0x80000000u, 0x100u};
				for (size_t d = 0; d < sizeof near / sizeof *near; d++)
					if (!is_ioctl(a, nr + near[d]))
						expect(f, a, nr + near[d], f->tiocsti, ALLOW);
			}
			expect(f, a, 0, f->tiocsti, ALLOW);
		}
	}
}

/* The family that lists arch: each ABI belongs to one family alone. */
static const struct family *family_of(uint32_t arch)
{
	const struct family *found = NULL;
	int n = 0;

	for (size_t fi = 0; fi < ttyguard_n_families; fi++)
		for (size_t ai = 0; ai < ttyguard_families[fi]->n_abis; ai++)
			if (ttyguard_families[fi]->abis[ai].arch == arch)
				found = ttyguard_families[fi], n++;
	return n == 1 ? found : NULL;
}

/* The numbers themselves, from the kernel's syscall tables, so that a
 * typo in a row cannot pass just because the test reads the same row. */
TEST(filter_knows_the_kernel_numbers)
{
	static const struct {
		const char *abi;
		uint32_t arch, nr, tiocsti;
	} known[] = {
		{"x86_64", AUDIT_ARCH_X86_64, 16, 0x5412},
		{"x32", AUDIT_ARCH_X86_64, 0x40000000u | 514, 0x5412},
		{"i386", AUDIT_ARCH_I386, 54, 0x5412},
		{"arm64", AUDIT_ARCH_AARCH64, 29, 0x5412},
		{"arm", AUDIT_ARCH_ARM, 54, 0x5412},
		{"ppc64le", AUDIT_ARCH_PPC64LE, 54, 0x5412},
		{"s390x", AUDIT_ARCH_S390X, 54, 0x5412},
		{"s390", AUDIT_ARCH_S390, 54, 0x5412},
		{"riscv64", AUDIT_ARCH_RISCV64, 29, 0x5412},
		{"riscv32", AUDIT_ARCH_RISCV32, 29, 0x5412},
		{"loongarch64", AUDIT_ARCH_LOONGARCH64, 29, 0x5412},
		{"mips64el n64", AUDIT_ARCH_MIPSEL64, 5015, 0x5472},
		{"mips64el n32", AUDIT_ARCH_MIPSEL64N32, 6015, 0x5472},
		{"mips64el o32", AUDIT_ARCH_MIPSEL, 4054, 0x5472},
	};
	/* Every ABI of the tables is one of the above. */
	size_t rows = 0;

	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		const struct family *f = family_of(known[i].arch);

		rows += i == 0 || known[i].arch != known[i - 1].arch;
		if (!CHECK(f != NULL, "%s: not in one family", known[i].abi))
			continue;
		uint32_t got = verdict(f, known[i].arch, known[i].nr, known[i].tiocsti);
		CHECK(got == DENY, "%s: arch %#x nr %u: %#x", known[i].abi, known[i].arch, known[i].nr, got);
	}
	for (size_t fi = 0; fi < ttyguard_n_families; fi++)
		rows -= ttyguard_families[fi]->n_abis;
	CHECK(rows == 0, "the tables hold ABIs the list above does not");
}

TEST(filter_kills_unknown_abis)
{
	static const uint32_t strangers[] = {
		0, 0xffffffffu, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64,
		AUDIT_ARCH_ARM, AUDIT_ARCH_PPC64, AUDIT_ARCH_PPC, AUDIT_ARCH_MIPS64, AUDIT_ARCH_ARMEB,
	};

	for (size_t fi = 0; fi < ttyguard_n_families; fi++) {
		const struct family *f = ttyguard_families[fi];

		for (size_t s = 0; s < sizeof strangers / sizeof *strangers; s++) {
			bool known = false;

			for (size_t ai = 0; ai < f->n_abis; ai++)
				known |= f->abis[ai].arch == strangers[s];
			if (known)
				continue;
			for (uint32_t nr = 0; nr < 600; nr += 7) {
				uint32_t got = verdict(f, strangers[s], nr, 0);
				if (!CHECK(got == KILL, "family of arch %#x: arch %#x nr %u: %#x", f->abis[0].arch,
				           strangers[s], nr, got))
					break;
			}
		}
	}
}

TEST(filter_fits_and_native_family_is_listed)
{
	bool native = false;

	for (size_t fi = 0; fi < ttyguard_n_families; fi++) {
		struct sock_filter prog[TTYGUARD_MAX_INSNS];

		CHECK(ttyguard_build(ttyguard_families[fi], prog) <= TTYGUARD_MAX_INSNS, "size");
		native |= ttyguard_native == ttyguard_families[fi];
	}
	CHECK(native, "the native family is one of the table's");
}
