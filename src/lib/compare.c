/*
 * compare.c - find where two segments differ, at memory speed.
 *
 * The range is walked in windows of up to WINDOW bytes, each cut where
 * an extent (data or hole) of either side ends, so a window lies in one
 * extent of each: two holes are equal and never read; a hole against
 * data compares the data with zeros; data is mapped, not read, and
 * compared with one memcmp, which on 1 GiB of tmpfs took half the time
 * of cmp -s's read into buffers.  Only a window that differs is looked
 * at again, a block then a line at a time.  A window that would end
 * inside a line ends at the line before, so a line is never split; a
 * line with an extent's edge inside is read into a buffer instead.
 *
 * Standard input is read in order into a buffer of a window's size, so
 * a pipe compares in bounded memory too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/compare.h"
#include "util/shm.h"

/* Bytes per window: a multiple of COMPARE_LINE, and of BLOCK. */
#define WINDOW	(8U << 20)
/* Inside a window that differs, blocks this large are compared first. */
#define BLOCK	4096U

/* What a hole reads as; in .bss, so its pages are the zero page. */
static unsigned char zeros[WINDOW];

/* The bytes of one side in the window, and whether it is mapped. */
struct view {
	const unsigned char	*p;
	size_t			 len;
};

void
compare_side_init(struct compare_side *s, struct segment *seg)
{
	memset(s, 0, sizeof(*s));
	s->seg = seg;
	s->fd = STDIN_FILENO;
	s->name = seg != NULL ? seg->name : "standard input";
	s->size = seg != NULL ? seg->size : 0;
	s->ended = seg != NULL;
}

void
compare_side_free(struct compare_side *s)
{
	window_unmap(&s->w);
	free(s->buf);
	s->buf = NULL;
}

/*
 * Whether pos lies in a hole of a segment side, and where that ends;
 * kept, as tmpfs's SEEK_HOLE walks the pages up to the hole it finds,
 * and asking at each window made a dense compare quadratic.
 */
static struct extent
find_extent(struct compare_side *s, uint64_t pos)
{
	struct extent e = { false, s->size };
	uint64_t data;

	if (s->seg == NULL) {
		e.end = UINT64_MAX;
		return e;
	}
	if (pos >= s->ext_start && pos < s->ext.end)
		return s->ext;
	if (segment_in_hole(s->seg, pos, &data)) {
		e.hole = true;
		e.end = data;
	} else
		e.end = segment_data_end(s->seg, pos);
	if (e.end <= pos || e.end > s->size)
		e.end = s->size;
	s->ext_start = pos;
	s->ext = e;
	return e;
}

