#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	const char *name;
	void (*fn)(void);
} tests[256];
static size_t ntests;
static unsigned passed, failed;
static const char *current;

void test_register(const char *name, void (*fn)(void))
{
	if (ntests == sizeof tests / sizeof *tests)
		abort();
	tests[ntests].name = name;
	tests[ntests++].fn = fn;
}

bool check_(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return true;
	}
	failed++;
	fprintf(stderr, "FAIL %s (%s:%d): ", current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		current = tests[i].name;
		tests[i].fn();
	}
	printf("unit: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
