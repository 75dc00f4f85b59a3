/*
 * records.c - a stream appended a record at a time, each whole.
 *
 * `producer | shm write NAME --append --lines` is one process for the
 * whole stream, where one --append a record starts one each time.  The
 * input is read with read(2) into a buffer and cut after the last
 * separator in it; what is complete is appended at once, never kept
 * waiting for more input.  The records complete in the buffer go under
 * one hold of the exclusive lock, in one write, and the lock is let go
 * before reading again, so other writers and a peer under fcntl.flock
 * come in between two records only, and a follower sees each record as
 * soon as it is read.
 *
 * Measured (2 cores, loaded), 100-byte records: one a read costs some
 * 60 us of CPU, 17 system calls, 11 of them lock.c's look at
 * /proc/self/fd before each flock; against 3 us for a write(2) with
 * O_APPEND.  A producer faster than that has its records read several
 * at a time, at a lock and a write for them all: 10,000 from Python
 * took 30 ms of CPU in 41 locks, and the whole pipeline the time of
 * the producer's own appends.
 *
 * Appending overwrites nothing, so a failure only has to cut the
 * segment back to the size it had, which takes away whatever part of
 * a record was written; the records before it stay, each its own
 * commit.  A record longer than the buffer is written as it comes,
 * under the lock, until its separator.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cursor.h"
#include "lib/input.h"
#include "lib/records.h"
#include "util/interrupt.h"
#include "util/shm.h"

/* A record up to this long waits for its end with no lock held. */
#define RECORDS_MEMORY	(1U << 20)

struct records {
	struct segment	*seg;
	struct input	 in;
	int		 sep;
	unsigned char	*buf;		/* RECORDS_MEMORY bytes */
	size_t		 start, end;	/* [start, end): read, not appended */
	size_t		 scanned;	/* no sep in [start, scanned) */
	bool		 eof;
	uint64_t	 read;		/* bytes read, all told */
	uint64_t	 count, bytes;	/* records appended, and their bytes */
};

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Said once the segment is as it stays; kills us after (main). */
static int
stopped(const struct records *r)
{
	return shm_error(r->seg->name, "interrupted by %s after appending "
	    "%llu record%s (%llu bytes); the %llu bytes read after them not "
	    "written", interrupt_name(), (unsigned long long)r->count,
	    plural(r->count), (unsigned long long)r->bytes,
	    (unsigned long long)(r->read - r->bytes));
}

/* After the line that says why the next record could not go. */
static int
failed(const struct records *r)
{
	return shm_error(r->seg->name, "record %llu not appended, nor any "
	    "after it; %llu record%s (%llu bytes) appended before it",
	    (unsigned long long)r->count + 1, (unsigned long long)r->count,
	    plural(r->count), (unsigned long long)r->bytes);
}

/*
 * More input after what is buffered.  An interrupt is quiet here: the
 * caller says so once the segment is as it will stay.
 */
static int
fill(struct records *r)
{
	ssize_t n;

	memmove(r->buf, r->buf + r->start, r->end - r->start);
	r->end -= r->start;
	r->scanned -= r->start;
	r->start = 0;
	for (;;) {
		if (interrupt_caught())
			return SHM_FAIL;
		n = read(r->in.fd, r->buf + r->end, RECORDS_MEMORY - r->end);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return shm_perror(r->in.name);
	}
	r->eof = n == 0;
	r->end += (size_t)n;
	r->read += (uint64_t)n;
	return SHM_OK;
}

/* The bytes of the records complete in the buffer; 0 if none is. */
static size_t
ready(struct records *r)
{
	size_t i = r->end;

	while (i > r->scanned && r->buf[i - 1] != r->sep)
		i--;
	r->scanned = r->end;
	return i > r->start && r->buf[i - 1] == r->sep ? i - r->start : 0;
}

/* Records in len bytes: one for each sep, and one for a last without. */
static uint64_t
count_records(const unsigned char *p, size_t len, int sep)
{
	const unsigned char *q, *end = p + len;
	uint64_t n = 0;

	for (; p < end && (q = memchr(p, sep, (size_t)(end - p))) != NULL;
	    p = q + 1)
		n++;
	return n + (p < end);
}

/*
 * Under the lock: len bytes at the end.  A write from memory cannot
 * block, so a signal lets it finish.  On failure, the segment is cut
 * back to what it was; quiet, no line is printed.
 */
static int
write_end(struct records *r, const unsigned char *p, size_t len,
    bool quiet)
{
	struct segment *seg = r->seg;
	struct error_line line = { .len = 0 };
	uint64_t off = seg->size;
	int rc;

	if (len > SEGMENT_SIZE_MAX - shm_min(off, SEGMENT_SIZE_MAX))
		return quiet ? SHM_FAIL : shm_error(seg->name, "%zu bytes at "
		    "offset %llu: more than a segment may hold (%llu)", len,
		    (unsigned long long)off,
		    (unsigned long long)SEGMENT_SIZE_MAX);
	interrupt_hold(true);
	if (quiet)
		shm_error_hold(&line);
	rc = segment_write(seg, off, p, len);
	if (rc == SHM_OK)
		rc = segment_resize(seg, off + len);
	if (rc != SHM_OK)
		segment_restore_size(seg, off);
	shm_error_hold(NULL);
	interrupt_hold(false);
	return rc;
}

