/*
 * diffout.c - shm diff's three outputs, fed one differing line at a
 * time by compare_run.
 *
 * Text: each line that differs as two hexdump -C lines, A's marked '-'
 * and B's '+' (one alone where the other has ended); one line of
 * context, ' ', before and after each run of them; runs two lines or
 * less apart joined by the lines between; a pair repeating the pair
 * before squeezed to "*" as hexdump -C does.
 *
 * JSON: runs of differing bytes, joined when fewer than a line of
 * equal bytes lies between, one object a line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/hex.h"
#include "fmt/hexdump.h"
#include "fmt/json.h"
#include "fmt/structfmt.h"
#include "lib/diffout.h"
#include "lib/values.h"
#include "util/shm.h"

/* The differing bytes: red in A's line, green in B's. */
static const char *const marks[2] = { "\033[31m", "\033[32m" };
static const char prefixes[2] = { '-', '+' };

static void
put_line(char prefix, uint64_t off, const unsigned char *b, size_t n,
    const unsigned char *other, size_t other_len, const char *mark)
{
	char line[HEXDUMP_LINE_MAX];

	fwrite(line, 1, hexdump_line(line, prefix, off, b, n, other,
	    other_len, mark), stdout);
}

/* The line at off, the same on both sides, as context. */
static void
put_context(struct diffout *d, uint64_t off)
{
	unsigned char b[COMPARE_LINE];
	size_t got;

	if (d->rc == SHM_OK &&
	    (d->rc = compare_fetch(d->c, off, b, &got)) == SHM_OK && got > 0)
		put_line(' ', off, b, got, NULL, 0, NULL);
}

/* The context between the last line that differed and the one at off. */
static void
put_gap(struct diffout *d, uint64_t off)
{
	uint64_t from;

	if (!d->have_last) {
		if (off > d->c->start)
			put_context(d, off - COMPARE_LINE);
		return;
	}
	from = d->last_off + COMPARE_LINE;
	if (off - from <= 2 * COMPARE_LINE) {
		for (; from < off; from += COMPARE_LINE)
			put_context(d, from);
		return;
	}
	put_context(d, from);
	put_context(d, off - COMPARE_LINE);
}

/* Whether this pair repeats the last, right after it: squeezed. */
static bool
repeats(const struct diffout *d, uint64_t off, const unsigned char *b[2],
    const size_t n[2])
{
	int i;

	if (!d->have_last || off != d->last_off + COMPARE_LINE)
		return false;
	for (i = 0; i < 2; i++)
		if (n[i] != d->last_len[i] || (n[i] != 0 &&
		    n[i] != COMPARE_LINE) || memcmp(b[i], d->last[i], n[i]) != 0)
			return false;
	return true;
}

/* A's line marked '-' and B's '+', where each has one. */
static void
put_both(const struct diffout *d, uint64_t off, const unsigned char *b[2],
    const size_t n[2])
{
	int i;

	for (i = 0; i < 2; i++)
		if (n[i] > 0)
			put_line(prefixes[i], off, b[i], n[i], b[!i], n[!i],
			    d->color ? marks[i] : NULL);
}

static void
put_pair(struct diffout *d, uint64_t off, const unsigned char *b[2],
    const size_t n[2])
{
	int i;

	if (repeats(d, off, b, n)) {
		if (!d->squeezing)
			fputs("*\n", stdout);
		d->squeezing = true;
		return;
	}
	put_gap(d, off);
	put_both(d, off, b, n);
	d->squeezing = false;
	for (i = 0; i < 2; i++) {
		memcpy(d->last[i], b[i], n[i]);
		d->last_len[i] = n[i];
	}
}

/* A run squeezed up to the end shows its last pair, as xxd -a does. */
static void
put_last(const struct diffout *d)
{
	const unsigned char *b[2] = { d->last[0], d->last[1] };

	put_both(d, d->last_off, b, d->last_len);
}

static int
emit_text(void *ctx, uint64_t off, const unsigned char *a, size_t a_len,
    const unsigned char *b, size_t b_len, uint64_t repeat)
{
	struct diffout *d = ctx;
	const unsigned char *bytes[2] = { a, b };
	const size_t n[2] = { a_len, b_len };

	put_pair(d, off, bytes, n);
	d->have_last = true;
	d->last_off = off;
	if (repeat > 1) {
		if (!d->squeezing)
			fputs("*\n", stdout);
		d->squeezing = true;
		d->last_off = off + (repeat - 1) * COMPARE_LINE;
	}
	return d->rc != SHM_OK;
}

