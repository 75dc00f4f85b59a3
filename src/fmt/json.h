/* json.h - the little JSON that --json output needs */
#ifndef SHM_JSON_H
#define SHM_JSON_H

#include <stdio.h>

/* s as a JSON string literal, quotes included; see json.c for bytes. */
void	json_string(FILE *, const char *s);

#endif
