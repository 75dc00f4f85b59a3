/*
 * fuzz_number.c - libFuzzer harness for the number parser: any text,
 * every entry point.  Whatever is accepted must be in range, and a
 * canonical decimal of the result must parse back to the same value.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/number.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_size(const char *s)
{
	char text[32];
	uint64_t v, w;

	if (number_size(s, &v) != NULL)
		return;
	assert(v <= INT64_MAX);
	snprintf(text, sizeof(text), "%" PRIu64, v);
	assert(number_size(text, &w) == NULL && w == v);
}

static void
check_offset(const char *s, uint64_t size)
{
	uint64_t off;

	if (number_offset(s, size, &off) == NULL)
		assert(off <= size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	bool negative;
	uint64_t mag;
	unsigned mode;
	int64_t v;
	char sign;

	if (s == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	check_size(s);
	check_offset(s, 0);
	check_offset(s, 4096);
	check_offset(s, INT64_MAX);
	if (number_signed(s, &sign, &v) == NULL)
		assert(sign == 0 || sign == '+' || sign == '-');
	number_integer(s, &negative, &mag);
	if (number_mode(s, &mode) == NULL)
		assert(mode <= 07777);
	free(s);
	return 0;
}
