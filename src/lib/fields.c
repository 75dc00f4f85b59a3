/*
 * fields.c - a layout's named fields, read, written and added to in a
 * segment.
 *
 * The record lies at OFFSET (default 0), not at the cursor: a counter
 * that `write seq+=1` moves on must be at the same place each time.
 * A write changes only the bytes of the fields it names, under the
 * exclusive lock, which is the flock(2) lock a peer (Python's
 * fcntl.flock, shm lock) takes too: so += loses nothing to either.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/json.h"
#include "fmt/number.h"
#include "lib/cursor.h"
#include "lib/fields.h"
#include "util/shm.h"

/* Large enough for any layout a person writes, and no more. */
#define FIELDS_FILE_MAX	(1024 * 1024)

bool
fields_wanted(const char *as, const char *file)
{
	return file != NULL || (as != NULL && strchr(as, ':') != NULL);
}

/* The file's text, its comments blanked out, so lines keep their place. */
static int
load_file(const char *path, char **text)
{
	FILE *fp;
	size_t len;
	char *s, *p;
	bool failed;
	int saved;

	if ((fp = fopen(path, "r")) == NULL)
		return shm_perror(path);
	if ((s = malloc(FIELDS_FILE_MAX + 1)) == NULL) {
		fclose(fp);
		return shm_perror(path);
	}
	len = fread(s, 1, FIELDS_FILE_MAX + 1, fp);
	failed = ferror(fp) != 0;
	saved = errno;
	fclose(fp);
	if (failed || len > FIELDS_FILE_MAX || memchr(s, '\0', len) != NULL) {
		free(s);
		errno = saved;
		if (failed)
			return shm_perror(path);
		return shm_error(path, "not a layout (binary, or over 1 MiB)");
	}
	s[len] = '\0';
	for (p = s; (p = strchr(p, '#')) != NULL; )
		while (*p != '\0' && *p != '\n')
			*p++ = ' ';
	*text = s;
	return SHM_OK;
}

int
fields_load(const char *as, const char *file, struct layout *l)
{
	char err[LAYOUT_ERRLEN], *text = NULL;
	size_t line;
	int rc;

	if (file != NULL && (rc = load_file(file, &text)) != SHM_OK)
		return rc;
	rc = layout_parse(file != NULL ? text : as, l, err, sizeof(err),
	    &line);
	free(text);
	if (rc == 0)
		return SHM_OK;
	if (file != NULL)
		return shm_error(file, "line %zu: %s", line, err);
	return shm_error(NULL, "%s", err);
}

int
fields_fit(const struct segment *seg, const struct layout *l, uint64_t off)
{
	const struct layout_field *f;
	size_t i;

	for (i = 0; i < l->nfields; i++) {
		f = &l->fields[i];
		if (off > seg->size ||
		    f->offset + f->sf.size > seg->size - off)
			return shm_error(seg->name, "%s: bytes %" PRIu64 " to %"
			    PRIu64 " are past the end (%" PRIu64 " bytes)",
			    f->item, off + f->offset,
			    off + f->offset + f->sf.size, seg->size);
	}
	return SHM_OK;
}

/* The fields select lists, in its order; all when it is NULL. */
static int
select_fields(const struct layout *l, const char *select,
    const struct layout_field ***out, size_t *n)
{
	const struct layout_field **f;
	const char *s;
	size_t i, len, max = l->nfields + 1;

	if (select != NULL)
		for (s = select; *s != '\0'; s++)
			max += *s == ',';
	if ((f = *out = calloc(max, sizeof(*f))) == NULL)
		return shm_perror(NULL);
	*n = 0;
	if (select == NULL) {
		for (i = 0; i < l->nfields; i++)
			if (l->fields[i].type != LAYOUT_PAD)
				f[(*n)++] = &l->fields[i];
		return SHM_OK;
	}
	for (s = select; ; s += len + 1) {
		len = strcspn(s, ",");
		if ((f[*n] = layout_find(l, s, len)) == NULL)
			return shm_error(NULL, "%.*s: no such field in the "
			    "layout", (int)len, s);
		(*n)++;
		if (s[len] == '\0')
			return SHM_OK;
	}
}

/* NAME=VALUE, or the unnamed values one a line as read --as prints. */
static void
print_text(const struct layout_field *f, const unsigned char *buf)
{
	struct layout_field one = *f;
	char format[3] = { f->format[0], f->code, '\0' };
	size_t i;

	if (f->name != NULL || f->sf.count <= 1) {
		if (f->name != NULL)
			printf("%s=", f->name);
		layout_print(stdout, f, buf, false);
		putchar('\n');
		return;
	}
	one.format = format;
	structfmt_parse(format, &one.sf);
	for (i = 0; i < f->count; i++, one.offset += one.sf.size) {
		layout_print(stdout, &one, buf, false);
		putchar('\n');
	}
}

