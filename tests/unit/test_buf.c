/* Quoting of the bytes that reach a message from outside. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "errtext.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define EDQUOT_TEXT STR(EDQUOT)
#include "check.h"

static void escapes(const char *in, size_t n, const char *want)
{
	struct buf b = {0};

	buf_escape(&b, in, n);
	CHECK(!strcmp(b.s ? b.s : "", want), "escape of '%s': got '%s', want '%s'", in, NN(b.s), want);
	buf_free(&b);
}

#define ESC(lit, want) escapes(lit, sizeof lit - 1, want)

TEST(ordinary_text_is_left_as_it_is)
{
	ESC("app", "app");
	ESC("app:staff", "app:staff");
	ESC("o'brien \xc3\xa9t\xc3\xa9 \xe2\x82\xac", "o'brien \xc3\xa9t\xc3\xa9 \xe2\x82\xac");
	ESC("", "");
}

TEST(control_bytes_cannot_reach_the_terminal)
{
	ESC("a\nerror: fake", "a\\nerror: fake");
	ESC("\x1b]0;title\a\x1b[2J", "\\x1b]0;title\\a\\x1b[2J");
	ESC("\r\t\v\f\b\x7f", "\\r\\t\\v\\f\\b\\x7f");
	ESC("a\0b", "a\\x00b");
	ESC("\xc2\x9b" "31m", "\\u009b31m"); /* CSI as a C1 control */
	ESC("\\x1b", "\\\\x1b");             /* a backslash cannot fake an escape */
	ESC("\xff\xc3", "\\xff\\xc3");       /* invalid UTF-8, byte by byte */
}

TEST(bidi_and_line_separators_are_escaped)
{
	ESC("a\xe2\x80\xae" "gnp.exe", "a\\u202egnp.exe"); /* RIGHT-TO-LEFT OVERRIDE */
	ESC("\xe2\x81\xa6" "x" "\xe2\x81\xa9", "\\u2066x\\u2069");
	ESC("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029");
	ESC("\xe2\x80\x8f\xd8\x9c\xe2\x80\x8e", "\\u200f\\u061c\\u200e");
	/* Neighbours that print are left alone, and so are the code points
	 * whose low byte is that of a control character. */
	ESC("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xb0", "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xb0");
	ESC("\xc4\x87\xc4\x8a\xc4\x89", "\xc4\x87\xc4\x8a\xc4\x89"); /* U+0107 U+010A U+0109 */
}

TEST(double_quotes_are_escaped_as_in_gosu_1_14)
{
	ESC("say \"hi\"", "say \\\"hi\\\"");
	struct buf b = {0};

	buf_quote(&b, "--bo\"gus\n", 9);
	CHECK(b.s && !strcmp(b.s, "\"--bo\\\"gus\\n\""), "quote: got '%s'", NN(b.s));
	buf_free(&b);
}

static void err_text(int err, const char *want)
{
	struct buf b = {0};

	buf_adderr(&b, err);
	CHECK(b.s && b.len == strlen(want) && !memcmp(b.s, want, b.len), "errno %d: got '%.*s', want '%s'",
	      err, (int)b.len, b.s ? b.s : "", want);
	buf_free(&b);
}

TEST(errno_texts_are_go_s_wording)
{
	err_text(EPERM, "operation not permitted");
	err_text(ENOENT, "no such file or directory");
	err_text(EACCES, "permission denied");
	err_text(ELOOP, "too many levels of symbolic links");
	err_text(EROFS, "read-only file system");
	err_text(ENOMEDIUM, "no medium found"); /* the table's last */
	err_text(ERR_CHANGED, "changed while read");
	/* Not in the table: the number, as Go prints it. */
	err_text(0, "errno 0");
	err_text(EDQUOT, "errno " EDQUOT_TEXT);
	err_text(256 + EPERM, "errno 257");
}
