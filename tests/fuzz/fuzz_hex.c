/*
 * fuzz_hex.c - libFuzzer harness for hex_decode: it must never write
 * more than strlen / 2 bytes, and re-encoding what it accepts must
 * decode to the same bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/hex.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1), *again;
	unsigned char *out, *out2;
	size_t n, n2, i, where;

	if (s == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	/* Exactly the room the header promises: ASan sees any overrun. */
	out = malloc(strlen(s) / 2 + 1);
	again = malloc(strlen(s) + 1);
	if (out != NULL && again != NULL && hex_decode(s, out, &n, &where) == NULL) {
		assert(n <= strlen(s) / 2);
		for (i = 0; i < n; i++)
			snprintf(again + 2 * i, 3, "%02x", out[i]);
		again[2 * n] = '\0';
		out2 = malloc(n + 1);
		assert(out2 != NULL);
		assert(hex_decode(again, out2, &n2, &where) == NULL && n2 == n);
		assert(memcmp(out, out2, n) == 0);
		free(out2);
	}
	free(again);
	free(out);
	free(s);
	return 0;
}
