/*
 * fuzz_resolve.c - libFuzzer harness for segment_resolve, the name
 * resolver: any name is either refused or yields a path that fits,
 * and an object name never holds a second '/'.  Refusals print a line
 * each: make fuzz runs it with -close_fd_mask=3.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seg/map.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct segment seg;
	char *name = malloc(len + 1);

	if (name == NULL)
		return 0;
	memcpy(name, data, len);
	name[len] = '\0';
	if (segment_resolve(&seg, name) == 0) {
		assert(strlen(seg.path) < sizeof(seg.path));
		assert(seg.fd == -1);
		if (seg.object[0] != '\0') {
			assert(seg.object[0] == '/');
			assert(strchr(seg.object + 1, '/') == NULL);
			assert(strlen(seg.object) <= NAME_MAX + 1);
		}
	}
	free(name);
	return 0;
}
