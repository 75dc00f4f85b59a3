/*
 * search.c - find a needle in a segment of any size, in linear time.
 *
 * The segment is read into a reused buffer, never mapped: a mapping of
 * a sparse tmpfs object allocates a page for every hole it touches, so
 * searching a fresh 1 GiB object would fill 1 GiB of memory; pread
 * copies holes from the zero page instead.  On dense data too a read
 * wins: a fresh mapping pays a page fault per few pages and their
 * teardown, which on the AMD EPYC measured here made memmem over 8 MiB
 * windows take 3 to 6 times as long as reads of 256 KiB into a buffer
 * that stays in L2 (whose copy costs what reading memory costs, on any
 * CPU).  Consecutive chunks overlap by len - 1 bytes so a match
 * straddling a chunk boundary is seen; scan.c searches each chunk.
 *
 * A forward search skips the holes of a sparse segment when the needle
 * has a byte that is not zero: no match can lie inside a hole then, so
 * once the bytes kept from one read lie in a hole too, they are taken
 * to be the hole's last ones and reading goes on where its data does.
 * A match that straddles either edge of the hole is still seen.
 *
 * A first-match search of a large range is split between two threads,
 * each reading its half; the second's match counts only if the first
 * half has none.
 *
 * Backward searches scan each chunk from its end the same way; there
 * is no memrmem, so what the scan leaves (all of it without vectors)
 * is searched by KMP over the reversed needle, skipping with memrchr
 * while nothing is matched.
 */
#define _GNU_SOURCE		/* memrchr */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scan.h"
#include "lib/search.h"
#include "util/shm.h"
#include "util/worker.h"

/*
 * New bytes per read: large enough to amortise the call, small enough
 * that the copy is still in L2 when scan.c reads it (128 KiB to 1 MiB
 * took the same time here).
 */
#define CHUNK	(256U * 1024)
/* A first-match search this large is split between two threads. */
#define SPLIT_MIN	(64U << 20)

struct buffer {
	unsigned char	*data;
	size_t		 cap;
	uint64_t	 base;		/* segment offset of data[0] */
	size_t		 len;
	uint64_t	 dense_to;	/* no hole before this offset */
	bool		 skip_holes;	/* no match can lie in zeros */
	struct scan	 scan;
};

/* Whether a match could lie in zeros alone: an all-zero needle. */
static bool
all_zeros(const struct search *s)
{
	size_t i;

	for (i = 0; i < s->len; i++)
		if (s->needle[i] != 0)
			return false;
	return true;
}

static int
buffer_init(struct buffer *b, const struct search *s)
{
	b->cap = CHUNK + (s->len > 0 ? s->len - 1 : 0);
	b->len = 0;
	b->dense_to = 0;
	b->skip_holes = !all_zeros(s);
	scan_init(&b->scan, s->needle, s->len);
	if ((b->data = malloc(b->cap)) == NULL)
		return shm_perror(s->seg->name);
	return SHM_OK;
}

/*
 * The buffer starts in a hole that goes on past what it holds, so all
 * it holds is zeros: let it hold the hole's last len - 1 zeros instead
 * (a match may start there and end in the data), and go on reading
 * where the data starts.
 */
static void
skip_hole(const struct search *s, struct buffer *b)
{
	uint64_t data, zeros;

	if (!b->skip_holes || b->base < b->dense_to)
		return;
	if (!segment_in_hole(s->seg, b->base, &data)) {
		/* Data up to there: no need to ask again before it. */
		b->dense_to = segment_data_end(s->seg, b->base);
		return;
	}
	if (data > s->end)
		data = s->end;
	zeros = data - b->base < s->len - 1 ? data - b->base : s->len - 1;
	if (data - zeros <= b->base || data - b->base <= b->len)
		return;
	memset(b->data, 0, (size_t)zeros);
	b->len = (size_t)zeros;
	b->base = data - zeros;
}

/* Keep the last `keep` bytes, then append what follows them. */
static int
slide_forward(const struct search *s, struct buffer *b, size_t keep)
{
	size_t want;

	memmove(b->data, b->data + b->len - keep, keep);
	b->base += b->len - keep;
	b->len = keep;
	skip_hole(s, b);
	keep = b->len;		/* the hole's zeros, if it skipped one */
	want = (size_t)shm_min(s->end - (b->base + keep), b->cap - keep);
	if (segment_read_all(s->seg, b->base + keep, b->data + keep, want) !=
	    SHM_OK)
		return SHM_FAIL;
	b->len += want;
	return SHM_OK;
}

/* Forward from s->start; *cancel, if set by another thread, stops it. */
static int
search_forward(const struct search *s, struct buffer *b, bool *found,
    atomic_bool *cancel)
{
	uint64_t next = s->start;	/* where the next match may start */
	const unsigned char *p;
	size_t from, keep;

	b->base = s->start;
	for (;;) {
		from = (size_t)(next - b->base);
		p = scan_find(&b->scan, b->data + from, b->len - from);
		if (p != NULL) {
			*found = true;
			next = b->base + (uint64_t)(p - b->data) + s->len;
			if (s->emit(s->ctx, next - s->len) != 0 ||
			    s->mode != SEARCH_ALL)
				return SHM_OK;
			continue;
		}
		if (b->base + b->len >= s->end ||
		    (cancel != NULL && atomic_load(cancel)))
			return SHM_OK;
		keep = (size_t)shm_min(b->base + b->len - next, s->len - 1);
		if (slide_forward(s, b, keep) != SHM_OK)
			return SHM_FAIL;
		if (next < b->base)
			next = b->base;
	}
}

