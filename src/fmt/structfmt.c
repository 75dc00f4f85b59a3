/*
 * structfmt.c - Python's struct format strings, so that a format copied
 * from a Python program reads and writes the same bytes from the shell.
 *
 * Values travel as text, one per line: integers in decimal, floats as
 * Python's repr() prints them, bytes with C escapes.  What unpack
 * prints, pack takes back.
 */
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/hex.h"
#include "fmt/number.h"
#include "fmt/structfmt.h"

/* Python's PY_SSIZE_T_MAX, the largest struct it will describe. */
#define STRUCTFMT_MAX	((size_t)SSIZE_MAX)

/* Every value passes through a uint64_t holding its bits. */
_Static_assert(sizeof(long long) == 8 && sizeof(void *) <= 8 &&
    sizeof(size_t) <= 8, "integers of at most 64 bits");
_Static_assert(FLT_MANT_DIG == 24 && DBL_MANT_DIG == 53 &&
    sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 floats");

enum kind {
	PAD, CHAR, BOOL, SIGNED, UNSIGNED, POINTER, HALF, FLOAT, DOUBLE,
	STRING, PASCAL
};

struct code {
	char		 letter;
	enum kind	 kind;
	unsigned char	 std_size;	/* 0: native mode only */
	unsigned char	 native_size;
	unsigned char	 native_align;
};

#define NATIVE(type)	sizeof(type), _Alignof(type)

static const struct code codes[] = {
	{ 'x', PAD,	 1, NATIVE(char) },
	{ 'c', CHAR,	 1, NATIVE(char) },
	{ 'b', SIGNED,	 1, NATIVE(char) },
	{ 'B', UNSIGNED, 1, NATIVE(char) },
	{ '?', BOOL,	 1, NATIVE(_Bool) },
	{ 'h', SIGNED,	 2, NATIVE(short) },
	{ 'H', UNSIGNED, 2, NATIVE(short) },
	{ 'i', SIGNED,	 4, NATIVE(int) },
	{ 'I', UNSIGNED, 4, NATIVE(int) },
	{ 'l', SIGNED,	 4, NATIVE(long) },
	{ 'L', UNSIGNED, 4, NATIVE(long) },
	{ 'q', SIGNED,	 8, NATIVE(long long) },
	{ 'Q', UNSIGNED, 8, NATIVE(long long) },
	{ 'n', SIGNED,	 0, NATIVE(size_t) },
	{ 'N', UNSIGNED, 0, NATIVE(size_t) },
	{ 'P', POINTER,	 0, NATIVE(void *) },
	{ 'e', HALF,	 2, NATIVE(short) },	/* Python aligns it so */
	{ 'f', FLOAT,	 4, NATIVE(float) },
	{ 'd', DOUBLE,	 8, NATIVE(double) },
	{ 's', STRING,	 1, NATIVE(char) },
	{ 'p', PASCAL,	 1, NATIVE(char) },
};

/* One run of the format: "3I" is three items of 4 bytes, "4s" one. */
struct run {
	const struct code	*code;
	size_t			 count;		/* the repeat count */
	size_t			 size;		/* of one item */
	size_t			 offset;	/* of the first item */
};

/* Where a walk through the codes of a format is: not a segment's cursor. */
struct format_walk {
	const char	*pos;
	size_t		 offset;		/* bytes the runs so far take */
};

/* Escapes with a name: the letter after the backslash, then the byte. */
static const char named_escapes[] = "\\\\" "n\n" "t\t" "r\r";

static bool
is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
host_little(void)
{
	const uint16_t one = 1;
	unsigned char first;

	memcpy(&first, &one, 1);
	return first == 1;
}

static const struct code *
find_code(int c, bool native)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i].letter == c)
			return native || codes[i].std_size != 0 ?
			    &codes[i] : NULL;
	}
	return NULL;
}

