#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errtext.h"
#include "scan.h"

static bool reserve(struct buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->s && extra < b->cap - b->len)
		return true;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap - b->len <= extra)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->failed = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void buf_add(struct buf *b, const char *p, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_addu(struct buf *b, unsigned long long v)
{
	char digits[20];
	size_t i = sizeof digits;

	do
		digits[--i] = (char)('0' + v % 10);
	while (v /= 10);
	buf_add(b, digits + i, sizeof digits - i);
}

/* Length of the valid UTF-8 sequence at p (at most n bytes) and its code
 * point, or 0 when the bytes there are not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF are invalid, as in Go). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		len = 2, c = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, c = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void add_hex(struct buf *b, const char *prefix, uint32_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	buf_adds(b, prefix);
	while (digits--)
		buf_addc(b, hex[(v >> (4 * digits)) & 0xf]);
}

/* The code points that reorder or break a line of text on a terminal: the
 * bidi marks, embeddings, overrides and isolates, and the line and
 * paragraph separators (Go escapes them too). */
static bool is_format(uint32_t c)
{
	return c == 0x61c || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/* Go's strconv.Quote, except that among the non-ASCII code points only the
 * C1 controls and the format characters above count as unprintable: the
 * rest of Go's Unicode tables would outweigh the whole program for no
 * user-visible gain. */
void buf_escape(struct buf *b, const char *p, size_t n)
{
	static const char named[] = "\a\b\f\n\r\t\v", letter[] = "abfnrtv";
	const unsigned char *u = (const unsigned char *)p;

	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_decode(u + i, n - i, &c);
		const char *esc;

		if (len == 0) {
			add_hex(b, "\\x", u[i], 2);
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c != 0 && c < 0x20 && (esc = scan_byte(named, named + sizeof named - 1, (char)c))) {
			buf_addc(b, '\\');
			buf_addc(b, letter[esc - named]);
		} else if (c < 0x20 || c == 0x7f) {
			add_hex(b, "\\x", c, 2);
		} else if ((c >= 0x80 && c < 0xa0) || is_format(c)) {
			add_hex(b, "\\u", c, 4);
		} else {
			buf_add(b, p + i, len);
		}
		i += len;
	}
}

void buf_quote(struct buf *b, const char *p, size_t n)
{
	buf_addc(b, '"');
	buf_escape(b, p, n);
	buf_addc(b, '"');
}

char *buf_str(struct buf *b)
{
	if (!b->s && !b->failed)
		buf_add(b, "", 0);
	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	char *s = b->s;
	*b = (struct buf){0};
	return s;
}

void buf_free(struct buf *b)
{
	free(b->s);
	*b = (struct buf){0};
}

void buf_fmt(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	const char *s;
	size_t n;
	char c;

	va_start(ap, fmt);
	while ((c = *fmt++)) {
		if (c != '%') {
			buf_addc(b, c);
			continue;
		}
		c = *fmt++;
		if (c == 'u' || c == 'e') {
			unsigned v = va_arg(ap, unsigned);

			if (c == 'u')
				buf_addu(b, v);
			else
				buf_adderr(b, (int)v);
			continue;
		}
		if (c == 'U') {
			buf_addu(b, va_arg(ap, unsigned long));
			continue;
		}
		s = va_arg(ap, const char *);
		n = c == 's' ? strlen(s) : va_arg(ap, size_t);
		if (c == 'q')
			buf_quote(b, s, n);
		else if (c == 'v')
			buf_escape(b, s, n);
		else
			buf_add(b, s, n);
	}
	va_end(ap);
}