static void
put_hex(const unsigned char *b, size_t n)
{
	putchar('"');
	hex_print(stdout, b, n);
	putchar('"');
}

static void
close_range(struct diffout *d)
{
	if (!d->open)
		return;
	printf("{\"offset\":%" PRIu64 ",\"length\":%zu,\"a\":",
	    d->range_off, d->range_len);
	put_hex(d->bytes[0], d->len[0]);
	fputs(",\"b\":", stdout);
	put_hex(d->bytes[1], d->len[1]);
	fputs("}\n", stdout);
	d->open = false;
}

/* Byte i of the line at off, which differs. */
static void
add_differing(struct diffout *d, uint64_t off, const unsigned char *b[2],
    const size_t n[2], size_t i)
{
	size_t k, s;

	if (d->open && d->range_len + d->gap_len + 1 > DIFFOUT_RANGE_MAX)
		close_range(d);
	if (!d->open) {
		d->open = true;
		d->range_off = off + i;
		d->range_len = d->len[0] = d->len[1] = d->gap_len = 0;
	}
	for (s = 0; s < 2; s++) {
		for (k = 0; k < d->gap_len; k++)
			d->bytes[s][d->len[s] + k] = d->gap[k];
		d->len[s] += d->gap_len;
		if (i < n[s])
			d->bytes[s][d->len[s]++] = b[s][i];
	}
	d->range_len += d->gap_len + 1;
	d->gap_len = 0;
}

static void
add_line(struct diffout *d, uint64_t off, const unsigned char *b[2],
    const size_t n[2])
{
	size_t i, most = n[0] > n[1] ? n[0] : n[1];

	if (d->open && off != d->next_off)
		close_range(d);
	for (i = 0; i < most; i++) {
		if (i >= n[0] || i >= n[1] || b[0][i] != b[1][i])
			add_differing(d, off, b, n, i);
		else if (d->open && d->gap_len + 1 == COMPARE_LINE)
			close_range(d);
		else if (d->open)
			d->gap[d->gap_len++] = b[0][i];
	}
	d->next_off = off + COMPARE_LINE;
}

static int
emit_json(void *ctx, uint64_t off, const unsigned char *a, size_t a_len,
    const unsigned char *b, size_t b_len, uint64_t repeat)
{
	struct diffout *d = ctx;
	const unsigned char *bytes[2] = { a, b };
	const size_t n[2] = { a_len, b_len };
	uint64_t r;

	for (r = 0; r < repeat; r++)
		add_line(d, off + r * COMPARE_LINE, bytes, n);
	return ferror(stdout) != 0;
}

/* -q: the first difference is the answer. */
static int
emit_quiet(void *ctx, uint64_t off, const unsigned char *a, size_t a_len,
    const unsigned char *b, size_t b_len, uint64_t repeat)
{
	(void)ctx, (void)off, (void)a, (void)a_len, (void)b, (void)b_len;
	(void)repeat;
	return 1;
}

void
diffout_init(struct diffout *d, enum diffout_kind kind, bool color,
    struct compare *c)
{
	static compare_emit *const emits[] = {
		[DIFFOUT_QUIET] = emit_quiet,
		[DIFFOUT_TEXT] = emit_text,
		[DIFFOUT_JSON] = emit_json,
	};

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->color = color;
	d->c = c;
	d->rc = SHM_OK;
	c->emit = emits[kind];
	c->ctx = d;
}

/* Where the compared bytes of a side end; start if it has none. */
static uint64_t
side_end(const struct compare *c, int i)
{
	const struct compare_side *s = &c->side[i];
	/* A stream not read to its end went past the range's. */
	uint64_t end = shm_min(s->ended ? s->size : UINT64_MAX, c->start +
	    shm_min(c->len, UINT64_MAX - c->start));

	return end > c->start ? end : c->start;
}