/* Plain decimal, not number.c's syntax: Python allows no 0x or suffix. */
static const char *
read_count(const char **sp, size_t *count)
{
	const char *s = *sp;
	size_t n = 0, digit;

	*count = 1;
	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		digit = (size_t)(*s - '0');
		if (n > (STRUCTFMT_MAX - digit) / 10)
			return "total struct size too long";
		n = n * 10 + digit;
	}
	if (*s == '\0')
		return "repeat count given without format specifier";
	*sp = s;
	*count = n;
	return NULL;
}

/*
 * Reads the next run into r, aligned as Python aligns it; r->code is
 * NULL at the end.  Returns NULL or the reason the format is bad.
 */
static const char *
read_run(const struct structfmt *sf, struct format_walk *c, struct run *r)
{
	const char *s = c->pos, *err;
	size_t align, pad;

	while (is_space(*s))
		s++;
	r->code = NULL;
	if (*s == '\0')
		return NULL;
	if ((err = read_count(&s, &r->count)) != NULL)
		return err;
	if ((r->code = find_code(*s, sf->native)) == NULL)
		return "bad char in struct format";
	c->pos = s + 1;
	r->size = sf->native ? r->code->native_size : r->code->std_size;
	align = sf->native ? r->code->native_align : 1;
	pad = (align - c->offset % align) % align;
	if (pad > STRUCTFMT_MAX - c->offset ||
	    r->count > (STRUCTFMT_MAX - c->offset - pad) / r->size)
		return "total struct size too long";
	r->offset = c->offset + pad;
	c->offset = r->offset + r->count * r->size;
	return NULL;
}

/* Python counts a string as one value and padding as none. */
static size_t
values_in(const struct run *r)
{
	switch (r->code->kind) {
	case PAD:
		return 0;
	case STRING:
	case PASCAL:
		return 1;
	default:
		return r->count;
	}
}

const char *
structfmt_parse(const char *fmt, struct structfmt *sf)
{
	struct format_walk c;
	struct run r;
	const char *err;
	char order = '@';

	if (*fmt != '\0' && strchr("@=<>!", *fmt) != NULL)
		order = *fmt++;
	sf->codes = fmt;
	sf->native = order == '@';
	sf->little = order == '<' ||
	    ((order == '@' || order == '=') && host_little());
	sf->count = 0;
	c.pos = fmt;
	c.offset = 0;
	while ((err = read_run(sf, &c, &r)) == NULL && r.code != NULL)
		sf->count += values_in(&r);
	sf->size = c.offset;
	return err;
}

typedef int visit_fn(const struct run *, size_t offset, void *arg);

/* Calls visit on each value's bytes in turn until one returns nonzero. */
static int
walk(const struct structfmt *sf, visit_fn *visit, void *arg)
{
	struct format_walk c = { sf->codes, 0 };
	struct run r;
	size_t i, n;
	int rv;

	while (read_run(sf, &c, &r) == NULL && r.code != NULL) {
		n = values_in(&r);
		for (i = 0; i < n; i++) {
			if ((rv = visit(&r, r.offset + i * r.size, arg)) != 0)
				return rv;
		}
	}
	return 0;
}

int
structfmt_runs(const struct structfmt *sf,
    int (*visit)(const struct structfmt_run *, void *), void *arg)
{
	struct format_walk c = { sf->codes, 0 };
	struct structfmt_run out;
	struct run r;
	int rv;

	while (read_run(sf, &c, &r) == NULL && r.code != NULL) {
		out.code = r.code->letter;
		out.count = r.count;
		out.size = r.size;
		out.offset = r.offset;
		if ((rv = visit(&out, arg)) != 0)
			return rv;
	}
	return 0;
}

static uint64_t
get_uint(const unsigned char *p, size_t size, bool little)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < size; i++)
		v = v << 8 | p[little ? size - 1 - i : i];
	return v;
}

static void
put_uint(unsigned char *p, size_t size, bool little, uint64_t v)
{
	size_t i;

	for (i = 0; i < size; i++, v >>= 8)
		p[little ? i : size - 1 - i] = v & 0xff;
}