static void
print_json(const struct layout_field *const *f, size_t n,
    const unsigned char *buf)
{
	const char *sep = "";
	size_t i;

	putchar('{');
	for (i = 0; i < n; i++) {
		if (f[i]->name == NULL)
			continue;
		printf("%s\"%s\": ", sep, f[i]->name);
		layout_print(stdout, f[i], buf, true);
		sep = ", ";
	}
	puts("}");
}

/* The layout's bytes at OFFSET (default 0), under the lock taken. */
static int
load_record(struct segment *seg, const struct layout *l, const char *offset,
    bool exclusive, uint64_t *off, unsigned char **buf)
{
	int rc;

	*off = 0;
	*buf = NULL;
	if ((rc = segment_lock(seg, exclusive)) != SHM_OK ||
	    (rc = segment_offset(seg, "offset", offset, off)) != SHM_OK ||
	    (rc = fields_fit(seg, l, *off)) != SHM_OK)
		return rc;
	if ((*buf = malloc(l->sf.size + 1)) == NULL)
		return shm_perror(seg->name);
	return segment_read_all(seg, *off, *buf, l->sf.size);
}

int
fields_read(struct segment *seg, const struct layout *l, const char *offset,
    const char *select, bool json)
{
	const struct layout_field **f = NULL;
	unsigned char *buf = NULL;
	uint64_t off;
	size_t i, n = 0;
	int rc;

	if ((rc = select_fields(l, select, &f, &n)) == SHM_OK &&
	    (rc = load_record(seg, l, offset, false, &off, &buf)) == SHM_OK) {
		if (json)
			print_json(f, n, buf);
		else
			for (i = 0; i < n; i++)
				print_text(f[i], buf);
		rc = shm_flush_output();
	}
	free(buf);
	free(f);
	return rc;
}

/* One NAME=VALUE, NAME+=N or NAME-=N. */
struct assignment {
	const char		*text;		/* as typed */
	const struct layout_field *f;
	char			 op;		/* '=', '+' or '-' */
	const char		*value;
};

static int
parse_assignment(const struct layout *l, const char *text,
    struct assignment *a)
{
	size_t len = strcspn(text, "+-=");

	a->text = text;
	a->op = text[len];
	if (a->op == '\0' || (a->op != '=' && text[len + 1] != '='))
		return shm_usage_error("'%s': not NAME=VALUE, NAME+=N or "
		    "NAME-=N", text);
	a->value = text + len + (a->op == '=' ? 1 : 2);
	if ((a->f = layout_find(l, text, len)) == NULL)
		return shm_error(NULL, "%.*s: no such field in the layout",
		    (int)len, text);
	if (a->op != '=' && (a->f->sf.count != 1 ||
	    (a->f->type != LAYOUT_INTEGER && a->f->type != LAYOUT_FLOAT)))
		return shm_error(NULL, "%s: += and -= take a field of one "
		    "integer or float", text);
	return SHM_OK;
}

static int
pack_values(const struct assignment *a, char *const values[], size_t n,
    unsigned char *out)
{
	char err[STRUCTFMT_ERRLEN];

	if (structfmt_pack_labelled(&a->f->sf, a->text, values, n,
	    out + a->f->offset, err, sizeof(err)) != NULL)
		return shm_error(NULL, "%s", err);
	return SHM_OK;
}

/* A counted field takes its values separated by whitespace. */
static int
pack_value(const struct assignment *a, const char *value,
    unsigned char *out)
{
	char *copy, **values, *p, *one = (char *)value;
	size_t n = 0;
	int rc;

	if (a->f->sf.count == 1)
		return pack_values(a, &one, 1, out);
	copy = strdup(value);
	values = calloc(strlen(value) / 2 + 1, sizeof(*values));
	if (copy == NULL || values == NULL)
		rc = shm_perror(NULL);
	else {
		for (p = strtok(copy, " \t"); p != NULL;
		    p = strtok(NULL, " \t"))
			values[n++] = p;
		rc = pack_values(a, values, n, out);
	}
	free(values);
	free(copy);
	return rc;
}

static int
gather(void *ctx, const char *text, size_t len, bool end)
{
	(void)end;
	snprintf(ctx, 64, "%.*s", (int)len, text);
	return 0;
}

/* a + b (or a - b) for integers of up to 64 bits and a sign, as text. */
static const char *
add_integers(const char *a, const char *b, bool minus, char *sum,
    size_t len)
{
	uint64_t ma, mb, m;
	bool na, nb, neg;
	const char *err;

	if ((err = number_integer(b, &nb, &mb)) != NULL)
		return err;
	number_integer(a, &na, &ma);
	nb = nb != minus;
	if (na == nb) {
		if ((m = ma + mb) < ma)
			return "overflow";
		neg = na;
	} else {
		neg = ma >= mb ? na : nb;
		m = ma >= mb ? ma - mb : mb - ma;
	}
	snprintf(sum, len, "%s%" PRIu64, neg && m != 0 ? "-" : "", m);
	return NULL;
}

