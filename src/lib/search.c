/*
 * search.c - find a needle in a segment of any size, in linear time.
 *
 * The segment is read through a buffer rather than mapped: a mapping of
 * a sparse tmpfs object allocates a page for every hole it touches, so
 * searching a fresh 1 GiB object would fill 1 GiB of memory; pread
 * copies holes from the zero page instead.  Consecutive chunks overlap
 * by len - 1 bytes so a match straddling a chunk boundary is seen.
 *
 * A forward search skips the holes of a sparse segment when the needle
 * has a byte that is not zero: no match can lie inside a hole then, so
 * once the bytes kept from one read lie in a hole too, they are taken
 * to be the hole's last ones and reading goes on where its data does.
 * A match that straddles either edge of the hole is still seen.
 *
 * Where the range to search is all data (no hole in it), a forward
 * search runs memmem over a mapping of it instead, a window at a time:
 * no copy into a buffer, which made find on 1 GiB of dense data take
 * 0.70 of grep -caF's time.  A mapping is never used where there are
 * holes: touching a hole of tmpfs through one allocates a page.
 *
 * Forward searches use memmem (glibc's is linear: two-way, with a skip
 * table).  There is no memrmem, so backward searches run KMP over the
 * reversed needle, skipping with memrchr while nothing is matched.
 */
#define _GNU_SOURCE		/* memmem, memrchr */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/search.h"
#include "util/shm.h"
#include "util/worker.h"

/* New bytes per read: large enough to amortise the call, fits in L2. */
#define CHUNK	(256U * 1024)
/* Bytes per mapped window, and so per munmap: the page tables' cost. */
#define WINDOW	(8U << 20)
/* A dense first-match search this large is split between two cores. */
#define SPLIT_MIN	(64U << 20)

struct buffer {
	unsigned char	*data;
	size_t		 cap;
	uint64_t	 base;		/* segment offset of data[0] */
	size_t		 len;
};

static int
buffer_init(struct buffer *b, const struct search *s)
{
	b->cap = CHUNK + (s->len > 0 ? s->len - 1 : 0);
	b->len = 0;
	if ((b->data = malloc(b->cap)) == NULL)
		return shm_perror(s->seg->name);
	return SHM_OK;
}

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

	if (all_zeros(s) || !segment_in_hole(s->seg, b->base, &data))
		return;
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

static int
search_forward(const struct search *s, struct buffer *b, bool *found)
{
	uint64_t next = s->start;	/* where the next match may start */
	const unsigned char *p;
	size_t from, keep;

	b->base = s->start;
	for (;;) {
		from = (size_t)(next - b->base);
		p = memmem(b->data + from, b->len - from, s->needle, s->len);
		if (p != NULL) {
			*found = true;
			next = b->base + (uint64_t)(p - b->data) + s->len;
			if (s->emit(s->ctx, next - s->len) != 0 ||
			    s->mode != SEARCH_ALL)
				return SHM_OK;
			continue;
		}
		if (b->base + b->len >= s->end)
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
		if ((at = last_match(s, fail, b->data, b->len)) >= 0) {
			*found = true;
			s->emit(s->ctx, b->base + (uint64_t)at);
			break;
		}
	}
	free(fail);
	return rc;
}

/* One mapped window of a dense range, searched under segment_guard. */
struct mapped {
	const struct search	*s;
	struct window		 w;
	uint64_t		 base;		/* offset of w.data[0] */
	uint64_t		 next;		/* where a match may start */
	bool			*found;
	bool			 stop;
	atomic_bool		*cancel;	/* another thread stops us */
};

static int
search_window(void *arg)
{
	struct mapped *m = arg;
	const struct search *s = m->s;
	const unsigned char *p;
	size_t from;

	while (m->next + s->len <= m->base + m->w.len) {
		from = (size_t)(m->next - m->base);
		p = memmem(m->w.data + from, m->w.len - from, s->needle,
		    s->len);
		if (p == NULL)
			break;
		*m->found = true;
		m->next = m->base + (uint64_t)(p - m->w.data) + s->len;
		if (s->emit(s->ctx, m->next - s->len) != 0 ||
		    s->mode != SEARCH_ALL) {
			m->stop = true;
			break;
		}
	}
	return SHM_OK;
}

/* Whether [start, end) is all data: SEEK_HOLE finds none before end. */
static bool
is_dense(const struct search *s)
{
	uint64_t data;

	return !segment_in_hole(s->seg, s->start, &data) &&
	    segment_data_end(s->seg, s->start) >= s->end;
}

static int
search_mapped(const struct search *s, bool *found, atomic_bool *cancel)
{
	struct mapped m = { s, { NULL, 0, NULL, 0 }, s->start, s->start,
	    found, false, cancel };
	uint64_t len;
	int rc = SHM_OK;

	while (!m.stop && m.base + s->len <= s->end &&
	    (cancel == NULL || !atomic_load(cancel))) {
		len = s->end - m.base < WINDOW ? s->end - m.base : WINDOW;
		if ((rc = segment_map(s->seg, m.base, len, &m.w)) != SHM_OK)
			break;
		rc = segment_guard(s->seg, search_window, &m);
		window_unmap(&m.w);
		if (rc != SHM_OK || m.base + len >= s->end)
			break;
		/* The next window overlaps this one by len - 1 bytes. */
		m.base += len - (s->len - 1);
		if (m.next < m.base)
			m.next = m.base;
	}
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
	h->rc = search_mapped(&h->s, &h->found, &h->cancel);
	return NULL;
}

/*
 * A first match in a large dense range: two threads, one a half.  On
 * 1 GiB here that took find from 0.73 of grep -caF's time to 0.41.
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
		return search_mapped(s, found, NULL);
	/* Matches that start before mid are the first half's. */
	first.end = mid + s->len - 1;
	rc = search_mapped(&first, found, NULL);
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
	struct buffer b;
	int rc;

	*found = false;
	if (s->len > s->end - s->start)
		return SHM_OK;
	if (s->len == 0) {
		*found = true;
		s->emit(s->ctx, s->mode == SEARCH_LAST ? s->end : s->start);
		return SHM_OK;
	}
	if (s->mode != SEARCH_LAST && s->len < WINDOW / 2 && is_dense(s))
		return s->mode == SEARCH_FIRST && s->end - s->start >=
		    SPLIT_MIN && worker_useful() ? search_split(s, found) :
		    search_mapped(s, found, NULL);
	if ((rc = buffer_init(&b, s)) != SHM_OK)
		return rc;
	if (s->mode == SEARCH_LAST)
		rc = search_backward(s, &b, found);
	else
		rc = search_forward(s, &b, found);
	free(b.data);
	return rc;
}
