/* json.c - JSON string literals for --json output */
#include <stdio.h>

#include "json.h"

/*
 * Names are bytes, not necessarily UTF-8; escaping every byte above
 * 0x7f as the code point of the same value keeps the output valid JSON
 * whatever the name holds (Latin-1 style, as jq shows it).
 */
void
json_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}
