/* Splitting a stream into lines with memory bounded by the longest line.
 * Pure: the bytes come from a read callback, which is where any system
 * call lives. */
#ifndef GOSU_LINES_H
#define GOSU_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The longest line accepted, not counting its '\n'. */
#define LINE_MAX_BYTES (1u << 20)

struct lines {
	/* Reads up to n bytes into dst: the count, 0 at the end, or -errno. */
	ssize_t (*read)(struct lines *l, char *dst, size_t n);
	/* Releases what the source holds; true when the stream changed while
	 * it was read. May be NULL. */
	bool (*close)(struct lines *l);
	void *ctx;
	int fd;
	size_t size_hint; /* the stream's expected size, 0 if unknown */

	char *buf;
	size_t start, scanned, end, cap; /* buf[start..end) is unread;
	                                    buf[start..scanned) has no '\n' */
	bool eof;
	unsigned long lineno; /* of the line last returned */
};

/* 1 and the next line without its '\n' (valid until the next call), 0 at
 * the end, or a negative errno or -ERR_LINE_TOO_LONG. */
int lines_next(struct lines *l, const char **line, size_t *len);
/* Whether the stream changed while it was read, as its source tells. */
bool lines_close(struct lines *l);

#endif
