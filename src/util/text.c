/*
 * text.c - escaping untrusted bytes for messages and tabular output.
 *
 * A segment's name is any bytes but '/' and NUL: a name holding a
 * newline would forge a second row in list's output or a second line
 * in an error, and one holding ESC could drive the terminal.  Valid
 * UTF-8 passes through, so a name in any script reads as itself.
 */
#include <stdbool.h>
#include <string.h>

#include "util/text.h"

static bool
continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t
text_utf8_len(const unsigned char *p, size_t avail)
{
	size_t len, i;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;	/* a continuation byte, overlong c0/c1, f5+ */
	if (avail < len)
		return 0;
	for (i = 1; i < len; i++)
		if (!continuation(p[i]))
			return 0;
	/* Overlong forms, UTF-16 surrogates, and past U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/* U+0080 to U+009F: C1 controls, which some terminals obey (CSI). */
static bool
is_c1(const unsigned char *p, size_t len)
{
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/* The escape for one byte, or NULL if it stands for itself. */
static const char *
short_escape(unsigned char c, bool backslash)
{
	switch (c) {
	case '\\': return backslash ? "\\\\" : NULL;
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	default: return NULL;
	}
}

static size_t
escape_bytes(char *dst, size_t room, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (room < 4 * n)
		return 0;
	for (i = 0; i < n; i++) {
		dst[4 * i] = '\\';
		dst[4 * i + 1] = 'x';
		dst[4 * i + 2] = digits[p[i] >> 4];
		dst[4 * i + 3] = digits[p[i] & 15];
	}
	return 4 * n;
}

size_t
text_escape(char *dst, size_t dstsize, const char *s, size_t len,
    bool backslash)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t out = 0, i = 0, n, w, room;
	const char *esc;

	while (i < len) {
		room = dstsize - 1 - out;
		n = text_utf8_len(p + i, len - i);
		esc = n == 1 ? short_escape(p[i], backslash) : NULL;
		if (esc != NULL) {
			if ((w = strlen(esc)) > room)
				break;
			memcpy(dst + out, esc, w);
		} else if (n == 0 || is_c1(p + i, n) ||
		    (n == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			n = n == 0 ? 1 : n;
			if ((w = escape_bytes(dst + out, room, p + i, n)) == 0)
				break;
		} else {
			if ((w = n) > room)
				break;
			memcpy(dst + out, p + i, n);
		}
		out += w;
		i += n;
	}
	dst[out] = '\0';
	return out;
}

void
text_print(FILE *fp, const char *s)
{
	char buf[1024];
	size_t len = strlen(s), n, took;

	/* Pieces of at most 64 bytes: every escape of them fits in buf. */
	while (len > 0) {
		n = len < 64 ? len : 64;
		/* Never split a UTF-8 sequence between two pieces. */
		while (n < len && continuation((unsigned char)s[n]) &&
		    n > 60)
			n--;
		took = text_escape(buf, sizeof(buf), s, n, true);
		fwrite(buf, 1, took, fp);
		s += n;
		len -= n;
	}
}
