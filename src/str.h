/* The string searches this program makes besides scan.c's, on strings of a
 * few bytes: plain loops, a fraction of the size of musl's word-at-a-time
 * strchrnul and strncmp. Pure. */
#ifndef GOSU_STR_H
#define GOSU_STR_H

#include <stddef.h>

/* The first c in s, or the NUL that ends s: strchrnul's result. */
const char *str_find(const char *s, char c);
/* s past its first n bytes when they are p[0..n) (p holds no NUL), or
 * NULL: !strncmp(s, p, n). */
const char *str_after(const char *s, const char *p, size_t n);

#endif