/*
 * Under the lock: the len bytes of whole records at start, in one
 * write; if that fails, one record at a time, so that those that can
 * be appended are, and the line says why the next one cannot.
 */
static int
store(struct records *r, size_t len)
{
	const unsigned char *p = r->buf + r->start, *q;
	uint64_t n = count_records(p, len, r->sep);
	size_t one;

	if (n > 1 && write_end(r, p, len, true) == SHM_OK) {
		r->start += len;
		r->count += n;
		r->bytes += len;
		return SHM_OK;
	}
	while (len > 0) {
		q = memchr(p, r->sep, len);
		one = q != NULL ? (size_t)(q - p) + 1 : len;
		if (write_end(r, p, one, false) != SHM_OK)
			return SHM_FAIL;
		p += one;
		len -= one;
		r->start += one;
		r->count++;
		r->bytes += one;
	}
	return SHM_OK;
}

/*
 * The exclusive lock, unless a signal came first; if a signal made it
 * fail, its line is left to stopped(), which says more.
 */
static int
lock(struct records *r, char *was, size_t size)
{
	struct error_line line = { .len = 0 };
	int rc;

	if (interrupt_caught())
		return SHM_FAIL;
	shm_error_hold(&line);
	rc = segment_lock(r->seg, true);
	shm_error_hold(NULL);
	if (rc != SHM_OK) {
		if (!interrupt_caught())
			shm_error_print(&line);
		return rc;
	}
	segment_identity(r->seg, was, size);
	return SHM_OK;
}

/* Lets the lock go, and keeps the cursors up with the change. */
static int
unlock(struct records *r, const char *was, int rc)
{
	cursor_keep_up(r->seg, was);
	if (segment_unlock(r->seg) != SHM_OK)
		return SHM_FAIL;
	return rc;
}

static int
append_ready(struct records *r, size_t len)
{
	char was[64];
	int rc;

	if ((rc = lock(r, was, sizeof(was))) != SHM_OK)
		return rc;
	return unlock(r, was, store(r, len));
}

/*
 * Under the lock: a record longer than the buffer, a buffer at a time
 * as it comes, up to its separator or the end of the input.  Cut back
 * by the caller on failure.
 */
static int
stream_long(struct records *r, uint64_t off)
{
	const unsigned char *p, *q;
	size_t len;
	int rc;

	for (;;) {
		p = r->buf + r->start;
		len = r->end - r->start;
		if ((q = memchr(p, r->sep, len)) != NULL)
			len = (size_t)(q - p) + 1;
		if ((rc = write_end(r, p, len, false)) != SHM_OK)
			return rc;
		r->start += len;
		r->scanned = r->start;
		if (q != NULL || r->eof)
			break;
		if ((rc = fill(r)) != SHM_OK)
			return rc;
	}
	r->count++;
	r->bytes += r->seg->size - off;
	return SHM_OK;
}

static int
append_long(struct records *r)
{
	uint64_t off;
	char was[64];
	int rc;

	if ((rc = lock(r, was, sizeof(was))) != SHM_OK)
		return rc;
	off = r->seg->size;
	if ((rc = stream_long(r, off)) != SHM_OK) {
		interrupt_hold(true);
		segment_restore_size(r->seg, off);
		interrupt_hold(false);
	}
	return unlock(r, was, rc);
}

/* One step: what is complete, else more input, else the end. */
static int
step(struct records *r, bool *done)
{
	size_t len;

	if ((len = ready(r)) > 0)
		return append_ready(r, len);
	if (r->eof) {
		*done = true;
		return r->end > r->start ? append_ready(r, r->end - r->start) :
		    SHM_OK;
	}
	if (r->start == 0 && r->end == RECORDS_MEMORY)
		return append_long(r);
	return fill(r);
}

int
records_append(struct segment *seg, const char *path, int sep)
{
	struct records r = { .seg = seg, .sep = sep };
	bool done = false;
	int rc;

	r.in.fd = -1;
	if ((rc = segment_resizable(seg, "grow")) != SHM_OK ||
	    (rc = input_open(&r.in, path)) != SHM_OK ||
	    (rc = segment_distinct(seg, r.in.fd, r.in.name)) != SHM_OK)
		goto out;
	if ((r.buf = malloc(RECORDS_MEMORY)) == NULL) {
		rc = shm_perror(seg->name);
		goto out;
	}
	while (rc == SHM_OK && !done)
		rc = step(&r, &done);
	/* After the line that said why, if not a signal: how far it got. */
	if (rc != SHM_OK)
		rc = interrupt_caught() ? stopped(&r) : failed(&r);
out:
	free(r.buf);
	input_close(&r.in);
	return rc;
}
