#include "str.h"

const char *str_find(const char *s, char c)
{
	while (*s && *s != c)
		s++;
	return s;
}

const char *str_after(const char *s, const char *p, size_t n)
{
	/* A NUL in s differs from every byte of p: the loop stops there. */
	for (; n; n--)
		if (*s++ != *p++)
			return NULL;
	return s;
}
