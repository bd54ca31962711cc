/* The static binary's allocator (src/malloc.c), built under other names
 * so that this test runs beside libc's malloc. */
#include <stdint.h>
#include <string.h>

#include "check.h"

void *arena_malloc(size_t n);
void arena_free(void *p);
void *arena_realloc(void *p, size_t n);
void *arena_calloc(size_t count, size_t size);

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i);
}

static int same(const unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i))
			return 0;
	return 1;
}

TEST(blocks_are_aligned_and_apart)
{
	unsigned char *a = arena_malloc(1), *b = arena_malloc(0), *c = arena_malloc(33);

	CHECK(a && b && c, "allocations");
	CHECK((uintptr_t)a % 16 == 0 && (uintptr_t)b % 16 == 0 && (uintptr_t)c % 16 == 0, "alignment");
	CHECK(b >= a + 16 && c >= b + 16, "blocks overlap: %p %p %p", (void *)a, (void *)b, (void *)c);
	fill(c, 33, 7);
	arena_free(b); /* not the last: nothing happens */
	CHECK(same(c, 33, 7), "a free elsewhere left the last block alone");
	arena_free(c);
	unsigned char *d = arena_malloc(8);
	CHECK(d == c, "freeing the last block gives its room back");
	arena_free(d), arena_free(a);
}

TEST(realloc_keeps_contents_in_place_and_when_moving)
{
	unsigned char *a = arena_malloc(100);
	fill(a, 100, 1);
	unsigned char *b = arena_realloc(a, 4000);
	CHECK(b == a && same(b, 100, 1), "the last block grows in place");
	unsigned char *other = arena_malloc(10);
	fill(b, 4000, 3);
	unsigned char *c = arena_realloc(b, 8000);
	CHECK(c && c != b && same(c, 4000, 3), "a block that is not the last moves, contents kept");
	CHECK(arena_realloc(c, 10) == c, "shrinking keeps the block");
	/* Past the arena: mmap, and back. */
	unsigned char *big = arena_realloc(c, 3u << 20);
	CHECK(big && same(big, 4000, 3), "grown past the arena");
	fill(big, 3u << 20, 9);
	unsigned char *bigger = arena_realloc(big, 5u << 20);
	CHECK(bigger && same(bigger, 3u << 20, 9), "an mmap'ed block grows");
	arena_free(bigger);
	arena_free(other);
	CHECK(arena_realloc(NULL, 5) != NULL, "realloc(NULL) allocates");
}

TEST(impossible_sizes_fail)
{
	CHECK(arena_malloc(SIZE_MAX) == NULL, "malloc(SIZE_MAX)");
	CHECK(arena_malloc(SIZE_MAX - 8) == NULL, "malloc(SIZE_MAX - 8)");
	CHECK(arena_calloc(SIZE_MAX / 2, 3) == NULL, "calloc overflow");
	void *p = arena_malloc(16);
	CHECK(arena_realloc(p, SIZE_MAX - 4) == NULL, "realloc(SIZE_MAX - 4)");
	arena_free(NULL);
}

TEST(calloc_zeroes_reused_memory)
{
	unsigned char *a = arena_malloc(256);
	memset(a, 0xaa, 256);
	arena_free(a);
	unsigned char *b = arena_calloc(16, 16);
	int zero = 1;
	for (size_t i = 0; i < 256; i++)
		zero &= b[i] == 0;
	CHECK(b == a && zero, "calloc on the same room gives zeros");
}

TEST(many_small_blocks_then_mmap)
{
	/* Fill the arena with small blocks, then go on past it. */
	static unsigned char *p[12000];
	size_t n = sizeof p / sizeof *p;
	for (size_t i = 0; i < n; i++) {
		p[i] = arena_malloc(24 + 8);
		if (!p[i])
			break;
		fill(p[i], 24, (unsigned char)i);
	}
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		ok &= p[i] && same(p[i], 24, (unsigned char)i);
	CHECK(ok, "every block keeps its bytes, inside and outside the arena");
}