int
diffout_finish(struct diffout *d)
{
	struct compare *c = d->c;
	uint64_t size[2];
	int i;

	if (d->kind == DIFFOUT_JSON)
		close_range(d);
	if (d->kind != DIFFOUT_TEXT || d->rc != SHM_OK)
		return d->rc != SHM_OK ? d->rc : shm_flush_output();
	if (d->squeezing)
		put_last(d);
	if (d->have_last)
		put_context(d, d->last_off + COMPARE_LINE);
	if (side_end(c, 0) != side_end(c, 1)) {
		for (i = 0; i < 2; i++)
			if ((d->rc = compare_size(&c->side[i], &size[i])) !=
			    SHM_OK)
				return d->rc;
		printf("size: %" PRIu64 " -> %" PRIu64 "\n", size[0], size[1]);
	}
	return d->rc != SHM_OK ? d->rc : shm_flush_output();
}

/* "LABEL: A -> B", or as JSON with the label an index or a field. */
static void
put_value_pair(const struct values v[2], size_t i, const char *label,
    bool named, enum diffout_kind kind)
{
	if (kind == DIFFOUT_JSON) {
		if (named) {
			fputs("{\"field\":", stdout);
			json_string(stdout, label);
		} else {
			printf("{\"index\":%s", label);
		}
		fputs(",\"a\":", stdout);
		json_string(stdout, values_at(&v[0], i));
		fputs(",\"b\":", stdout);
		json_string(stdout, values_at(&v[1], i));
		fputs("}\n", stdout);
	} else {
		printf("%s: %s -> %s\n", label, values_at(&v[0], i),
		    values_at(&v[1], i));
	}
}

/* Reads and unpacks record r of each side. */
static int
unpack_record(struct compare *c, const struct structfmt *sf,
    const char *format, uint64_t off, unsigned char *buf,
    struct values v[2])
{
	size_t got;
	int s, rc;

	for (s = 0; s < 2; s++) {
		if ((rc = compare_read(&c->side[s], off, buf, sf->size,
		    &got)) != SHM_OK)
			return rc;
		if (got < sf->size)
			return shm_error(c->side[s].name, "format '%s' of size "
			    "%zu does not fit at offset %" PRIu64 " (%zu bytes "
			    "left)", format, sf->size, off, got);
		if (values_unpack(&v[s], sf, buf) != 0)
			return shm_perror(c->side[s].name);
	}
	return SHM_OK;
}

static int
compare_records(struct compare *c, const struct structfmt *sf,
    const char *format, const struct layout *names, uint64_t off,
    uint64_t count, enum diffout_kind kind, bool *differ)
{
	char label[VALUES_LABEL_MAX];
	struct values v[2];
	unsigned char *buf = malloc(sf->size + 1);
	uint64_t r;
	size_t i;
	int rc = buf == NULL ? shm_perror(c->side[0].name) : SHM_OK;

	memset(v, 0, sizeof(v));
	for (r = 0; r < count && rc == SHM_OK; r++) {
		if ((rc = unpack_record(c, sf, format, off + r * sf->size, buf,
		    v)) != SHM_OK)
			break;
		for (i = 0; i < v[0].n && i < v[1].n; i++) {
			if (!values_differ(&v[0], &v[1], i))
				continue;
			*differ = true;
			if (kind == DIFFOUT_QUIET)
				break;
			put_value_pair(v, i, label, values_label(names, sf, r,
			    count, i, label), kind);
		}
		if (*differ && kind == DIFFOUT_QUIET)
			break;
	}
	free(buf);
	values_free(&v[0]);
	values_free(&v[1]);
	return rc != SHM_OK ? rc : shm_flush_output();
}

int
diffout_values(struct compare *c, const char *format,
    const struct layout *names, uint64_t off, uint64_t length,
    bool has_length, enum diffout_kind kind, bool *differ)
{
	struct structfmt sf;
	uint64_t count = 1;
	const char *err;

	*differ = false;
	if ((err = structfmt_parse(format, &sf)) != NULL)
		return shm_error(NULL, "format '%s': %s", format, err);
	if (sf.size == 0)
		return shm_error(NULL, "format '%s': no bytes to compare",
		    format);
	if (has_length && (count = length / sf.size) == 0)
		return shm_error(NULL, "format '%s' of size %zu: -n %" PRIu64
		    " holds none", format, sf.size, length);
	return compare_records(c, &sf, format, names, off, count, kind,
	    differ);
}
