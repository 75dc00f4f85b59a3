/*
 * compare.c - find where two segments differ, at memory speed.
 *
 * The range is walked in windows of up to WINDOW bytes, each cut where
 * an extent (data or hole) of either side ends, so a window lies in one
 * extent of each: two holes are equal and are skipped whole, unread; a
 * hole against data compares the data with zeros; a hole past the
 * other side's end is one line repeated.  Data is read into a buffer
 * the size of the L2 cache and compared with one memcmp while it is
 * there; only a window that differs is looked at again, a block then a
 * line at a time.  (Mapping instead paid a TLB miss a page, here, and
 * took twice the time of cmp -s's reads.)  A window that would end
 * inside a line ends at the line before, so no line is ever split.
 *
 * A large range of two segments is split in two: a second thread looks
 * for the first difference in the second half while this one walks
 * the first, then this one walks on from that difference, if any.
 *
 * Standard input is read in order into a window's buffer, so a pipe
 * compares in bounded memory too.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/compare.h"
#include "util/shm.h"
#include "util/worker.h"

/* Bytes per window: a multiple of BLOCK, and two of them fit in L2. */
#define WINDOW	(256U << 10)
/* Inside a window that differs, blocks this large are compared first. */
#define BLOCK	4096U
/* A range of two segments this large is split between two threads. */
#define SPLIT_MIN	(64U << 20)

/* What a hole reads as; in .bss, so its pages are the zero page. */
static unsigned char zeros[WINDOW];

/* The bytes of one side in the window. */
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
	free(s->buf);
	s->buf = NULL;
}

