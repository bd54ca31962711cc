/* The allocator of the static binary. gosu allocates a few small blocks
 * and one line buffer per database file, then replaces itself with execve:
 * nothing is worth giving back in between. So: a bump allocator over a
 * static arena, which costs no system call at all, with mmap for what does
 * not fit (lines over a few KiB, tens of thousands of groups). It also
 * keeps libc's general-purpose malloc, a quarter of the binary, out of it.
 * The unit tests, the fuzzer and the sanitized and valgrind builds use
 * libc's malloc instead, which sees every overrun. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARENA_BYTES (256u << 10) /* bss: pages cost only when touched */
#define ALIGN 16u

/* Before every block: how many bytes it may hold. 16 bytes, so blocks stay
 * aligned for any type. */
struct head {
	size_t cap;
	size_t unused;
};

/* A common symbol, which the linker puts after all other bss: libc's
 * variables and ours then share the page the kernel already touched when
 * it zeroed the end of the data segment, and the arena starts there too. */
_Alignas(ALIGN) unsigned char gosu_arena[ARENA_BYTES] __attribute__((common));
static size_t used;      /* arena bytes handed out */
static void *last;       /* the block at the end of the arena: it can grow */

/* Anonymous mappings through the system calls themselves: libc's mmap and
 * munmap wrappers check offsets and wait on locks of threads gosu never
 * has. 32-bit ABIs call it mmap2 (and SYS_mmap takes a struct there). */
#ifdef SYS_mmap2
#define SYS_MAP SYS_mmap2
#else
#define SYS_MAP SYS_mmap
#endif

static bool in_arena(const void *p)
{
	return (const unsigned char *)p >= gosu_arena && (const unsigned char *)p < gosu_arena + ARENA_BYTES;
}

/* The block size for n bytes, or 0 when n is absurd. Not inlined into
 * malloc and realloc both. */
static __attribute__((noinline)) size_t block_cap(size_t n)
{
	if (n > PTRDIFF_MAX / 2)
		return 0;
	return n ? (n + ALIGN - 1) & ~(size_t)(ALIGN - 1) : ALIGN;
}

void *malloc(size_t n)
{
	size_t cap = block_cap(n);
	struct head *h;

	if (!cap) {
		errno = ENOMEM;
		return NULL;
	}
	if (sizeof *h + cap <= ARENA_BYTES - used) {
		h = (struct head *)(gosu_arena + used);
		used += sizeof *h + cap;
		last = h + 1;
	} else {
		/* The system call returns the address as a long. */
		h = (struct head *)syscall(SYS_MAP, NULL, sizeof *h + cap, PROT_READ | PROT_WRITE, /* NOLINT(performance-no-int-to-ptr) */
		                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
	}
	h->cap = cap;
	return h + 1;
}

void free(void *p)
{
	struct head *h;

	if (!p)
		return;
	h = (struct head *)p - 1; /* not before the test: NULL - 1 is undefined */
	if (!in_arena(p)) {
		/* Only fails for a pointer that was never ours: nothing to do. */
		(void)syscall(SYS_munmap, h, sizeof *h + h->cap);
	} else if (p == last) {
		used = (size_t)((unsigned char *)h - gosu_arena);
		last = NULL;
	}
}

void *realloc(void *p, size_t n)
{
	struct head *h;
	size_t cap = block_cap(n);
	void *q;

	if (!p)
		return malloc(n);
	h = (struct head *)p - 1;
	if (cap && cap <= h->cap)
		return p;
	if (cap && p == last && cap <= ARENA_BYTES - (size_t)((unsigned char *)p - gosu_arena)) {
		used = (size_t)((unsigned char *)p - gosu_arena) + cap;
		h->cap = cap;
		return p;
	}
	if (!(q = malloc(n)))
		return NULL;
	memcpy(q, p, h->cap);
	free(p);
	return q;
}

void *calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	/* malloc(0) is this file's own: a block of ALIGN bytes, never NULL */
	if ((p = malloc(count * size))) /* NOLINT(clang-analyzer-optin.portability.UnixAPI) */
		memset(p, 0, count * size);
	return p;
}
