#include "scan.h"

#include <stdint.h>
#include <string.h>

/* Many bytes at a time: 16 with SSE2, which every x86_64 has (musl's
 * memchr takes a word at a time); elsewhere a machine word for names, and
 * the C library's memchr for bytes. Loads are unaligned and stay within
 * the range; what is left at the end, shorter than a block, is looked at
 * byte by byte, or for a byte with SSE2 as one last block overlapping the
 * one before. */

#if defined(__SSE2__)
#include <emmintrin.h>

#define BLOCK 16

static unsigned eq_mask(const char *p, __m128i c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), c));
}

const char *scan_byte(const char *p, const char *end, char c)
{
	const __m128i v = _mm_set1_epi8(c);
	size_t n = (size_t)(end - p);

	if (n < BLOCK) {
		/* Short: not worth a block, nor musl's memchr in the binary. */
		for (; p < end; p++)
			if (*p == c)
				return p;
		return NULL;
	}
	for (; (size_t)(end - p) >= BLOCK; p += BLOCK) {
		unsigned m = eq_mask(p, v);

		if (m)
			return p + __builtin_ctz(m);
	}
	if (p == end)
		return NULL;
	/* The last block ends at end; its first bytes were looked at. */
	unsigned m = eq_mask(end - BLOCK, v) >> (BLOCK - (size_t)(end - p));
	return m ? p + __builtin_ctz(m) : NULL;
}

/* Candidates: where both the first and the last byte of s stand. */
const char *scan_str(const char *p, const char *end, const char *s, size_t n)
{
	const __m128i first = _mm_set1_epi8(s[0]), last = _mm_set1_epi8(s[n - 1]);

	if ((size_t)(end - p) < n)
		return NULL;
	/* Starts in [p, stop) are the ones s fits after. */
	const char *stop = end - n + 1;

	for (; (size_t)(stop - p) >= BLOCK; p += BLOCK) {
		unsigned m = eq_mask(p, first) & eq_mask(p + n - 1, last);

		for (; m; m &= m - 1) {
			const char *q = p + __builtin_ctz(m);

			if (n <= 2 || memcmp(q + 1, s + 1, n - 2) == 0)
				return q;
		}
	}
	for (; p < stop; p++)
		if (*p == s[0] && memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

#else

typedef uintptr_t word;
#define BLOCK sizeof(word)
#define ONES ((word)-1 / 0xff)
#define HIGHS (ONES << 7)

static word load(const char *p)
{
	word w;

	memcpy(&w, p, sizeof w);
	return w;
}

/* Never misses a zero byte; may see one in a block that has none only
 * after a real one, so the block is then looked at byte by byte. */
static int has_zero(word w)
{
	return ((w - ONES) & ~w & HIGHS) != 0;
}

const char *scan_byte(const char *p, const char *end, char c)
{
	return memchr(p, c, (size_t)(end - p));
}

const char *scan_str(const char *p, const char *end, const char *s, size_t n)
{
	const word first = ONES * (unsigned char)s[0], last = ONES * (unsigned char)s[n - 1];

	if ((size_t)(end - p) < n)
		return NULL;
	const char *stop = end - n + 1;

	for (;;) {
		/* A zero byte where both the first and the last byte match. */
		while ((size_t)(stop - p) >= BLOCK &&
		       !has_zero((load(p) ^ first) | (load(p + n - 1) ^ last)))
			p += BLOCK;
		const char *block_end = (size_t)(stop - p) >= BLOCK ? p + BLOCK : stop;

		for (; p < block_end; p++)
			if (*p == s[0] && memcmp(p, s, n) == 0)
				return p;
		if (p == stop)
			return NULL;
	}
}

#endif