static const char *
add_floats(const char *a, const char *b, bool minus, char *sum, size_t len)
{
	double x = strtod(a, NULL), y, z;
	char *end;

	if (*b == '\0' || strchr(" \t\n", *b) != NULL)
		return "not a number";
	y = strtod(b, &end);
	if (*end != '\0')
		return "not a number";
	z = minus ? x - y : x + y;
	if (isinf(z) && !isinf(x) && !isinf(y))
		return "overflow";
	snprintf(sum, len, "%.17g", z);
	return NULL;
}

/* NAME+=N: the field's value in cur, plus N, packed into out. */
static int
add_to(const struct assignment *a, const unsigned char *cur,
    unsigned char *out)
{
	char now[64], sum[64];
	const char *err;

	structfmt_unpack(&a->f->sf, cur + a->f->offset, gather, now);
	if (a->f->type == LAYOUT_INTEGER)
		err = add_integers(now, a->value, a->op == '-', sum,
		    sizeof(sum));
	else
		err = add_floats(now, a->value, a->op == '-', sum, sizeof(sum));
	if (err != NULL)
		return shm_error(NULL, "%s: %s", a->text, err);
	return pack_value(a, sum, out);
}

/* Every assignment checked and the plain ones packed, before the lock. */
static int
parse_assignments(const struct layout *l, char *const text[], size_t n,
    struct assignment *a, unsigned char *out)
{
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = parse_assignment(l, text[i], &a[i])) != SHM_OK)
			return rc;
		for (j = 0; j < i; j++)
			if (a[j].f == a[i].f)
				return shm_error(NULL, "%s: %s is set twice",
				    text[i], a[i].f->name);
		if (a[i].op == '=' &&
		    (rc = pack_value(&a[i], a[i].value, out)) != SHM_OK)
			return rc;
	}
	return SHM_OK;
}

/* The fields' bytes, all claimed before any is written. */
static int
store(struct segment *seg, const struct assignment *a, size_t n,
    uint64_t off, const unsigned char *out)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = segment_reserve(seg, off + a[i].f->offset,
		    a[i].f->sf.size)) != SHM_OK)
			return rc;
	for (i = 0; i < n; i++)
		if ((rc = segment_write(seg, off + a[i].f->offset,
		    out + a[i].f->offset, a[i].f->sf.size)) != SHM_OK)
			return rc;
	return SHM_OK;
}

static int
write_locked(struct segment *seg, const struct layout *l, const char *offset,
    const struct assignment *a, size_t n, unsigned char *out)
{
	unsigned char *cur;
	char was[64];
	uint64_t off;
	size_t i;
	int rc;

	if ((rc = load_record(seg, l, offset, true, &off, &cur)) != SHM_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (a[i].op != '=' && (rc = add_to(&a[i], cur, out)) != SHM_OK)
			goto out;
	/* A write moves the ctime some files' cursors are kept under. */
	segment_identity(seg, was, sizeof(was));
	rc = store(seg, a, n, off, out);
	cursor_keep_up(seg, was);
	if (rc != SHM_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (a[i].op != '=') {
			layout_print(stdout, a[i].f, out, false);
			putchar('\n');
		}
	rc = shm_flush_output();
out:
	free(cur);
	return rc;
}

int
fields_write(struct segment *seg, const struct layout *l, const char *offset,
    char *const text[], size_t n)
{
	struct assignment *a;
	unsigned char *out;
	uint64_t off = 0;
	int rc;

	if (n == 0)
		return shm_usage_error("missing NAME=VALUE");
	/* Checked again under the lock; first, before the buffer is had. */
	if ((rc = segment_offset(seg, "offset", offset, &off)) != SHM_OK ||
	    (rc = fields_fit(seg, l, off)) != SHM_OK)
		return rc;
	a = calloc(n, sizeof(*a));
	out = malloc(l->sf.size + 1);
	if (a == NULL || out == NULL)
		rc = shm_perror(NULL);
	else if ((rc = parse_assignments(l, text, n, a, out)) == SHM_OK)
		rc = write_locked(seg, l, offset, a, n, out);
	free(out);
	free(a);
	return rc;
}

int
fields_until(const struct layout *l, const char *test,
    const struct layout_field **f)
{
	const char *s = test + strspn(test, " \t");
	size_t len = strcspn(s, " \t=!<>");

	if ((*f = layout_find(l, s, len)) == NULL)
		return shm_usage_error("--until '%s': not 'FIELD OP VALUE' "
		    "with FIELD a field of the layout", test);
	if ((*f)->sf.count != 1)
		return shm_usage_error("--until '%s': %s is not one value",
		    test, (*f)->name);
	return SHM_OK;
}
