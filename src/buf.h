/* A growable byte string for messages, paths and environment entries.
 * An allocation failure is sticky: later appends do nothing and buf_str()
 * returns NULL, so callers check once, at the end. */
#ifndef GOSU_BUF_H
#define GOSU_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

void buf_add(struct buf *b, const char *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addu(struct buf *b, unsigned long long v);
/* Appends p[0..n) quoted the way Go's strconv.Quote does. */
void buf_quote(struct buf *b, const char *p, size_t n);
/* The same without the quotes around it: control bytes, the bidi and line
 * separator code points, invalid UTF-8, '\\' and '"' escaped, everything
 * else as it is. For bytes that arrive from outside and go into a message,
 * so that they cannot start a line, move the cursor or reorder the text. */
void buf_escape(struct buf *b, const char *p, size_t n);
/* Appends fmt, each directive replaced by the next arguments:
 *   %s  const char *: a NUL-terminated string
 *   %b  const char *, size_t: bytes as they are
 *   %q  const char *, size_t: quoted, as buf_quote
 *   %v  const char *, size_t: escaped, as buf_escape
 *   %u  unsigned;  %U  unsigned long
 *   %e  int: the text of an errno (errtext.h)
 * One call instead of one per piece: each message costs a fraction of
 * the code. */
void buf_fmt(struct buf *b, const char *fmt, ...);
/* The NUL-terminated contents (ownership passes to the caller), or NULL
 * when an allocation failed. */
char *buf_str(struct buf *b);
void buf_free(struct buf *b);

#endif