static uint64_t
line_down(uint64_t n)
{
	return n - n % COMPARE_LINE;
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
	if ((pos >= s->ext_start && pos < s->ext.end) || pos >= s->size)
		return pos >= s->size ? e : s->ext;
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

static int
make_buffer(struct compare_side *s)
{
	if (s->buf == NULL && (s->buf = malloc(WINDOW)) == NULL)
		return shm_perror(s->name);
	return SHM_OK;
}

/* Reads the stream until it holds [pos, pos+n) or ends. */
static int
fill_stream(struct compare_side *s, uint64_t pos, size_t n)
{
	size_t keep;
	ssize_t got;
	int rc;

	if ((rc = make_buffer(s)) != SHM_OK)
		return rc;
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

	if (s->seg == NULL && !s->ended &&
	    pos + n > s->buf_off + s->buf_len &&
	    (rc = fill_stream(s, pos, n)) != SHM_OK)
		return rc;
	if (s->ended)
		*avail = pos >= s->size ? 0 : (size_t)shm_min(n, s->size - pos);
	else
		*avail = n;
	return SHM_OK;
}

/* The n bytes at pos of a side: zeros in a hole, else read. */
static int
look(struct compare_side *s, uint64_t pos, size_t n, struct extent e,
    struct view *v)
{
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
	if ((rc = make_buffer(s)) != SHM_OK)
		return rc;
	v->p = s->buf;
	return segment_read_all(s->seg, pos, s->buf, n);
}

/* Emits each line of [from, from+n) of the window that differs. */
static bool
emit_lines(struct compare *c, uint64_t pos, const struct view v[2],
    size_t from, size_t n, bool *differ)
{
	size_t i, an, bn;

	for (i = from; i < from + n; i += COMPARE_LINE) {
		an = v[0].len > i ? (size_t)shm_min(v[0].len - i,
		    COMPARE_LINE) : 0;
		bn = v[1].len > i ? (size_t)shm_min(v[1].len - i,
		    COMPARE_LINE) : 0;
		if (an == bn && memcmp(v[0].p + i, v[1].p + i, an) == 0)
			continue;
		*differ = true;
		if (c->emit(c->ctx, pos + i, v[0].p + i, an, v[1].p + i, bn,
		    1) != 0)
			return true;
	}
	return false;
}

/* Compares a window; true if the emitter asked to stop. */
static bool
compare_window(struct compare *c, uint64_t pos, const struct view v[2],
    bool *differ)
{
	size_t n = v[0].len > v[1].len ? v[0].len : v[1].len, i, len;

	if (v[0].len == v[1].len && memcmp(v[0].p, v[1].p, n) == 0)
		return false;
	for (i = 0; i < n; i += BLOCK) {
		len = (size_t)shm_min(BLOCK, n - i);
		if (v[0].len >= i + len && v[1].len >= i + len &&
		    memcmp(v[0].p + i, v[1].p + i, len) == 0)
			continue;
		if (emit_lines(c, pos, v, i, len, differ))
			return true;
	}
	return false;
}

/* n, cut where the extent ends; never inside a line, unless n is one. */
static size_t
cut(uint64_t pos, size_t n, struct extent e)
{
	uint64_t left = line_down(e.end - pos);

	if (e.end - pos >= n)
		return n;
	return left > 0 ? (size_t)left : (size_t)shm_min(n, COMPARE_LINE);
}

/* A window of n bytes at pos (less where a side ends); *n is cut. */
static int
step(struct compare *c, uint64_t pos, const size_t avail[2], size_t *n,
    bool *differ, bool *stop)
{
	struct view v[2] = { { zeros, 0 }, { zeros, 0 } };
	struct extent e[2];
	int i, rc;

	for (i = 0; i < 2; i++) {
		e[i] = find_extent(&c->side[i], pos);
		if (avail[i] > 0)
			*n = cut(pos, *n, e[i]);
	}
	for (i = 0; i < 2; i++)
		if (avail[i] > 0 && (rc = look(&c->side[i], pos,
		    (size_t)shm_min(*n, avail[i]), e[i], &v[i])) != SHM_OK)
			return rc;
	*stop = compare_window(c, pos, v, differ);
	return SHM_OK;
}

/*
 * Holes that need no reading from pos: where both sides have one, the
 * line after the last of it; where a side has ended and the other has
 * one, that line repeated (emitted).  Both segments; 0 if none.
 */
static uint64_t
skip_holes(struct compare *c, uint64_t pos, uint64_t end, bool *differ,
    bool *stop)
{
	struct compare_side *s = c->side;
	struct extent e[2];
	uint64_t lines;
	int i;

	if (s[0].seg == NULL || s[1].seg == NULL)
		return 0;
	for (i = 0; i < 2; i++)
		e[i] = find_extent(&s[i], pos);
	if (e[0].hole && e[1].hole)
		return line_down(shm_min(shm_min(e[0].end, e[1].end), end) -
		    pos);
	for (i = 0; i < 2; i++) {
		if (pos < s[i].size || !e[!i].hole)
			continue;
		if ((lines = line_down(shm_min(e[!i].end, end) - pos) /
		    COMPARE_LINE) == 0)
			return 0;
		*differ = true;
		*stop = c->emit(c->ctx, pos, zeros, i == 1 ? COMPARE_LINE : 0,
		    zeros, i == 0 ? COMPARE_LINE : 0, lines) != 0;
		return lines * COMPARE_LINE;
	}
	return 0;
}

/*
 * Walks [pos, end), lines counted from c->start; *stop if the emitter
 * asked to.
 */
static int
walk(struct compare *c, uint64_t pos, uint64_t end, bool *differ,
    bool *stop)
{
	size_t avail[2], n, most;
	uint64_t skip;
	int i, rc;

	*stop = false;
	while (pos < end && !*stop) {
		if (c->cancel != NULL && atomic_load(c->cancel))
			break;
		if ((skip = skip_holes(c, pos, end, differ, stop)) > 0) {
			pos += skip;
			continue;
		}
		n = (size_t)shm_min(WINDOW, end - pos);
		for (i = 0; i < 2; i++)
			if ((rc = have(&c->side[i], pos, n, &avail[i])) !=
			    SHM_OK)
				return rc;
		if (avail[0] == 0 && avail[1] == 0)
			break;
		/* Where one side ends, the whole lines before go first. */
		most = avail[0] > avail[1] ? avail[0] : avail[1];
		n = (size_t)shm_min(avail[0], avail[1]);
		n = n >= COMPARE_LINE ? (size_t)line_down(n) :
		    n > 0 ? (size_t)shm_min(most, COMPARE_LINE) : most;
		if ((rc = step(c, pos, avail, &n, differ, stop)) != SHM_OK)
			return rc;
		pos += n;
	}
	return SHM_OK;
}

/* The second half, on another core: where it first differs, if it does. */
struct half {
	struct compare	 c;
	uint64_t	 from, end;
	bool		 found;
	uint64_t	 at;
	int		 rc;
	struct error_line err;		/* said if the first half is fine */
	atomic_bool	 cancel;	/* the first half has stopped */
};

static int
record(void *ctx, uint64_t off, const unsigned char *a, size_t a_len,
    const unsigned char *b, size_t b_len, uint64_t repeat)
{
	struct half *h = ctx;

	(void)a, (void)a_len, (void)b, (void)b_len, (void)repeat;
	h->at = off;
	return 1;
}

static void *
walk_half(void *arg)
{
	struct half *h = arg;
	bool stop;

	shm_error_hold(&h->err);
	h->rc = walk(&h->c, h->from, h->end, &h->found, &stop);
	return NULL;
}

/*
 * The first half here while a worker looks for the first difference
 * in the second; then on from it.  The worker has sides of its own
 * (buffers, extents), on the same segments, which pread shares.
 */
static int
walk_split(struct compare *c, uint64_t end, bool *differ)
{
	uint64_t mid = c->start + line_down((end - c->start) / 2);
	struct half h = { .c = *c, .from = mid, .end = end, .rc = SHM_OK };
	pthread_t thread;
	bool stop;
	int i, rc;

	atomic_init(&h.cancel, false);
	for (i = 0; i < 2; i++) {
		h.c.side[i].buf = NULL;
		h.c.side[i].ext_start = h.c.side[i].ext.end = 0;
	}
	h.c.emit = record;
	h.c.ctx = &h;
	h.c.cancel = &h.cancel;
	if (!worker_start(&thread, walk_half, &h))
		return walk(c, c->start, end, differ, &stop);
	if ((rc = walk(c, c->start, mid, differ, &stop)) != SHM_OK || stop)
		atomic_store(&h.cancel, true);
	pthread_join(thread, NULL);
	for (i = 0; i < 2; i++)
		compare_side_free(&h.c.side[i]);
	if (rc == SHM_OK && h.rc != SHM_OK) {
		shm_error_print(&h.err);
		return h.rc;
	}
	if (rc != SHM_OK || stop || !h.found)
		return rc;
	return walk(c, h.at, end, differ, &stop);
}

/* Reads and drops the stream's bytes up to n. */
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
	uint64_t end = c->start + shm_min(c->len, UINT64_MAX - c->start);
	bool stop;
	int i, rc;

	*differ = false;
	for (i = 0; i < 2; i++)
		if (c->side[i].seg == NULL &&
		    (rc = skip_stream(&c->side[i], c->start)) != SHM_OK)
			return rc;
	if (c->side[0].seg != NULL && c->side[1].seg != NULL &&
	    end - c->start >= SPLIT_MIN && worker_useful())
		return walk_split(c, end, differ);
	return walk(c, c->start, end, differ, &stop);
}

int
compare_fetch(struct compare *c, uint64_t off, unsigned char *buf,
    size_t *got)
{
	struct compare_side *s = c->side[0].seg != NULL ? &c->side[0] :
	    &c->side[1];
	uint64_t end = c->start + shm_min(c->len, UINT64_MAX - c->start);
	int i;

	*got = 0;
	for (i = 0; i < 2; i++)
		if (c->side[i].ended)
			end = shm_min(end, c->side[i].size);
	if (off >= end)
		return SHM_OK;
	*got = (size_t)shm_min(COMPARE_LINE, end - off);
	return segment_read_all(s->seg, off, buf, *got);
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
