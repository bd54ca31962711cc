#include "lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errtext.h"
#include "scan.h"

/* Big enough that a typical /etc/passwd comes in one read; a large file
 * is read in blocks of this size. */
#define FIRST_CAP (32u << 10)
/* A full line, its '\n', and nothing more: one byte past the limit without
 * a '\n' is already too long. */
#define MAX_CAP (LINE_MAX_BYTES + 1)

/* A known small stream gets a buffer just big enough for it and the read
 * that finds its end: every page gosu touches costs it a page fault. */
static size_t first_cap(size_t size_hint)
{
	return size_hint && size_hint < FIRST_CAP ? size_hint + 1 : FIRST_CAP;
}

static int refill(struct lines *l)
{
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->scanned -= l->start;
		l->start = 0;
	}
	if (l->end == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : first_cap(l->size_hint);
		char *buf;

		if (cap > MAX_CAP)
			cap = MAX_CAP;
		if (!(buf = realloc(l->buf, cap)))
			return -ENOMEM;
		l->buf = buf;
		l->cap = cap;
	}
	ssize_t n = l->read(l, l->buf + l->end, l->cap - l->end);
	if (n < 0)
		return (int)n;
	if (n == 0)
		l->eof = true;
	l->end += (size_t)n;
	return 0;
}

int lines_next(struct lines *l, const char **line, size_t *len)
{
	for (;;) {
		const char *nl = l->end > l->scanned
		    ? scan_byte(l->buf + l->scanned, l->buf + l->end, '\n') : NULL;

		if (nl || (l->eof && l->start < l->end)) {
			size_t stop = nl ? (size_t)(nl - l->buf) : l->end;

			*line = l->buf + l->start;
			*len = stop - l->start;
			l->start = l->scanned = nl ? stop + 1 : stop;
			l->lineno++;
			return 1;
		}
		l->scanned = l->end;
		if (l->end - l->start > LINE_MAX_BYTES)
			return -ERR_LINE_TOO_LONG;
		if (l->eof)
			return 0;
		int err = refill(l);
		if (err)
			return err;
	}
}

bool lines_close(struct lines *l)
{
	bool changed = l->close && l->close(l);

	free(l->buf);
	l->buf = NULL;
	return changed;
}
