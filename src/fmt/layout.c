/*
 * layout.c - named fields over struct formats.
 *
 * A layout is a struct format in which an item may be NAME:CODE.  Left
 * out the names, it is struct's format, parsed by structfmt.c, which
 * gives the size and the offsets exactly as Python's struct.calcsize
 * (native alignment with '@').  Each item is also a format of its
 * own, its byte order and its one run ("<3i"), packed and unpacked
 * where the whole format places it.
 *
 * A counted item ("vals:3i") is one field of 3 values, which read
 * prints separated by spaces and write takes so.  A name on padding
 * or on a count of 'c' is refused: one has no value, the other is
 * bytes, which 's' holds as one value.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt/json.h"
#include "fmt/layout.h"

/* Where parsing is: for the items, and for the message of a bad one. */
struct parse {
	const char	*text;
	const char	*pos;
	struct layout	*l;
	char		*err;
	size_t		 errlen;
	const char	*item;		/* the item being read */
};

static bool
is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
is_name_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_identifier(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !is_name_start(s[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!is_name_start(s[i]) && !(s[i] >= '0' && s[i] <= '9'))
			return false;
	return true;
}

static enum layout_type
type_of(char code)
{
	if (code == 'x')
		return LAYOUT_PAD;
	if (strchr("efd", code) != NULL)
		return LAYOUT_FLOAT;
	if (code == '?')
		return LAYOUT_BOOL;
	if (strchr("csp", code) != NULL)
		return LAYOUT_BYTES;
	return LAYOUT_INTEGER;
}

/* "ITEM: reason", the item cut at whitespace; returns -1. */
static int
fail(struct parse *p, const char *reason)
{
	size_t len = strcspn(p->item, " \t\n\r\v\f");

	snprintf(p->err, p->errlen, "%.*s: %s", (int)(len < 80 ? len : 80),
	    p->item, reason);
	return -1;
}

static struct layout_field *
add_field(struct parse *p)
{
	struct layout *l = p->l;
	struct layout_field *f;

	f = realloc(l->fields, (l->nfields + 1) * sizeof(*f));
	if (f == NULL)
		return NULL;
	l->fields = f;
	f += l->nfields++;
	memset(f, 0, sizeof(*f));
	return f;
}

static char *
copy(const char *s, size_t len)
{
	char *t;

	if ((t = malloc(len + 1)) != NULL) {
		memcpy(t, s, len);
		t[len] = '\0';
	}
	return t;
}

static int
get_count(const struct structfmt_run *r, void *arg)
{
	*(size_t *)arg = r->count;
	return 0;
}

/* The count and code at p->pos, as the format "<3i" of field f. */
static int
read_code(struct parse *p, struct layout_field *f)
{
	const char *s = p->pos, *err;
	size_t digits = strspn(s, "0123456789");

	if (s[digits] == '\0' || is_space(s[digits]))
		return fail(p, digits > 0 ?
		    "repeat count given without format specifier" :
		    "no code after the name");
	if ((f->format = malloc(digits + 3)) == NULL)
		return fail(p, "out of memory");
	f->format[0] = p->l->order;
	memcpy(f->format + 1, s, digits + 1);
	f->format[digits + 2] = '\0';
	if ((err = structfmt_parse(f->format, &f->sf)) != NULL)
		return fail(p, err);
	f->code = s[digits];
	f->type = type_of(f->code);
	structfmt_runs(&f->sf, get_count, &f->count);
	p->pos = s + digits + 1;
	if ((f->item = copy(p->item, (size_t)(p->pos - p->item))) == NULL)
		return fail(p, "out of memory");
	return 0;
}

static int
check_name(struct parse *p, struct layout_field *f)
{
	size_t i;

	if (f->type == LAYOUT_PAD)
		return fail(p, "padding takes no name");
	if (f->code == 'c' && f->count != 1)
		return fail(p, "a name on a count of 'c' (for bytes, use 's')");
	if (!is_space(*p->pos) && *p->pos != '\0')
		return fail(p, "a named item ends at whitespace");
	for (i = 0; i + 1 < p->l->nfields; i++)
		if (p->l->fields[i].name != NULL &&
		    strcmp(p->l->fields[i].name, f->name) == 0)
			return fail(p, "duplicate name");
	return 0;
}

/* One item at p->pos: NAME:CODE, or CODE alone. */
static int
read_item(struct parse *p)
{
	struct layout_field *f;
	size_t word = strcspn(p->pos, " \t\n\r\v\f");
	const char *colon = memchr(p->pos, ':', word);

	p->item = p->pos;
	if ((f = add_field(p)) == NULL)
		return fail(p, "out of memory");
	if (colon != NULL) {
		if (!is_identifier(p->pos, (size_t)(colon - p->pos)))
			return fail(p, "name is not an identifier");
		if (colon - p->pos > LAYOUT_NAME_MAX)
			return fail(p, "name longer than 63 characters");
		if ((f->name = copy(p->pos, (size_t)(colon - p->pos))) == NULL)
			return fail(p, "out of memory");
		p->pos = colon + 1;
		p->l->named = true;
	}
	if (read_code(p, f) != 0)
		return -1;
	return f->name != NULL ? check_name(p, f) : 0;
}

struct offsets {
	struct layout	*l;
	size_t		 next;
};

static int
set_offset(const struct structfmt_run *r, void *arg)
{
	struct offsets *o = arg;

	o->l->fields[o->next++].offset = r->offset;
	return 0;
}

/* struct's format: the byte order, then the items without names. */
static int
join_format(struct parse *p)
{
	struct layout *l = p->l;
	struct offsets o = { l, 0 };
	const char *err;
	size_t i, len = 2;
	char *s;

	for (i = 0; i < l->nfields; i++)
		len += strlen(l->fields[i].format) + 1;
	if ((s = l->format = malloc(len)) == NULL)
		return fail(p, "out of memory");
	*s++ = l->order;
	for (i = 0; i < l->nfields; i++)
		s += sprintf(s, "%s%s", i > 0 ? " " : "",
		    l->fields[i].format + 1);
	*s = '\0';
	if ((err = structfmt_parse(l->format, &l->sf)) != NULL)
		return fail(p, err);
	structfmt_runs(&l->sf, set_offset, &o);
	return 0;
}

static size_t
line_of(const char *text, const char *pos)
{
	size_t line = 1;

	for (; text < pos; text++)
		line += *text == '\n';
	return line;
}

int
layout_parse(const char *text, struct layout *l, char *err, size_t errlen,
    size_t *line)
{
	struct parse p = { text, text, l, err, errlen, text };

	memset(l, 0, sizeof(*l));
	while (is_space(*p.pos))
		p.pos++;
	l->order = '@';
	if (*p.pos != '\0' && strchr("@=<>!", *p.pos) != NULL)
		l->order = *p.pos++;
	for (;;) {
		while (is_space(*p.pos))
			p.pos++;
		if (*p.pos == '\0')
			break;
		if (read_item(&p) != 0)
			goto bad;
	}
	p.item = l->nfields > 0 ? l->fields[l->nfields - 1].item : text;
	if (join_format(&p) == 0)
		return 0;
bad:
	*line = line_of(text, p.item);
	layout_free(l);
	return -1;
}

const struct layout_field *
layout_find(const struct layout *l, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < l->nfields; i++)
		if (l->fields[i].name != NULL &&
		    strlen(l->fields[i].name) == len &&
		    memcmp(l->fields[i].name, name, len) == 0)
			return &l->fields[i];
	return NULL;
}

