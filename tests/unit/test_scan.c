/* scan_byte and scan_str against the obvious loops: every length and
 * alignment around the block sizes, the match at every place, near misses
 * (the first and last byte of the name, but not the middle), and ranges
 * that end at an unmapped page, where one byte read too far faults. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "scan.h"

static const char *ref_byte(const char *p, const char *end, char c)
{
	for (; p < end; p++)
		if (*p == c)
			return p;
	return NULL;
}

static const char *ref_str(const char *p, const char *end, const char *s, size_t n)
{
	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

static bool same_byte(const char *p, const char *end, char c)
{
	const char *got = scan_byte(p, end, c), *want = ref_byte(p, end, c);

	return CHECK(got == want, "scan_byte(len %zu, align %zu, %#x): %td, want %td",
	             (size_t)(end - p), (size_t)((uintptr_t)p % 64), (unsigned char)c,
	             got ? got - p : -1, want ? want - p : -1);
}

static bool same_str(const char *p, const char *end, const char *s, size_t n)
{
	const char *got = scan_str(p, end, s, n), *want = ref_str(p, end, s, n);

	return CHECK(got == want, "scan_str(len %zu, align %zu, name %zu \"%.*s\"): %td, want %td",
	             (size_t)(end - p), (size_t)((uintptr_t)p % 64), n, (int)n, s,
	             got ? got - p : -1, want ? want - p : -1);
}

/* Every start alignment, every length up to 80, the byte at every place,
 * twice (only the first counts), or nowhere. */
TEST(scan_byte_every_place)
{
	static char buf[64 + 96];

	for (size_t align = 0; align < 32; align++)
		for (size_t len = 0; len <= 80; len++) {
			char *p = buf + align;

			memset(buf, 'x', sizeof buf);
			/* Outside the range: must never be found. */
			if (align)
				p[-1] = '\n';
			p[len] = '\n';
			if (!same_byte(p, p + len, '\n'))
				return;
			for (size_t at = 0; at < len; at++) {
				p[at] = '\n';
				if (at + 3 < len)
					p[at + 3] = '\n';
				if (!same_byte(p, p + len, '\n'))
					return;
				p[at] = 'x';
				if (at + 3 < len)
					p[at + 3] = 'x';
			}
		}
}

/* Bytes with the high bit set, NUL, and the byte searched for next to
 * its neighbours: the word test's borrow must not hide or invent one. */
TEST(scan_byte_all_values)
{
	char buf[48];

	for (int c = 0; c < 256; c++)
		for (size_t at = 0; at < sizeof buf; at += 5) {
			for (size_t i = 0; i < sizeof buf; i++)
				buf[i] = (char)(c + 1 + (int)(i % 3));
			buf[at] = (char)c;
			if (!same_byte(buf, buf + sizeof buf, (char)c) ||
			    !same_byte(buf, buf + sizeof buf, (char)(c + 0x80)))
				return;
		}
}

/* Names of every length up to 20 at every place of every range up to
 * 72 bytes, every alignment up to 16; around them, near misses: the first
 * and the last byte right, the middle wrong. */
TEST(scan_str_every_place)
{
	static const char name[] = "user12345678901234567";
	static char buf[16 + 80];

	for (size_t n = 1; n <= 20; n++)
		for (size_t align = 0; align < 16; align++)
			for (size_t len = 0; len <= 72; len++) {
				char *p = buf + align;

				for (size_t i = 0; i < sizeof buf; i++)
					buf[i] = i % 11 == 0 ? ',' : "user9"[i % 5];
				/* A near miss at every place that fits. */
				for (size_t i = 0; n >= 3 && i + n <= len; i += n + 1) {
					memcpy(p + i, name, n);
					p[i + n / 2] = '#';
				}
				if (!same_str(p, p + len, name, n))
					return;
				for (size_t at = 0; at + n <= len; at++) {
					char saved[32];

					memcpy(saved, p + at, n);
					memcpy(p + at, name, n);
					if (!same_str(p, p + len, name, n))
						return;
					memcpy(p + at, saved, n);
				}
				/* Cut short by the range's end by one byte. */
				if (len >= n && len + 1 <= sizeof buf - align) {
					memcpy(p + len - n + 1, name, n);
					if (!same_str(p, p + len, name, n))
						return;
				}
			}
}

/* Repeated bytes, where candidates are everywhere: "aa...ab" in "aaa...". */
TEST(scan_str_repeats)
{
	char buf[100], name[40];

	memset(buf, 'a', sizeof buf);
	for (size_t n = 1; n < sizeof name; n++) {
		memset(name, 'a', n);
		name[n - 1] = 'b';
		for (size_t len = 0; len <= sizeof buf; len += 7) {
			if (!same_str(buf, buf + len, name, n))
				return;
			if (len >= n) {
				buf[len - 1] = 'b';
				if (!same_str(buf, buf + len, name, n))
					return;
				buf[len - 1] = 'a';
			}
		}
	}
}

/* Ranges ending at an unmapped page, of every length up to 100 and
 * nothing to find: any read past the end faults. */
TEST(scan_page_end)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED) {
		CHECK(false, "mmap: %m");
		return;
	}
	if (CHECK(mprotect(map + page, page, PROT_NONE) == 0, "mprotect")) {
		char *end = map + page;

		memset(map, 'u', page);
		for (size_t len = 0; len <= 100; len++) {
			if (!same_byte(end - len, end, '\n') || !same_str(end - len, end, "user1", 5) ||
			    !same_str(end - len, end, "uu", 2) || !same_str(end - len, end, "x", 1))
				break;
			/* Found in the last bytes of the page. */
			if (len >= 5) {
				memcpy(end - 5, "user1", 5);
				end[-1] = '\n';
				if (!same_byte(end - len, end, '\n'))
					break;
				end[-1] = '1';
				if (!same_str(end - len, end, "user1", 5))
					break;
				memset(end - 5, 'u', 5);
			}
		}
	}
	munmap(map, 2 * page);
}
