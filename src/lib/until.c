/*
 * until.c - comparing one typed value with a test.
 *
 * VALUE is packed with the value's own format and unpacked again, so
 * that it is compared in the very form read --as prints ("true" for a
 * ? is True, "0x10" for an I is 16, "a\x00" for a 2s is a\0) and a
 * VALUE the format cannot hold is refused at once.  Integers compare
 * as integers over the whole 64-bit range, floats as doubles; bytes,
 * characters and booleans only for equality.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt/number.h"
#include "util/shm.h"
#include "lib/until.h"

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum { KIND_INTEGER, KIND_FLOAT, KIND_TEXT };

static const struct {
	const char	*text;
	int		 op;
} ops[] = {
	{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
	{ "<", OP_LT }, { ">", OP_GT },
};

/* Gathers the pieces of the one value unpacked into u->text. */
static int
gather(void *ctx, const char *text, size_t len, bool end)
{
	struct until *u = ctx;
	char *p;

	(void)end;
	if (u->len + len + 1 > u->cap) {
		if ((p = realloc(u->text, u->len + len + 64)) == NULL)
			return -1;
		u->text = p;
		u->cap = u->len + len + 64;
	}
	memcpy(u->text + u->len, text, len);
	u->len += len;
	u->text[u->len] = '\0';
	return 0;
}

static int
unpack_text(struct until *u)
{
	u->len = 0;
	if (structfmt_unpack(&u->sf, u->buf, gather, u) != 0)
		return shm_perror(NULL);
	return SHM_OK;
}

static int
kind_of(const char *text)
{
	uint64_t mag;
	bool neg;
	char *end;

	if (number_integer(text, &neg, &mag) == NULL)
		return KIND_INTEGER;
	strtod(text, &end);
	return *text != '\0' && *end == '\0' ? KIND_FLOAT : KIND_TEXT;
}

/* 'OP VALUE' at optest, of the whole test, which messages quote. */
static int
parse_op(const char *whole, const char *test, int *op, const char **value)
{
	size_t i, n;

	test += strspn(test, " \t");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = strlen(ops[i].text);
		if (strncmp(test, ops[i].text, n) == 0) {
			*op = ops[i].op;
			*value = test + n + strspn(test + n, " \t");
			return SHM_OK;
		}
	}
	return shm_usage_error("--until '%s': not '%sOP VALUE' with OP one "
	    "of == != < <= > >=", whole, whole != test ? "FIELD " : "");
}

/* label: NULL, or the field whose 'OP VALUE' starts at optest. */
static int
parse_test(struct until *u, const char *format, const char *label,
    const char *test, const char *optest)
{
	char err[STRUCTFMT_ERRLEN], *value;
	const char *e, *v = NULL;
	int rc;

	memset(u, 0, sizeof(*u));
	if ((e = structfmt_parse(format, &u->sf)) != NULL)
		return shm_usage_error("format '%s': %s", format, e);
	if (u->sf.count != 1)
		return shm_usage_error("--until compares one value: format "
		    "'%s' has %zu", format, u->sf.count);
	if ((rc = parse_op(test, optest, &u->op, &v)) != SHM_OK)
		return rc;
	if ((u->buf = malloc(u->sf.size + 1)) == NULL)
		return shm_perror(NULL);
	value = (char *)v;
	if (structfmt_pack_labelled(&u->sf, label, &value, 1, u->buf, err,
	    sizeof(err)) != NULL)
		return shm_usage_error("--until '%s': %s", test, err);
	if ((rc = unpack_text(u)) != SHM_OK)
		return rc;
	u->want = u->text;
	u->text = NULL;
	u->len = u->cap = 0;
	u->kind = kind_of(u->want);
	if (u->kind == KIND_TEXT && u->op != OP_EQ && u->op != OP_NE)
		return shm_usage_error("--until '%s': only == and != compare "
		    "bytes and booleans", test);
	return SHM_OK;
}

int
until_parse(struct until *u, const char *format, const char *test)
{
	return parse_test(u, format, NULL, test, test);
}

int
until_parse_field(struct until *u, const char *format, const char *field,
    const char *test)
{
	const char *optest = test + strspn(test, " \t") + strlen(field);

	return parse_test(u, format, field, test, optest);
}

/* -1, 0 or 1 as a is less than, equal to or more than b, as integers. */
static int
compare_integers(const char *a, const char *b)
{
	uint64_t ma, mb;
	bool na, nb;

	number_integer(a, &na, &ma);
	number_integer(b, &nb, &mb);
	na = na && ma != 0;
	nb = nb && mb != 0;
	if (na != nb)
		return na ? -1 : 1;
	if (ma == mb)
		return 0;
	return (ma < mb) != na ? -1 : 1;
}

static bool
holds(int op, int cmp)
{
	switch (op) {
	case OP_EQ: return cmp == 0;
	case OP_NE: return cmp != 0;
	case OP_LT: return cmp < 0;
	case OP_LE: return cmp <= 0;
	case OP_GT: return cmp > 0;
	default: return cmp >= 0;
	}
}

static bool
test(const struct until *u)
{
	double a, b;

	if (u->kind == KIND_INTEGER)
		return holds(u->op, compare_integers(u->text, u->want));
	if (u->kind == KIND_TEXT)
		return holds(u->op, strcmp(u->text, u->want));
	a = strtod(u->text, NULL);
	b = strtod(u->want, NULL);
	/* NaN is unordered: only != holds for it. */
	if (a != a || b != b)
		return u->op == OP_NE;
	return holds(u->op, a < b ? -1 : a > b);
}

int
until_fit(const struct segment *seg, const struct until *u, uint64_t off)
{
	if (off > seg->size || u->sf.size > seg->size - off)
		return shm_error(seg->name, "format of size %zu does not fit "
		    "at offset %llu (%llu bytes left)", u->sf.size,
		    (unsigned long long)off,
		    (unsigned long long)(seg->size - shm_min(off, seg->size)));
	return SHM_OK;
}

int
until_check(struct segment *seg, struct until *u, uint64_t off, bool *ok)
{
	size_t got;
	int rc;

	*ok = false;
	/* Read at whatever size it has now: cut short, it holds no value. */
	if ((rc = segment_read(seg, off, u->buf, u->sf.size, &got)) !=
	    SHM_OK || got < u->sf.size)
		return rc;
	if ((rc = unpack_text(u)) != SHM_OK)
		return rc;
	*ok = test(u);
	return SHM_OK;
}

void
until_free(struct until *u)
{
	free(u->want);
	free(u->text);
	free(u->buf);
	memset(u, 0, sizeof(*u));
}
