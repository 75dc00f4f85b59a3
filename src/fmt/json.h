/* json.h - the little JSON that --json output needs */
#ifndef SHM_JSON_H
#define SHM_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s as a JSON string literal, quotes included; see json.c for bytes. */
void	json_string(FILE *, const char *s);
/*
 * Bytes as a JSON string of the code points U+0000 to U+00FF, one a
 * byte, so that json.loads(...).encode("latin-1") gives them back.
 */
void	json_bytes(FILE *, const unsigned char *p, size_t len);

#endif
