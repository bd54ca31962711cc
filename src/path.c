#include "path.h"

#include <stdbool.h>
#include <string.h>

static void clean(struct buf *b, const char *p, size_t n)
{
	size_t base = b->len, floor; /* ".." may not remove what is below floor */
	bool rooted = n > 0 && p[0] == '/';

	if (rooted)
		buf_addc(b, '/');
	floor = b->len;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && p[j] != '/')
			j++;
		size_t len = j - i;
		if (len == 0 || (len == 1 && p[i] == '.')) {
			/* nothing */
		} else if (len == 2 && p[i] == '.' && p[i + 1] == '.') {
			if (b->len > floor) {
				while (b->len > floor && b->s[b->len - 1] != '/')
					b->len--;
				if (b->len > floor)
					b->len--; /* the separator */
				b->s[b->len] = '\0';
			} else if (!rooted) {
				if (b->len > base)
					buf_addc(b, '/');
				buf_add(b, "..", 2);
				floor = b->len;
			}
		} else {
			if (b->len > base && b->s[b->len - 1] != '/')
				buf_addc(b, '/');
			buf_add(b, p + i, len);
		}
		i = j + 1;
	}
	if (b->len == base)
		buf_addc(b, '.');
}

void path_join_clean(struct buf *b, const char *dir, size_t dirlen,
                     const char *file)
{
	struct buf joined = {0};

	buf_add(&joined, dir, dirlen);
	buf_addc(&joined, '/');
	buf_adds(&joined, file);
	if (joined.failed)
		b->failed = true;
	else
		clean(b, joined.s, joined.len);
	buf_free(&joined);
}