/* Half precision has no C type, so its bits become a double's bits. */
static double
half_to_double(uint64_t h)
{
	uint64_t sign = h >> 15, exp = h >> 10 & 0x1f, man = h & 0x3ff;
	double d;

	if (exp == 0) {
		d = (double)man / (1 << 24);
		return sign ? -d : d;
	}
	exp = exp == 0x1f ? 0x7ff : exp - 15 + 1023;
	h = sign << 63 | exp << 52 | man << 42;
	memcpy(&d, &h, sizeof(d));
	return d;
}

static uint64_t
shift_round_even(uint64_t v, unsigned shift)
{
	uint64_t q = v >> shift, rest = v & ((UINT64_C(1) << shift) - 1);
	uint64_t half = UINT64_C(1) << (shift - 1);

	return q + (rest > half || (rest == half && (q & 1)));
}

/*
 * As Python's PyFloat_Pack2: round half to even, keep the sign of zero
 * and NaN, but refuse what rounds to infinity (65520 and up).
 */
static bool
double_to_half(double d, uint64_t *h)
{
	uint64_t bits, sign, man, q = 0;
	int exp;

	memcpy(&bits, &d, sizeof(bits));
	sign = bits >> 48 & 0x8000;
	exp = (int)(bits >> 52 & 0x7ff);
	man = bits & ((UINT64_C(1) << 52) - 1);
	if (exp == 0x7ff) {
		*h = sign | (man != 0 ? 0x7e00 : 0x7c00);
		return true;
	}
	exp -= 1023;
	man |= UINT64_C(1) << 52;
	if (exp >= 16)
		return false;
	if (exp >= -14)
		q = ((uint64_t)(exp + 14) << 10) + shift_round_even(man, 42);
	else if (28 - exp <= 54)	/* else less than half of 2^-24 */
		q = shift_round_even(man, (unsigned)(28 - exp));
	if (q >= 0x7c00)
		return false;
	*h = sign | q;
	return true;
}

/* The double a float field holds; 'e' and 'f' widen exactly, as Python. */
static double
float_from_bits(enum kind kind, uint64_t bits)
{
	uint32_t u = (uint32_t)bits;
	double d;
	float f;

	if (kind == HALF)
		return half_to_double(bits);
	if (kind == FLOAT) {
		memcpy(&f, &u, sizeof(f));
		return f;
	}
	memcpy(&d, &bits, sizeof(d));
	return d;
}

/* False where Python raises OverflowError: finite d rounds to infinity. */
static bool
float_to_bits(enum kind kind, double d, uint64_t *bits)
{
	uint32_t u;
	float f;

	if (kind == HALF)
		return double_to_half(d, bits);
	if (kind == DOUBLE) {
		memcpy(bits, &d, sizeof(d));
		return true;
	}
	f = (float)d;
	if (isinf(f) && !isinf(d))
		return false;
	memcpy(&u, &f, sizeof(u));
	*bits = u;
	return true;
}

/*
 * Splits printf's "1.2345e+06" into "12345" and 6, skipping whatever
 * decimal point the locale chose.
 */
static void
split_digits(const char *s, char *digits, int *exp10)
{
	int e = 0;
	bool negative;

	for (; *s != 'e'; s++) {
		if (*s >= '0' && *s <= '9')
			*digits++ = *s;
	}
	*digits = '\0';
	negative = *++s == '-';
	for (s++; *s != '\0'; s++)
		e = e * 10 + (*s - '0');
	*exp10 = negative ? -e : e;
}

/* Moves the last digit by step and keeps it if strtod then gives x. */
static bool
reads_back(char *digits, int n, int exp10, double x, int step)
{
	char buf[40];
	char last = digits[n - 1];

	if (last + step < '0' || last + step > '9')
		return false;
	digits[n - 1] = (char)(last + step);
	snprintf(buf, sizeof(buf), "%.*se%d", n, digits, exp10 - (n - 1));
	if (strtod(buf, NULL) == x)
		return true;
	digits[n - 1] = last;
	return false;
}

/*
 * The fewest digits that read back as x >= 0, as d.ddd times 10^exp10.
 * printf's rounded digits usually do, but just above a power of two
 * the doubles are twice as dense below x as above, so the rounded
 * digits can miss when the next ones up hit: Python prints 2**-24 as
 * 5.960464477539063e-08, where printf gives ...062e-08 for 16 digits.
 */
