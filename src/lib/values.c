/* values.c - a record's values as text, to compare with another's */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/values.h"

/* Room for len more bytes of text. */
static int
grow_text(struct values *v, size_t len)
{
	void *p;

	if (v->len + len <= v->cap)
		return 0;
	if ((p = realloc(v->text, 2 * (v->len + len))) == NULL)
		return -1;
	v->text = p;
	v->cap = 2 * (v->len + len);
	return 0;
}

static int
collect(void *ctx, const char *text, size_t len, bool end)
{
	struct values *v = ctx;
	void *p;

	if (grow_text(v, len + 1) != 0)
		return -1;
	memcpy(v->text + v->len, text, len);
	v->len += len;
	if (!end)
		return 0;
	v->text[v->len++] = '\0';
	if (v->n == v->cap_n) {
		if ((p = realloc(v->ends, (2 * v->n + 8) * sizeof(size_t))) ==
		    NULL)
			return -1;
		v->ends = p;
		v->cap_n = 2 * v->n + 8;
	}
	v->ends[v->n++] = v->len;
	return 0;
}

int
values_unpack(struct values *v, const struct structfmt *sf,
    const unsigned char *buf)
{
	v->len = v->n = 0;
	return structfmt_unpack(sf, buf, collect, v) != 0 ? -1 : 0;
}

const char *
values_at(const struct values *v, size_t i)
{
	return v->text + (i == 0 ? 0 : v->ends[i - 1]);
}

bool
values_differ(const struct values *a, const struct values *b, size_t i)
{
	size_t from[2], len[2];

	from[0] = i == 0 ? 0 : a->ends[i - 1];
	from[1] = i == 0 ? 0 : b->ends[i - 1];
	len[0] = a->ends[i] - from[0];
	len[1] = b->ends[i] - from[1];
	return len[0] != len[1] || memcmp(a->text + from[0],
	    b->text + from[1], len[0]) != 0;
}

void
values_free(struct values *v)
{
	free(v->text);
	free(v->ends);
	memset(v, 0, sizeof(*v));
}

bool
values_label(const struct layout *names, const struct structfmt *sf,
    uint64_t r, uint64_t records, size_t i, char buf[VALUES_LABEL_MAX])
{
	char field[VALUES_LABEL_MAX];
	const char *name;

	name = names == NULL ? NULL :
	    layout_value_name(names, i, field, sizeof(field));
	if (name == NULL)
		snprintf(buf, VALUES_LABEL_MAX, "%" PRIu64, r * sf->count + i);
	else if (records > 1)
		snprintf(buf, VALUES_LABEL_MAX, "%" PRIu64 ".%s", r, name);
	else
		snprintf(buf, VALUES_LABEL_MAX, "%s", name);
	return name != NULL;
}