const char *
layout_value_name(const struct layout *l, size_t i, char *buf, size_t size)
{
	const struct layout_field *f;

	for (f = l->fields; f < l->fields + l->nfields; f++) {
		if (i >= f->sf.count) {
			i -= f->sf.count;
			continue;
		}
		if (f->name == NULL)
			return NULL;
		if (f->sf.count == 1)
			return f->name;
		snprintf(buf, size, "%s[%zu]", f->name, i);
		return buf;
	}
	return NULL;
}

struct printer {
	FILE		*fp;
	bool		 json;
};

/*
 * A number as JSON: as repr() prints it, but the names Python's json
 * module gives what JSON has no numbers for, and true and false.
 */
static void
print_json_number(FILE *fp, const char *text)
{
	static const char *const names[][2] = {
		{ "True", "true" }, { "False", "false" }, { "nan", "NaN" },
		{ "inf", "Infinity" }, { "-inf", "-Infinity" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i][0]) == 0) {
			fputs(names[i][1], fp);
			return;
		}
	fputs(text, fp);
}

static int
print_value(void *ctx, const char *text, size_t len, bool end)
{
	struct printer *pr = ctx;
	char number[64];

	(void)end;
	if (!pr->json) {
		fwrite(text, 1, len, pr->fp);
		return 0;
	}
	/* Numbers come whole; bytes never come here with json. */
	snprintf(number, sizeof(number), "%.*s", (int)len, text);
	print_json_number(pr->fp, number);
	return 0;
}

/* The bytes a c, s or p field holds, as Python's unpack gives them. */
static void
field_bytes(const struct layout_field *f, const unsigned char *p,
    const unsigned char **data, size_t *len)
{
	*data = p;
	*len = f->code == 'c' ? 1 : f->count;
	if (f->code == 'p') {
		*data = p + 1;
		*len = f->count == 0 ? 0 : p[0] < f->count ? p[0] :
		    f->count - 1;
	}
}

int
layout_print(FILE *fp, const struct layout_field *f,
    const unsigned char *buf, bool json)
{
	struct printer pr = { fp, json };
	const unsigned char *data;
	struct structfmt one;
	char format[4] = { 0 };
	size_t i, len;

	if (json && f->type == LAYOUT_BYTES) {
		field_bytes(f, buf + f->offset, &data, &len);
		json_bytes(fp, data, len);
		return 0;
	}
	if (f->sf.count <= 1)
		return structfmt_unpack(&f->sf, buf + f->offset, print_value,
		    &pr);
	/* Several values: one at a time, each its own format "<i". */
	memcpy(format, f->format, 1);
	format[1] = f->code;
	structfmt_parse(format, &one);
	fputs(json ? "[" : "", fp);
	for (i = 0; i < f->count; i++) {
		if (i > 0)
			fputs(json ? ", " : " ", fp);
		structfmt_unpack(&one, buf + f->offset + i * one.size,
		    print_value, &pr);
	}
	fputs(json ? "]" : "", fp);
	return 0;
}

void
layout_free(struct layout *l)
{
	size_t i;

	for (i = 0; i < l->nfields; i++) {
		free(l->fields[i].name);
		free(l->fields[i].item);
		free(l->fields[i].format);
	}
	free(l->fields);
	free(l->format);
	memset(l, 0, sizeof(*l));
}