/* Keep the first `keep` bytes, then prepend what precedes them. */
static int
slide_backward(const struct search *s, struct buffer *b, size_t keep)
{
	size_t want = (size_t)shm_min(b->base - s->start, b->cap - keep);

	memmove(b->data + want, b->data, keep);
	b->base -= want;
	b->len = want + keep;
	return segment_read_all(s->seg, b->base, b->data, want);
}

/* rev[i] of the needle read backwards; fail[i] as KMP has it. */
static unsigned char
rev(const struct search *s, size_t i)
{
	return s->needle[s->len - 1 - i];
}

static size_t *
reverse_table(const struct search *s)
{
	size_t *fail = malloc(s->len * sizeof(*fail));
	size_t i, k = 0;

	if (fail == NULL)
		return NULL;
	fail[0] = 0;
	for (i = 1; i < s->len; i++) {
		while (k > 0 && rev(s, i) != rev(s, k))
			k = fail[k - 1];
		if (rev(s, i) == rev(s, k))
			k++;
		fail[i] = k;
	}
	return fail;
}

/* Where the last match in data[0, len) starts, or -1. */
static long long
last_match(const struct search *s, const size_t *fail,
    const unsigned char *data, size_t len)
{
	const unsigned char *p;
	size_t i = len, k = 0;

	while (i > 0) {
		if (k == 0) {
			/* Nothing matched yet: jump to the next candidate. */
			if ((p = memrchr(data, rev(s, 0), i)) == NULL)
				return -1;
			i = (size_t)(p - data);
			k = 1;
		} else {
			i--;
			while (k > 0 && data[i] != rev(s, k))
				k = fail[k - 1];
			if (data[i] == rev(s, k))
				k++;
		}
		if (k == s->len)
			return (long long)i;
	}
	return -1;
}

/* Where the last match in the buffer starts, or -1. */
static long long
find_last(const struct search *s, const struct buffer *b,
    const size_t *fail)
{
	const unsigned char *p;
	size_t left;

	p = scan_find_last(&b->scan, b->data, b->len, &left);
	if (p != NULL)
		return (long long)(p - b->data);
	if (left == 0)
		return -1;
	return last_match(s, fail, b->data, left + s->len - 1);
}

static int
search_backward(const struct search *s, struct buffer *b, bool *found)
{
	size_t *fail = reverse_table(s);
	long long at;
	int rc = SHM_OK;

	if (fail == NULL)
		return shm_perror(s->seg->name);
	b->base = s->end;
	while (b->base > s->start) {
		if ((rc = slide_backward(s, b, (size_t)shm_min(b->len,
		    s->len - 1))) != SHM_OK)
			break;
		if ((at = find_last(s, b, fail)) >= 0) {
			*found = true;
			s->emit(s->ctx, b->base + (uint64_t)at);
			break;
		}
	}
	free(fail);
	return rc;
}

/* Either way, with a buffer of its own; *cancel as search_forward's. */
static int
search_buffered(const struct search *s, bool *found, atomic_bool *cancel)
{
	struct buffer b;
	int rc;

	if ((rc = buffer_init(&b, s)) != SHM_OK)
		return rc;
	if (s->mode == SEARCH_LAST)
		rc = search_backward(s, &b, found);
	else
		rc = search_forward(s, &b, found, cancel);
	free(b.data);
	return rc;
}

/*
 * The second half of a first-match search, on another core: its first
 * match, which counts only if the first half has none.
 */
struct half {
	struct search	 s;
	bool		 found;
	uint64_t	 at;
	int		 rc;
	struct error_line err;		/* said if the first half is fine */
	atomic_bool	 cancel;	/* the first half found one */
};

static int
record(void *ctx, uint64_t off)
{
	((struct half *)ctx)->at = off;
	return 1;
}

static void *
search_half(void *arg)
{
	struct half *h = arg;

	shm_error_hold(&h->err);
	h->rc = search_buffered(&h->s, &h->found, &h->cancel);
	return NULL;
}

/*
 * A first match in a large range: two threads, one a half, as two
 * cores copy more a second than one.  Matches straddling mid are the
 * first half's, which reads len - 1 bytes past it.
 */
static int
search_split(const struct search *s, bool *found)
{
	uint64_t mid = s->start + (s->end - s->start) / 2;
	struct search first = *s;
	struct half h = { .s = *s, .rc = SHM_OK };
	pthread_t thread;
	int rc;

	atomic_init(&h.cancel, false);
	h.s.start = mid;
	h.s.emit = record;
	h.s.ctx = &h;
	if (!worker_start(&thread, search_half, &h))
		return search_buffered(s, found, NULL);
	/* Matches that start before mid are the first half's. */
	first.end = mid + s->len - 1;
	rc = search_buffered(&first, found, NULL);
	/* The second half's answer is needed only if the first has none. */
	if (rc != SHM_OK || *found)
		atomic_store(&h.cancel, true);
	pthread_join(thread, NULL);
	if (rc == SHM_OK && h.rc != SHM_OK) {
		shm_error_print(&h.err);
		rc = h.rc;
	}
	if (rc == SHM_OK && !*found && h.found) {
		*found = true;
		s->emit(s->ctx, h.at);
	}
	return rc;
}

int
search_run(const struct search *s, bool *found)
{
	*found = false;
	if (s->len > s->end - s->start)
		return SHM_OK;
	if (s->len == 0) {
		*found = true;
		s->emit(s->ctx, s->mode == SEARCH_LAST ? s->end : s->start);
		return SHM_OK;
	}
	if (s->mode == SEARCH_FIRST && s->end - s->start >= SPLIT_MIN &&
	    worker_useful())
		return search_split(s, found);
	return search_buffered(s, found, NULL);
}