static int
shortest_digits(double x, char *digits, int *exp10)
{
	char buf[40];
	int n;

	for (n = 1; n <= 17; n++) {
		snprintf(buf, sizeof(buf), "%.*e", n - 1, x);
		split_digits(buf, digits, exp10);
		if (reads_back(digits, n, *exp10, x, 0) ||
		    reads_back(digits, n, *exp10, x, 1) ||
		    reads_back(digits, n, *exp10, x, -1))
			break;
	}
	return n;
}

/* As repr(): positional from 1e-4 up to 1e16, with ".0" if integral. */
static void
format_double(double x, char *text, size_t len)
{
	static const char zeros[] = "0000000000000000";
	const char *sign = signbit(x) ? "-" : "";
	char digits[20];
	int e, n;

	if (isnan(x) || isinf(x)) {
		snprintf(text, len, "%s", isnan(x) ? "nan" : x < 0 ? "-inf" :
		    "inf");
		return;
	}
	n = shortest_digits(signbit(x) ? -x : x, digits, &e);
	if (e < -4 || e >= 16)
		snprintf(text, len, "%s%.1s%s%se%+03d", sign, digits,
		    n > 1 ? "." : "", digits + 1, e);
	else if (e < 0)
		snprintf(text, len, "%s0.%.*s%s", sign, -e - 1, zeros, digits);
	else if (e + 1 >= n)
		snprintf(text, len, "%s%s%.*s.0", sign, digits, e + 1 - n,
		    zeros);
	else
		snprintf(text, len, "%s%.*s.%s", sign, e + 1, digits,
		    digits + e + 1);
}

static void
format_number(const struct run *r, uint64_t v, char *text, size_t len)
{
	unsigned bits = (unsigned)r->size * 8;
	uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;

	switch (r->code->kind) {
	case BOOL:
		snprintf(text, len, "%s", v != 0 ? "True" : "False");
		break;
	case SIGNED:
		if (v >> (bits - 1) != 0) {
			snprintf(text, len, "-%" PRIu64, -v & mask);
			break;
		}
		/* FALLTHROUGH */
	case UNSIGNED:
	case POINTER:
		snprintf(text, len, "%" PRIu64, v);
		break;
	default:
		format_double(float_from_bits(r->code->kind, v), text, len);
		break;
	}
}

/* A NUL before a digit is "\x00": "\01" would look octal. */
static size_t
escape_byte(unsigned char c, int next, char *dst)
{
	const char *p;

	if (c >= ' ' && c <= '~' && c != '\\') {
		dst[0] = (char)c;
		return 1;
	}
	dst[0] = '\\';
	for (p = named_escapes; *p != '\0'; p += 2) {
		if ((unsigned char)p[1] == c) {
			dst[1] = p[0];
			return 2;
		}
	}
	if (c == '\0' && (next < '0' || next > '9')) {
		dst[1] = '0';
		return 2;
	}
	snprintf(dst + 1, 4, "x%02x", c);
	return 4;
}

struct unpacker {
	const struct structfmt	*sf;
	const unsigned char	*buf;
	structfmt_emit		*emit;
	void			*ctx;
};

/* Escaped bytes go out in pieces, so no value needs a big buffer. */
static int
emit_bytes(const struct unpacker *u, const unsigned char *p, size_t n)
{
	char text[256];
	size_t i, len = 0;
	int rv;

	for (i = 0; i < n; i++) {
		if (len > sizeof(text) - 5) {
			if ((rv = u->emit(u->ctx, text, len, false)) != 0)
				return rv;
			len = 0;
		}
		len += escape_byte(p[i], i + 1 < n ? p[i + 1] : -1,
		    text + len);
	}
	return u->emit(u->ctx, text, len, true);
}

