/* hex.c - hex text to bytes, for -x arguments, and bytes to hex text */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/hex.h"
#include "util/shm.h"

int
hex_digit(int c)
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
hex_decode(const char *text, unsigned char *out, size_t *len, size_t *where)
{
	const char *s = text;
	int hi, lo;

	*len = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return NULL;
		*where = (size_t)(s - text);
		if ((hi = hex_digit(*s)) < 0)
			return "not a hex digit";
		*where += 1;
		if ((lo = hex_digit(s[1])) < 0)
			return s[1] == '\0' || isspace((unsigned char)s[1]) ?
			    "odd number of hex digits" : "not a hex digit";
		out[(*len)++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
}

int
hex_bytes(const char *what, const char *text, unsigned char **out,
    size_t *len)
{
	const char *err;
	size_t where = 0;

	if ((*out = malloc(strlen(text) / 2 + 1)) == NULL)
		return shm_perror(what);
	if ((err = hex_decode(text, *out, len, &where)) == NULL)
		return SHM_OK;
	free(*out);
	*out = NULL;
	/* Not the whole argument: a page of xxd -p is no message. */
	if (text[where] == '\0' || isspace((unsigned char)text[where]))
		return shm_usage_error("%s: %s", what, err);
	return shm_usage_error("%s: '%c' at character %zu is %s", what,
	    text[where], where + 1, err);
}

void
hex_print(FILE *fp, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[512];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		buf[k++] = digits[b[i] >> 4];
		buf[k++] = digits[b[i] & 0xf];
		if (k == sizeof(buf)) {
			fwrite(buf, 1, k, fp);
			k = 0;
		}
	}
	fwrite(buf, 1, k, fp);
}
