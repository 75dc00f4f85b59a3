/*
 * change.c - what counts as a change of a range, for wait --change
 * and watch.
 *
 * A script loops on "wait --change; read", so every way the range can
 * stop being what the read saw is a change, seen without a lock (a look
 * never waits for one): a byte of it different; the segment grown into
 * it, or past it when it runs to the end, or cut short inside it (an
 * empty range, -n 0, watches the size alone); and NAME removed or
 * naming another segment, after which the next read reads that.
 *
 * Bytes are compared, never a digest of them: a digest can miss a
 * change.  The range is compared where it is mapped, with no copy of
 * it made each look (a copy costs three times the compare), and a step
 * at a time, round and round, so that the pace (watch.h) spreads the
 * looks of a large range evenly.  A hole is not read through the
 * mapping, which would give it memory: the copy is compared with
 * zeros there instead.
 *
 * watch hands each run of bytes that differs to its emit (the copy
 * then takes the new bytes), so a change between two looks is seen
 * once, old and new, however many stores made it.  What it is told
 * is a copy of the run, made while the size and the change time held
 * still (take_run): never bytes read past a cut, or read twice.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/change.h"
#include "util/port.h"
#include "util/shm.h"

/* Compared at a look that is due (a few hundred microseconds of work). */
#define CHANGE_STEP	(1U << 20)

static int	copy(struct change *, struct segment *);

/* How much of the range lies inside a segment of this size. */
static uint64_t
inside(const struct change *c, uint64_t size)
{
	return size > c->off ? shm_min(c->end, size) - c->off : 0;
}

int
change_start(struct change *c, struct segment *seg, const char *offset,
    uint64_t length)
{
	uint64_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = segment_offset(seg, "offset", offset, &c->off)) != SHM_OK)
		return rc;
	c->end = length > UINT64_MAX - c->off ? UINT64_MAX : c->off + length;
	c->size = seg->size;
	if ((n = inside(c, seg->size)) > CHANGE_RANGE_MAX)
		return shm_error(seg->name, "a range of %llu bytes is too "
		    "large to watch; -n %u at most", (unsigned long long)n,
		    CHANGE_RANGE_MAX);
	c->len = (size_t)n;
	if ((c->was = malloc(c->len + 1)) == NULL)
		return shm_perror(seg->name);
	if (!SHM_LINUX && (c->buf = malloc(CHANGE_STEP)) == NULL)
		return shm_perror(seg->name);
	if (SHM_LINUX &&
	    (rc = segment_map(seg, c->off, c->len, &c->map)) != SHM_OK)
		return rc;
	return copy(c, seg);
}

