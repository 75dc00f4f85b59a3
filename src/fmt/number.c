/*
 * number.c - the one parser for every number a user types.
 *
 * Sizes follow dd: K and KiB are 1024, KB and kB are 1000, and so on
 * up to E.  Nothing wraps: an amount that does not fit in 63 bits is
 * refused, so every result is also a valid off_t.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/hex.h"
#include "fmt/number.h"

#define NUMBER_MAX	((uint64_t)INT64_MAX)

struct suffix {
	const char	*text;
	uint64_t	 factor;
};

static const struct suffix suffixes[] = {
	{ "",    1 },
	{ "c",   1 },
	{ "K",   1ULL << 10 }, { "k",  1ULL << 10 }, { "KiB", 1ULL << 10 },
	{ "KB",  1000ULL },    { "kB", 1000ULL },
	{ "M",   1ULL << 20 }, { "MiB", 1ULL << 20 }, { "MB", 1000000ULL },
	{ "G",   1ULL << 30 }, { "GiB", 1ULL << 30 },
	{ "GB",  1000000000ULL },
	{ "T",   1ULL << 40 }, { "TiB", 1ULL << 40 },
	{ "TB",  1000000000000ULL },
	{ "P",   1ULL << 50 }, { "PiB", 1ULL << 50 },
	{ "PB",  1000000000000000ULL },
	{ "E",   1ULL << 60 }, { "EiB", 1ULL << 60 },
	{ "EB",  1000000000000000000ULL },
};

/* A digit's value, or more than any base: hex's, once. */
static int
digit_value(int c)
{
	int v = hex_digit(c);

	return v < 0 ? 99 : v;
}

/*
 * Reads the digits at *sp into *out and leaves *sp after them.  Returns
 * NULL, or the reason the digits are not a number in [0, UINT64_MAX].
 */
static const char *
parse_digits(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (digit_value(*s) >= (int)base)
		return "not a number";
	for (; (d = digit_value(*s)) < (int)base; s++) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return "number too large";
		v = v * base + (unsigned)d;
	}
	*sp = s;
	*out = v;
	return NULL;
}

static const char *
apply_suffix(const char *s, uint64_t *v)
{
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strcmp(s, suffixes[i].text) != 0)
			continue;
		if (*v > NUMBER_MAX / suffixes[i].factor)
			return "number too large";
		*v *= suffixes[i].factor;
		return NULL;
	}
	return "not a number";
}

const char *
number_size(const char *s, uint64_t *out)
{
	const char *err;
	uint64_t v;

	if ((err = parse_digits(&s, &v)) != NULL)
		return err;
	if ((err = apply_suffix(s, &v)) != NULL)
		return err;
	*out = v;
	return NULL;
}

uint64_t
number_env_size(const char *var, uint64_t min, uint64_t max, uint64_t dflt)
{
	const char *value = getenv(var);
	uint64_t size;

	if (value == NULL || number_size(value, &size) != NULL ||
	    size < min || size > max)
		return dflt;
	return size;
}

const char *
number_signed(const char *s, char *sign, int64_t *out)
{
	const char *err;
	uint64_t v;

	*sign = 0;
	if (*s == '+' || *s == '-')
		*sign = *s++;
	if ((err = number_size(s, &v)) != NULL)
		return err;
	*out = *sign == '-' ? -(int64_t)v : (int64_t)v;
	return NULL;
}

const char *
number_offset(const char *s, uint64_t size, uint64_t *out)
{
	const char *err;
	int64_t v;
	char sign;

	if ((err = number_signed(s, &sign, &v)) != NULL)
		return err;
	if (v < 0) {
		if ((uint64_t)-v > size)
			return "before the start";
		*out = size - (uint64_t)-v;
		return NULL;
	}
	if ((uint64_t)v > size)
		return "beyond the end";
	*out = (uint64_t)v;
	return NULL;
}

const char *
number_integer(const char *s, bool *negative, uint64_t *magnitude)
{
	const char *err;

	*negative = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	if ((err = parse_digits(&s, magnitude)) != NULL)
		return err;
	return *s == '\0' ? NULL : "not an integer";
}

const char *
number_mode(const char *s, unsigned *mode)
{
	unsigned v = 0;

	if (*s == '\0')
		return "not an octal mode";
	for (; *s >= '0' && *s <= '7'; s++)
		if ((v = v * 8 + (unsigned)(*s - '0')) > 07777)
			return "mode out of range (0 to 7777)";
	if (*s != '\0')
		return "not an octal mode";
	*mode = v;
	return NULL;
}

const char *
number_seconds(const char *s, double *out)
{
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;

	/* Digits only: strtod would take "inf", "1e9", "0x1p3" and " 1". */
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (uint64_t)(*p - '0')) > 604800)
			return "more than a week";
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
	if (p == s || *p != '\0' || (p == s + 1 && *s == '.'))
		return "not a number of seconds";
	*out = (double)whole + (double)frac / (double)scale;
	return NULL;
}

/* A duration's units, as gc's --older-than takes them. */
static const struct { char unit; uint64_t seconds; } duration_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
};

/* Ten years: an age no file on a running system can outgrow by much. */
#define DURATION_MAX	((uint64_t)3650 * 86400)

const char *
number_duration(const char *s, uint64_t *out)
{
	uint64_t whole = 0;
	const char *p = s;
	size_t i;

	/* Digits only: no sign, no fraction, no space, no hex. */
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (uint64_t)(*p - '0')) > DURATION_MAX)
			return "more than ten years";
	if (p == s)
		return "not a duration (a whole number and s, m, h or d)";
	if (*p == '\0') {
		*out = whole;	/* bare digits: seconds, as sleep(1) */
		return NULL;
	}
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]);
	    i++)
		if (*p == duration_units[i].unit && p[1] == '\0') {
			if (whole > DURATION_MAX / duration_units[i].seconds)
				return "more than ten years";
			*out = whole * duration_units[i].seconds;
			return NULL;
		}
	return "not a duration (a whole number and s, m, h or d)";
}
