/* A small test harness: TEST() registers a function, CHECK() counts one
 * assertion; the run ends with "unit: N passed, N failed". */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>

void test_register(const char *name, void (*fn)(void));
/* Records one result; on failure prints the place and the message. */
bool check_(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* For printing a string that may be NULL. */
#define NN(s) ((s) ? (s) : "(null)")

#define CHECK(cond, ...) check_((cond), __FILE__, __LINE__, __VA_ARGS__)

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void register_##name(void)   \
	{                                                                 \
		test_register(#name, name);                               \
	}                                                                 \
	static void name(void)

#endif
