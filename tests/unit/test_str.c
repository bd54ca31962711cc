/* The small string searches that stand in for strchrnul and strncmp. */
#include <string.h>

#include "check.h"
#include "str.h"

TEST(str_find_stops_at_the_byte_or_the_end)
{
	const char *s = "app:staff";

	CHECK(str_find(s, ':') == s + 3, "':' in app:staff");
	CHECK(str_find(s, 'x') == s + 9 && *str_find(s, 'x') == '\0', "no 'x': the NUL");
	{
		const char *e = "";

		CHECK(str_find(e, '/') == e, "empty string");
	}
	CHECK(str_find(":a", ':')[0] == ':', "first byte");
}

TEST(str_after_is_strncmp_equality)
{
	const char *a = "--map-ids=env";

	CHECK(str_after(a, "--map-ids=", 10) == a + 10, "prefix matched");
	CHECK(!str_after(a, "--map-chown=", 12), "other prefix");
	CHECK(!str_after("--map", "--map-ids=", 10), "shorter string: stops at its NUL");
	CHECK(str_after("env", "env", 3) && !*str_after("env", "env", 3), "whole string");
	CHECK(str_after("x", "", 0), "empty prefix");
	CHECK(!str_after("USER_I=1", "USER_ID", 7), "differs inside");
}
