/* hex.c - hex text to bytes, for -x arguments of write and find */
#include <ctype.h>
#include <stddef.h>

#include "hex.h"

static int
nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *
hex_decode(const char *text, unsigned char *out, size_t *len)
{
	const char *s = text;
	int hi, lo;

	*len = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;;) {
		while (isblank((unsigned char)*s))
			s++;
		if (*s == '\0')
			return NULL;
		if ((hi = nibble(*s)) < 0)
			return "not a hex digit";
		if ((lo = nibble(s[1])) < 0)
			return s[1] == '\0' || isblank((unsigned char)s[1]) ?
			    "odd number of hex digits" : "not a hex digit";
		out[(*len)++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
}