static int
unpack_item(const struct run *r, size_t offset, void *arg)
{
	const struct unpacker *u = arg;
	const unsigned char *p = u->buf + offset;
	char text[64];

	switch (r->code->kind) {
	case CHAR:
		return emit_bytes(u, p, 1);
	case STRING:
		return emit_bytes(u, p, r->count);
	case PASCAL:
		if (r->count == 0)
			return emit_bytes(u, p, 0);
		return emit_bytes(u, p + 1, p[0] < r->count ? p[0] :
		    r->count - 1);
	default:
		format_number(r, get_uint(p, r->size, u->sf->little), text,
		    sizeof(text));
		return u->emit(u->ctx, text, strlen(text), true);
	}
}

int
structfmt_unpack(const struct structfmt *sf, const unsigned char *buf,
    structfmt_emit *emit, void *ctx)
{
	struct unpacker u = { sf, buf, emit, ctx };

	return walk(sf, unpack_item, &u);
}

/* Decodes the escape at *sp into a byte, or returns -1. */
static int
unescape_one(const char **sp)
{
	const char *s = *sp + 1, *p;
	int hi, lo;

	*sp = s + 1;
	for (p = named_escapes; *p != '\0'; p += 2) {
		if (p[0] == *s)
			return (unsigned char)p[1];
	}
	if (*s == '0' && (s[1] < '0' || s[1] > '9'))
		return 0;
	if (*s != 'x' || (hi = hex_digit(s[1])) < 0 ||
	    (lo = hex_digit(s[2])) < 0)
		return -1;
	*sp = s + 3;
	return hi << 4 | lo;
}

/*
 * Decodes escaped text, keeping at most cap bytes at dst but checking
 * all of it.  Returns NULL with the whole length in *len, or a reason.
 */
static const char *
unescape(const char *s, unsigned char *dst, size_t cap, size_t *len)
{
	size_t n;
	int c;

	for (n = 0; *s != '\0'; n++) {
		if (*s != '\\')
			c = (unsigned char)*s++;
		else if ((c = unescape_one(&s)) < 0)
			return "bad escape (use \\\\ \\n \\t \\r \\0 \\xNN)";
		if (n < cap)
			dst[n] = (unsigned char)c;
	}
	*len = n;
	return NULL;
}

struct packer {
	const struct structfmt	*sf;
	const char		*label;		/* NULL: "value N" alone */
	char *const		*values;
	size_t			 next;		/* the value being packed */
	unsigned char		*out;
	char			*err;
	size_t			 errlen;
};

/* The value as typed, but cut short and kept on one printable line. */
static void
quote_value(const char *s, char *dst)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < 40; i++) {
		if (s[i] == '\\')
			*dst++ = '\\';
		else
			dst += escape_byte((unsigned char)s[i], s[i + 1], dst);
	}
	strcpy(dst, s[i] != '\0' ? "..." : "");
}

