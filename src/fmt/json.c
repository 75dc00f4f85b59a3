/* json.c - JSON string literals for --json output */
#include <stdio.h>
#include <string.h>

#include "fmt/json.h"
#include "util/text.h"

/*
 * Names are bytes, not necessarily UTF-8.  Valid UTF-8 passes through
 * as it is; a byte that is not part of any is written as the lone
 * surrogate U+DC00+byte, Python's "surrogateescape": valid JSON, and
 * json.loads(...).encode("utf-8", "surrogateescape") gives the exact
 * bytes back.
 */
void
json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;

	fputc('"', fp);
	while (len > 0) {
		n = text_utf8_len(p, len);
		if (n == 0)
			fprintf(fp, "\\udc%02x", *p);
		else if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fwrite(p, 1, n, fp);
		n = n == 0 ? 1 : n;
		p += n;
		len -= n;
	}
	fputc('"', fp);
}

void
json_bytes(FILE *fp, const unsigned char *p, size_t len)
{
	size_t i;

	fputc('"', fp);
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(fp, "\\%c", p[i]);
		else if (p[i] >= ' ' && p[i] <= '~')
			fputc(p[i], fp);
		else
			fprintf(fp, "\\u%04x", p[i]);
	}
	fputc('"', fp);
}
