/*
 * fuzz_structfmt.c - libFuzzer harness: a fuzzed format unpacks fuzzed
 * bytes, the printed values must pack, and packing must be a fixed
 * point: unpack(pack(values)) prints the same values.  Where no byte
 * is canonicalized (no padding, bool, Pascal string or float), pack
 * must give back the very bytes unpacked.  Fuzzed text is also packed
 * directly, which must either fail cleanly or round-trip.
 *
 * Input: a format up to the first NUL, then the bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/structfmt.h"

#define MAXSIZE		4096
#define MAXVALUES	1024

struct texts {
	char	*buf;		/* the values, each ended by NUL */
	size_t	 len;
	size_t	 cap;
	char	*values[MAXVALUES];
	size_t	 n;
	int	 at_start;
};

static int
collect(void *ctx, const char *text, size_t len, bool end)
{
	struct texts *t = ctx;

	if (t->len + len + 1 > t->cap) {
		t->cap = (t->len + len + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		assert(t->buf != NULL);
	}
	/* NUL inside a value would break the one-line promise */
	assert(memchr(text, '\0', len) == NULL);
	assert(memchr(text, '\n', len) == NULL);
	memcpy(t->buf + t->len, text, len);
	t->len += len;
	if (end) {
		t->buf[t->len++] = '\0';
		t->n++;
	}
	return 0;
}

/* Values point into buf, so they are set once it stops moving. */
static void
index_values(struct texts *t)
{
	size_t i, off = 0;

	for (i = 0; i < t->n; i++) {
		t->values[i] = t->buf + off;
		off += strlen(t->values[i]) + 1;
	}
}

static void
unpack_all(const struct structfmt *sf, const unsigned char *buf,
    struct texts *t)
{
	memset(t, 0, sizeof(*t));
	assert(structfmt_unpack(sf, buf, collect, t) == 0);
	assert(t->n == sf->count);
	index_values(t);
}

static bool
byte_exact(const char *fmt)
{
	return strchr("=<>!", fmt[0]) != NULL && fmt[0] != '\0' &&
	    strpbrk(fmt, "x?pefd") == NULL;
}

static void
check_fixed_point(const struct structfmt *sf, const char *fmt,
    const unsigned char *data)
{
	unsigned char out[MAXSIZE], again[MAXSIZE];
	char err[STRUCTFMT_ERRLEN];
	struct texts t1, t2;
	size_t i;

	unpack_all(sf, data, &t1);
	assert(structfmt_pack(sf, t1.values, t1.n, out, err,
	    sizeof(err)) == NULL);
	if (byte_exact(fmt))
		assert(memcmp(out, data, sf->size) == 0);
	unpack_all(sf, out, &t2);
	assert(t2.n == t1.n && t2.len == t1.len);
	assert(t1.len == 0 || memcmp(t1.buf, t2.buf, t1.len) == 0);
	assert(structfmt_pack(sf, t2.values, t2.n, again, err,
	    sizeof(err)) == NULL);
	assert(memcmp(out, again, sf->size) == 0);
	for (i = 0; i < 2; i++)
		free(i == 0 ? t1.buf : t2.buf);
}

/* Splits the bytes at '\n' into values and packs them as typed. */
static void
check_typed(const struct structfmt *sf, const unsigned char *data,
    size_t len)
{
	char *copy, *values[MAXVALUES], err[STRUCTFMT_ERRLEN], *p;
	unsigned char out[MAXSIZE];
	size_t n = 0;

	if ((copy = malloc(len + 1)) == NULL)
		return;
	memcpy(copy, data, len);
	copy[len] = '\0';
	for (p = copy; n < MAXVALUES; p++) {
		values[n++] = p;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		*p = '\0';
	}
	if (structfmt_pack(sf, values, n, out, err, sizeof(err)) == NULL)
		check_fixed_point(sf, "", out);
	else
		assert(strlen(err) > 0 && strchr(err, '\n') == NULL);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	struct structfmt sf;
	char fmt[256];
	size_t flen, rest;

	if (nul == NULL || (flen = (size_t)(nul - data)) >= sizeof(fmt))
		return 0;
	memcpy(fmt, data, flen + 1);
	rest = size - flen - 1;
	if (structfmt_parse(fmt, &sf) != NULL)
		return 0;
	if (sf.size > MAXSIZE || sf.count > MAXVALUES)
		return 0;
	if (rest >= sf.size)
		check_fixed_point(&sf, fmt, nul + 1);
	check_typed(&sf, nul + 1, rest);
	return 0;
}