static int	fail(struct packer *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Writes "value N ('text'): reason" and returns 1 to end the walk. */
static int
fail(struct packer *pk, const char *fmt, ...)
{
	char quoted[40 * 4 + 4];
	va_list ap;
	int n;

	quote_value(pk->values[pk->next], quoted);
	if (pk->label != NULL && pk->sf->count == 1)
		n = snprintf(pk->err, pk->errlen, "%s: ", pk->label);
	else
		n = snprintf(pk->err, pk->errlen, "%s%svalue %zu ('%s'): ",
		    pk->label != NULL ? pk->label : "",
		    pk->label != NULL ? ": " : "", pk->next + 1, quoted);
	if (n >= 0 && (size_t)n < pk->errlen) {
		va_start(ap, fmt);
		vsnprintf(pk->err + n, pk->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return 1;
}

/* As Python: a Pascal string's length byte stops at 255 and count-1. */
static int
pack_bytes(struct packer *pk, const struct run *r, const char *s,
    unsigned char *p)
{
	const char *reason;
	size_t len;

	if (r->code->kind == STRING)
		reason = unescape(s, p, r->count, &len);
	else if (r->code->kind == CHAR)
		reason = unescape(s, p, 1, &len);
	else if (r->count == 0)
		reason = unescape(s, NULL, 0, &len);
	else
		reason = unescape(s, p + 1, r->count - 1, &len);
	if (reason != NULL)
		return fail(pk, "%s", reason);
	if (r->code->kind == CHAR && len != 1)
		return fail(pk, "'c' takes exactly one byte");
	if (r->code->kind == PASCAL && r->count > 0) {
		len = len < r->count - 1 ? len : r->count - 1;
		p[0] = (unsigned char)(len < 255 ? len : 255);
	}
	return 0;
}

static int
pack_bool(struct packer *pk, const char *s, unsigned char *p)
{
	uint64_t magnitude;
	bool negative;

	if (strcmp(s, "True") == 0 || strcmp(s, "true") == 0)
		*p = 1;
	else if (strcmp(s, "False") == 0 || strcmp(s, "false") == 0)
		*p = 0;
	else if (number_integer(s, &negative, &magnitude) == NULL)
		*p = magnitude != 0;
	else
		return fail(pk, "'?' takes True, False or an integer");
	return 0;
}

/* 'P' takes negatives too, as Python's PyLong_AsVoidPtr does. */
static int
pack_integer(struct packer *pk, const struct run *r, const char *s,
    unsigned char *p)
{
	unsigned bits = (unsigned)r->size * 8;
	uint64_t all = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	uint64_t magnitude, most, least;
	const char *reason;
	bool negative;

	if ((reason = number_integer(s, &negative, &magnitude)) != NULL)
		return fail(pk, "%s", reason);
	least = r->code->kind == UNSIGNED ? 0 : all / 2 + 1;
	most = r->code->kind == SIGNED ? all / 2 : all;
	if (magnitude > (negative ? least : most))
		return fail(pk, "argument out of range for '%c' (%s%" PRIu64
		    "..%" PRIu64 ")", r->code->letter, least ? "-" : "",
		    least, most);
	put_uint(p, r->size, pk->sf->little, negative ? -magnitude :
	    magnitude);
	return 0;
}

static int
pack_float(struct packer *pk, const struct run *r, const char *s,
    unsigned char *p)
{
	uint64_t bits;
	char *end;
	double d;

	/* strtod would skip leading space; number_integer does not. */
	if (*s == '\0' || is_space(*s))
		return fail(pk, "not a number");
	d = strtod(s, &end);
	if (*end != '\0')
		return fail(pk, "not a number");
	if (!float_to_bits(r->code->kind, d, &bits))
		return fail(pk, "float too large to pack with %c format",
		    r->code->letter);
	put_uint(p, r->size, pk->sf->little, bits);
	return 0;
}

static int
pack_item(const struct run *r, size_t offset, void *arg)
{
	struct packer *pk = arg;
	const char *s = pk->values[pk->next];
	unsigned char *p = pk->out + offset;
	int rv;

	switch (r->code->kind) {
	case CHAR:
	case STRING:
	case PASCAL:
		rv = pack_bytes(pk, r, s, p);
		break;
	case BOOL:
		rv = pack_bool(pk, s, p);
		break;
	case HALF:
	case FLOAT:
	case DOUBLE:
		rv = pack_float(pk, r, s, p);
		break;
	default:
		rv = pack_integer(pk, r, s, p);
		break;
	}
	pk->next++;
	return rv;
}

const char *
structfmt_pack(const struct structfmt *sf, char *const values[],
    size_t nvalues, unsigned char *out, char *err, size_t errlen)
{
	return structfmt_pack_labelled(sf, NULL, values, nvalues, out, err,
	    errlen);
}

const char *
structfmt_pack_labelled(const struct structfmt *sf, const char *label,
    char *const values[], size_t nvalues, unsigned char *out, char *err,
    size_t errlen)
{
	struct packer pk = { sf, label, values, 0, out, err, errlen };

	if (nvalues != sf->count) {
		snprintf(err, errlen,
		    "%s%spack expected %zu items for packing (got %zu)",
		    label != NULL ? label : "", label != NULL ? ": " : "",
		    sf->count, nvalues);
		return err;
	}
	memset(out, 0, sf->size);
	return walk(sf, pack_item, &pk) == 0 ? NULL : err;
}
