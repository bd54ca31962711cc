/* The searches that every line of /etc/passwd and /etc/group goes through:
 * a byte (the line end, ':'), and a name (in member lists). Pure; their
 * own loads never leave [p, end), so no page past the end is touched and
 * the sanitizers see only reads within bounds. */
#ifndef GOSU_SCAN_H
#define GOSU_SCAN_H

#include <stddef.h>

/* The first c in [p, end), or NULL: memchr's result. */
const char *scan_byte(const char *p, const char *end, char c);
/* The first place in [p, end) where s[0..n) stands (n > 0), or NULL. */
const char *scan_str(const char *p, const char *end, const char *s, size_t n);

#endif