/* Reads the stream until it holds [pos, pos+n) or ends. */
static int
fill_stream(struct compare_side *s, uint64_t pos, size_t n)
{
	size_t keep;
	ssize_t got;

	if (s->buf == NULL && (s->buf = malloc(WINDOW)) == NULL)
		return shm_perror(s->name);
	if (pos > s->buf_off + s->buf_len)
		return shm_error(s->name, "read out of order");
	keep = (size_t)(s->buf_off + s->buf_len - pos);
	memmove(s->buf, s->buf + (pos - s->buf_off), keep);
	s->buf_off = pos;
	s->buf_len = keep;
	while (!s->ended && s->buf_len < n) {
		got = read(s->fd, s->buf + s->buf_len, WINDOW - s->buf_len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return shm_perror(s->name);
		if (got == 0) {
			s->ended = true;
			s->size = s->buf_off + s->buf_len;
		}
		s->buf_len += (size_t)got;
	}
	return SHM_OK;
}

/* How many of the n bytes at pos the side has (n <= WINDOW). */
static int
have(struct compare_side *s, uint64_t pos, size_t n, size_t *avail)
{
	int rc;

	if (s->seg == NULL && pos + n > s->buf_off + s->buf_len &&
	    (rc = fill_stream(s, pos, n)) != SHM_OK)
		return rc;
	if (s->ended)
		*avail = pos >= s->size ? 0 : (size_t)shm_min(n, s->size - pos);
	else
		*avail = n;
	return SHM_OK;
}

/*
 * The n bytes at pos of a side: zeros in a hole, a mapped window in
 * data, the stream's buffer; a line across an extent's edge is read
 * into line.
 */
static int
look(struct compare_side *s, uint64_t pos, size_t n, struct extent e,
    unsigned char *line, struct view *v)
{
	const unsigned char *data;
	size_t got, done;
	int rc;

	v->len = n;
	if (s->seg == NULL) {
		v->p = s->buf + (pos - s->buf_off);
		return SHM_OK;
	}
	if (e.hole && pos + n <= e.end) {
		v->p = zeros;
		return SHM_OK;
	}
	if (pos + n <= e.end) {
		rc = segment_map(s->seg, pos, n, &s->w);
		v->p = s->w.data;
		return rc;
	}
	for (done = 0; done < n; done += got) {
		if ((rc = segment_read_sparse(s->seg, pos + done, line + done,
		    n - done, &data, &got)) != SHM_OK)
			return rc;
		if (data != line + done)
			memcpy(line + done, data, got);
	}
	v->p = line;
	return SHM_OK;
}

/* A window of both sides, compared under the guard of their mappings. */
struct step {
	struct compare		*c;
	uint64_t		 pos;
	struct view		 v[2];
	bool			 differ;
	bool			 stop;
};

/* Emits each line of [from, from+n) of the window that differs. */
static void
emit_lines(struct step *st, size_t from, size_t n)
{
	const struct view *a = &st->v[0], *b = &st->v[1];
	size_t i, an, bn;

	for (i = from; i < from + n && !st->stop; i += COMPARE_LINE) {
		an = a->len > i ? (size_t)shm_min(a->len - i, COMPARE_LINE) :
		    0;
		bn = b->len > i ? (size_t)shm_min(b->len - i, COMPARE_LINE) :
		    0;
		if (an == bn && memcmp(a->p + i, b->p + i, an) == 0)
			continue;
		st->differ = true;
		st->stop = st->c->emit(st->c->ctx, st->pos + i, a->p + i, an,
		    b->p + i, bn, 1) != 0;
	}
}

static int
compare_window(void *arg)
{
	struct step *st = arg;
	const struct view *a = &st->v[0], *b = &st->v[1];
	size_t n = a->len > b->len ? a->len : b->len, i, len;

	if (a->len == b->len && memcmp(a->p, b->p, a->len) == 0)
		return SHM_OK;
	for (i = 0; i < n && !st->stop; i += BLOCK) {
		len = (size_t)shm_min(BLOCK, n - i);
		if (a->len >= i + len && b->len >= i + len &&
		    memcmp(a->p + i, b->p + i, len) == 0)
			continue;
		emit_lines(st, i, len);
	}
	return SHM_OK;
}

/* n, cut where the extent ends; never inside a line, unless n is one. */
static size_t
cut(uint64_t pos, size_t n, struct extent e)
{
	uint64_t left = e.end - pos;

	if (left >= n)
		return n;
	left -= left % COMPARE_LINE;
	return left > 0 ? (size_t)left : (size_t)shm_min(n, COMPARE_LINE);
}

/* A hole on one side past the other's end: one line, repeated. */
static int
emit_hole_run(struct compare *c, uint64_t pos, size_t n, int side,
    bool *stop)
{
	uint64_t lines = n / COMPARE_LINE;

	*stop = c->emit(c->ctx, pos, zeros, side == 0 ? COMPARE_LINE : 0,
	    zeros, side == 1 ? COMPARE_LINE : 0, lines) != 0;
	return SHM_OK;
}

/*
 * One window at pos of n bytes, n a whole number of lines unless it
 * ends a side; *n becomes what was looked at.
 */
static int
step(struct compare *c, uint64_t pos, size_t avail[2], size_t *n,
    bool *differ, bool *stop)
{
	struct step st = { c, pos, { { zeros, 0 }, { zeros, 0 } }, false,
	    false };
	unsigned char line[2][COMPARE_LINE];
	struct extent e[2];
	int i, rc = SHM_OK;

	for (i = 0; i < 2; i++) {
		e[i] = find_extent(&c->side[i], pos);
		if (avail[i] > 0)
			*n = cut(pos, *n, e[i]);
	}
	if (avail[0] > 0 && avail[1] > 0 && e[0].hole && e[1].hole &&
	    c->side[0].seg != NULL && c->side[1].seg != NULL &&
	    pos + *n <= e[0].end && pos + *n <= e[1].end)
		return SHM_OK;
	for (i = 0; i < 2; i++)
		if (avail[i] == 0 && e[!i].hole && c->side[!i].seg != NULL &&
		    *n >= COMPARE_LINE && pos + *n <= e[!i].end) {
			*n -= *n % COMPARE_LINE;
			*differ = true;
			return emit_hole_run(c, pos, *n, !i, stop);
		}
	for (i = 0; i < 2 && rc == SHM_OK; i++)
		if (avail[i] > 0)
			rc = look(&c->side[i], pos, (size_t)shm_min(*n,
			    avail[i]), e[i], line[i], &st.v[i]);
	if (rc == SHM_OK)
		rc = segment_guard_pair(c->side[0].seg != NULL ?
		    c->side[0].seg : c->side[1].seg, c->side[0].seg != NULL ?
		    c->side[1].seg : NULL, compare_window, &st);
	window_unmap(&c->side[0].w);
	window_unmap(&c->side[1].w);
	*differ = *differ || st.differ;
	*stop = st.stop;
	return rc;
}

/* Reads and drops the stream's first n bytes. */
static int
skip_stream(struct compare_side *s, uint64_t n)
{
	uint64_t pos = s->buf_off;
	size_t avail;
	int rc;

	while (pos < n) {
		if ((rc = have(s, pos, (size_t)shm_min(WINDOW, n - pos),
		    &avail)) != SHM_OK)
			return rc;
		if (avail == 0)
			break;
		pos += avail;
	}
	return SHM_OK;
}

int
compare_run(struct compare *c, bool *differ)
{
	uint64_t pos = c->start, end = c->start + shm_min(c->len,
	    UINT64_MAX - c->start);
	size_t avail[2], n, most;
	bool stop = false;
	int i, rc;

	*differ = false;
	for (i = 0; i < 2; i++)
		if (c->side[i].seg == NULL &&
		    (rc = skip_stream(&c->side[i], c->start)) != SHM_OK)
			return rc;
	while (pos < end && !stop) {
		n = (size_t)shm_min(WINDOW, end - pos);
		for (i = 0; i < 2; i++)
			if ((rc = have(&c->side[i], pos, n, &avail[i])) !=
			    SHM_OK)
				return rc;
		if (avail[0] == 0 && avail[1] == 0)
			break;
		/* Where one side ends, the lines before go first. */
		most = avail[0] > avail[1] ? avail[0] : avail[1];
		n = (size_t)shm_min(avail[0], avail[1]);
		n = n >= COMPARE_LINE ? n - n % COMPARE_LINE :
		    n > 0 ? (size_t)shm_min(most, COMPARE_LINE) : most;
		if ((rc = step(c, pos, avail, &n, differ, &stop)) != SHM_OK)
			return rc;
		pos += n;
	}
	return SHM_OK;
}

int
compare_fetch(struct compare *c, uint64_t off, unsigned char *buf,
    size_t *got)
{
	struct compare_side *s = c->side[0].seg != NULL ? &c->side[0] :
	    &c->side[1];
	struct extent e = { false, off };	/* read, never mapped */
	uint64_t end = c->start + shm_min(c->len, UINT64_MAX - c->start);
	struct view v;
	int i, rc;

	*got = 0;
	for (i = 0; i < 2; i++)
		if (c->side[i].ended)
			end = shm_min(end, c->side[i].size);
	if (off >= end)
		return SHM_OK;
	if ((rc = look(s, off, (size_t)shm_min(COMPARE_LINE, end - off), e,
	    buf, &v)) == SHM_OK)
		*got = v.len;
	return rc;
}

int
compare_size(struct compare_side *s, uint64_t *size)
{
	uint64_t pos = s->buf_off + s->buf_len;
	size_t avail;
	int rc;

	while (!s->ended) {
		if ((rc = have(s, pos, WINDOW, &avail)) != SHM_OK)
			return rc;
		pos += avail;
	}
	*size = s->size;
	return SHM_OK;
}

int
compare_read(struct compare_side *s, uint64_t off, unsigned char *buf,
    size_t len, size_t *got)
{
	size_t avail;
	int rc;

	*got = 0;
	if (s->seg != NULL)
		return segment_read(s->seg, off, buf, len, got);
	if ((rc = skip_stream(s, off)) != SHM_OK)
		return rc;
	for (; *got < len; *got += avail) {
		if ((rc = have(s, off + *got, (size_t)shm_min(WINDOW,
		    len - *got), &avail)) != SHM_OK)
			return rc;
		if (avail == 0)
			break;
		memcpy(buf + *got, s->buf + (off + *got - s->buf_off), avail);
	}
	return SHM_OK;
}