static bool
all_zero(const unsigned char *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/*
 * What a walk over [from, to) of the range needs, under the guard: a
 * compare, or the first copy.
 */
struct compare {
	struct change		*c;
	struct segment		*seg;
	size_t			 from, to;
	bool			 copy;
	bool			 differs;
	bool			 stop;		/* wait's first difference */
};

/*
 * Where the data that the range's byte at lies in ends, in the range:
 * 0 if at is in a hole.  A file system that cannot tell has no holes.
 */
static size_t
data_end(struct compare *k, size_t at, size_t *hole_end)
{
	struct change *c = k->c;
	uint64_t pos = c->off + at, data, end;

	if (pos < c->data_from || pos >= c->data_to) {
		if (segment_in_hole(k->seg, pos, &data)) {
			*hole_end = (size_t)(shm_min(data, c->off + k->to) -
			    c->off);
			return 0;
		}
		end = segment_data_end(k->seg, pos);
		/* A hole made since the question before: compare. */
		c->data_from = pos;
		c->data_to = end > pos ? end : c->off + k->to;
	}
	return (size_t)(shm_min(c->data_to, c->off + k->to) - c->off);
}

/*
 * The range's bytes from at, as they are now: *n of them (0: the
 * segment is shorter now), at most to end.  In place where holes can
 * be found; else read, a piece at a time, as mapped they would be
 * given memory, holes and all.
 */
static int
bytes_now(struct compare *k, size_t at, size_t end,
    const unsigned char **now, size_t *n)
{
	struct change *c = k->c;

	if (c->buf == NULL) {
		*now = c->map.data + at;
		*n = end - at;
		return SHM_OK;
	}
	*now = c->buf;
	*n = end - at < CHANGE_STEP ? end - at : CHANGE_STEP;
	if (k->copy)
		return segment_read_all(k->seg, c->off + at, c->buf, *n);
	return segment_read(k->seg, c->off + at, c->buf, *n, n);
}

/*
 * Where the next run of changed bytes at or after *from ends, in
 * [*from, n) of now against was: runs fewer than CHANGE_GAP unchanged
 * bytes apart are one.  False if there is none.
 */
static bool
next_run(const unsigned char *now, const unsigned char *was, size_t n,
    size_t *from, size_t *to)
{
	size_t i = *from, end, step = 0;

	for (; i < n; i += step) {
		step = n - i < 4096 ? n - i : 4096;
		if (memcmp(now + i, was + i, step) != 0)
			break;
	}
	if (i >= n)
		return false;
	/* The chunk differs: the byte that does is in it. */
	while (now[i] == was[i])
		i++;
	*from = i;
	for (end = i + 1; i < n && i < end + CHANGE_GAP; i++)
		if (now[i] != was[i])
			end = i + 1;
	*to = end;
	return true;
}

/* The size and the change time, as the segment has them now. */
static int
size_and_ctime(struct compare *k, uint64_t *size, struct timespec *ctime)
{
	int rc;

	if ((rc = segment_refresh(k->seg)) != SHM_OK)
		return rc;
	*size = k->seg->size;
	*ctime = k->seg->st.st_ctim;
	return SHM_OK;
}

/* [from, to) of the range is a hole now, as it was when it was walked. */
static bool
still_hole(struct compare *k, size_t from, size_t to)
{
	uint64_t data;

	return segment_in_hole(k->seg, k->c->off + from, &data) &&
	    data >= k->c->off + to;
}

/*
 * The n bytes of a run that ends at `to` in the range, copied once,
 * and only if they were the segment's (else *run is NULL): the mapping
 * is live, and read twice (to find the run, then to tell it) it could
 * give other bytes, or zeros where a cut left the rest of its page,
 * which reads as zeros, not as a fault.  So the copy is made between
 * two looks at the size and the change time: neither moved, and the
 * size covers the run, it is what the segment held.  Else the next
 * look tells the size, and the bytes then.  A hole's run is zeros that
 * were never read: it was a hole when the walk asked, perhaps of a
 * segment cut short since and grown again, so the hole is asked for
 * again between the two looks.
 */
static int
take_run(struct compare *k, size_t to, const unsigned char *now, size_t n,
    bool hole, const unsigned char **run)
{
	struct change *c = k->c;
	struct timespec t1, t2;
	uint64_t size1, size2;
	unsigned char *p;
	bool held;
	int rc;

	*run = NULL;
	if (n > c->run_cap) {
		if ((p = realloc(c->run, n)) == NULL)
			return shm_perror(k->seg->name);
		c->run = p;
		c->run_cap = n;
	}
	if ((rc = size_and_ctime(k, &size1, &t1)) != SHM_OK)
		return rc;
	memcpy(c->run, now, n);
	held = !hole || still_hole(k, to - n, to);
	if ((rc = size_and_ctime(k, &size2, &t2)) != SHM_OK)
		return rc;
	if (held && size1 == size2 && t1.tv_sec == t2.tv_sec &&
	    t1.tv_nsec == t2.tv_nsec && size2 >= c->off + to)
		*run = c->run;
	return SHM_OK;
}

/* Hands the runs in the copied run at `at` to emit, into the copy. */
static int
emit_runs(struct compare *k, size_t at, const unsigned char *run, size_t n)
{
	struct change *c = k->c;
	size_t from = 0, to;
	int rc;

	while (next_run(run, c->was + at, n, &from, &to)) {
		k->differs = true;
		if ((rc = c->emit(c->ctx, at + from, c->was + at + from,
		    run + from, to - from)) != SHM_OK)
			return rc;
		memcpy(c->was + at + from, run + from, to - from);
		from = to;
	}
	return SHM_OK;
}

/*
 * The n bytes at now are the range's at `at` (zeros for a hole): hands
 * each run that differs from the copy to the caller's emit, then takes
 * it into the copy; without emit, notes the first and stops.
 */
static int
take_changes(struct compare *k, size_t at, const unsigned char *now,
    size_t n, bool hole)
{
	struct change *c = k->c;
	const unsigned char *run;
	size_t from = 0, to;
	int rc;

	if (c->emit == NULL) {
		k->differs = memcmp(now, c->was + at, n) != 0;
		return SHM_OK;
	}
	while (!k->stop && next_run(now, c->was + at, n, &from, &to)) {
		if ((rc = take_run(k, at + to, now + from, to - from, hole,
		    &run)) != SHM_OK)
			return rc;
		if (run == NULL)
			k->differs = k->stop = true;
		else if ((rc = emit_runs(k, at + from, run, to - from)) !=
		    SHM_OK)
			return rc;
		from = to;
	}
	return SHM_OK;
}

/* Copies or compares [at, end), which was data when last asked. */
static int
walk_data(struct compare *k, size_t at, size_t end)
{
	const unsigned char *now;
	size_t n;
	int rc;

	for (; at < end && !k->stop; at += n) {
		if ((rc = bytes_now(k, at, end, &now, &n)) != SHM_OK)
			return rc;
		if (k->copy)
			memcpy(k->c->was + at, now, n);
		else if (n == 0)
			k->differs = k->stop = true;
		else if ((rc = take_changes(k, at, now, n, false)) != SHM_OK)
			return rc;
		k->stop = k->stop || (k->differs && k->c->emit == NULL);
	}
	return SHM_OK;
}

/* [at, hole_end) is a hole now: it reads as zeros. */
static int
walk_hole(struct compare *k, size_t at, size_t hole_end)
{
	const unsigned char *zeros;
	size_t n;
	int rc;

	if (k->copy) {
		memset(k->c->was + at, 0, hole_end - at);
		return SHM_OK;
	}
	if (k->c->emit == NULL) {
		k->stop = k->differs = !all_zero(k->c->was + at, hole_end - at);
		return SHM_OK;
	}
	for (; at < hole_end; at += n) {
		zeros = segment_zeros(&n);
		n = shm_min(n, hole_end - at);
		if ((rc = take_changes(k, at, zeros, n, true)) != SHM_OK)
			return rc;
	}
	return SHM_OK;
}

static int
compare_range(void *arg)
{
	struct compare *k = arg;
	size_t at = k->from, end, hole_end = 0;
	int rc = SHM_OK;

	while (at < k->to && !k->stop && rc == SHM_OK) {
		if ((end = data_end(k, at, &hole_end)) == 0)
			rc = walk_hole(k, at, hole_end);
		else
			rc = walk_data(k, at, end);
		at = end == 0 ? hole_end : end;
	}
	return rc;
}

/* The first copy: a fault there (cut short already) is an error. */
static int
copy(struct change *c, struct segment *seg)
{
	struct compare k = { c, seg, 0, c->len, true, false, false };

	return segment_guard(seg, compare_range, &k);
}

/*
 * Compares [from, to): a page gone from the mapping (the segment cut
 * short since its size was looked at) is a change.
 */
static int
compare(struct change *c, struct segment *seg, size_t from,
    size_t to, bool *differs)
{
	struct compare k = { c, seg, from, to, false, false, false };
	int rc;

	rc = segment_guard_quiet(seg, compare_range, &k);
	*differs = rc == GUARD_FAULT || k.differs;
	return rc == GUARD_FAULT ? SHM_OK : rc;
}

/* The next step, from where the last one stopped, round to the start. */
static int
compare_step(struct change *c, struct segment *seg, bool *differs)
{
	size_t from = c->next, to;

	to = c->len - from > CHANGE_STEP ? from + CHANGE_STEP : c->len;
	c->next = to == c->len ? 0 : to;
	return compare(c, seg, from, to, differs);
}

int
change_resize(struct change *c, struct segment *seg)
{
	uint64_t n = shm_min(inside(c, seg->size), CHANGE_RANGE_MAX);
	unsigned char *p;

	c->size = seg->size;
	if (n == c->len)
		return SHM_OK;
	window_unmap(&c->map);
	if ((p = realloc(c->was, (size_t)n + 1)) == NULL)
		return shm_perror(seg->name);
	c->was = p;
	if (n > c->len)
		memset(c->was + c->len, 0, (size_t)n - c->len);
	c->len = (size_t)n;
	c->next = 0;
	c->data_from = c->data_to = 0;
	if (SHM_LINUX)
		return segment_map(seg, c->off, c->len, &c->map);
	return SHM_OK;
}

bool
change_resized(const struct change *c, uint64_t size)
{
	return c->end == c->off ? size != c->size :
	    shm_min(inside(c, size), CHANGE_RANGE_MAX) != c->len;
}

/* The name, and the size with it: one system call for both. */
static bool
renamed_or_resized(const struct change *c, struct segment *seg)
{
	if (segment_check_name(seg) != SEGMENT_NAMED)
		return true;
	return change_resized(c, seg->size);
}

int
change_look(struct change *c, struct segment *seg, unsigned how,
    bool *changed)
{
	if ((*changed = (how & LOOK_NAME) && renamed_or_resized(c, seg)))
		return SHM_OK;
	if (c->len == 0 || (how & (LOOK_STEP | LOOK_ALL)) == 0)
		return SHM_OK;
	if ((how & LOOK_ALL) == 0)
		return compare_step(c, seg, changed);
	/* A write may have punched a hole: ask again. */
	c->data_from = c->data_to = 0;
	return compare(c, seg, 0, c->len, changed);
}

unsigned
change_how(unsigned what, bool rarely, const struct segment_notify *n,
    struct timespec *named)
{
	unsigned how = LOOK_NAME;

	if (what & REPORT_WRITTEN)
		how |= LOOK_ALL;
	else if (what == REPORT_NONE && !rarely)
		how |= LOOK_STEP;
	if (what == REPORT_NONE && !rarely && segment_notified(n) &&
	    shm_seconds_since(named) < 1)
		how &= ~(unsigned)LOOK_NAME;
	if (how & LOOK_NAME)
		clock_gettime(CLOCK_MONOTONIC, named);
	return how;
}

void
change_free(struct change *c)
{
	window_unmap(&c->map);
	free(c->was);
	free(c->buf);
	free(c->run);
	memset(c, 0, sizeof(*c));
}
