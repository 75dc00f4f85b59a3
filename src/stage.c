/*
 * stage.c - streams read whole before they are written.
 *
 * A pipe's length is known only at its end, and a write must fit whole
 * or change nothing, so the stream is read before the segment is
 * touched: into memory while it is small (most writes are), then into
 * a file with no name on the segment's own file system, so that memory
 * stays bounded whatever the length and the copy into the segment is
 * the kernel's.  The file vanishes with its descriptor, on every way
 * out, SIGKILL included.  Reading happens before the lock is taken, so
 * a slow producer keeps no other writer waiting.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "interrupt.h"
#include "shm.h"
#include "stage.h"

/* Kept in memory up to here; a larger stream goes to the file. */
#define STAGE_MEMORY	(1U << 20)

void
stage_init(struct stage *st)
{
	st->buf = NULL;
	st->buffered = 0;
	st->fd = -1;
	st->len = 0;
	st->eof = false;
}

/* The buffer is full: move it to the scratch file, which takes the rest. */
static int
spill(struct segment *seg, struct stage *st, const char *name)
{
	if (st->fd < 0 && (st->fd = segment_scratch(seg)) < 0)
		return shm_errno(seg->name, "cannot set %s aside", name);
	if (shm_write_all(st->fd, st->buf, st->buffered) != 0)
		return shm_errno(seg->name, "cannot set %s aside after %llu "
		    "bytes", name, (unsigned long long)st->len);
	st->buffered = 0;
	return SHM_OK;
}

int
stage_read(struct segment *seg, struct stage *st, struct input *in,
    uint64_t limit)
{
	ssize_t n;
	int rc;

	if (st->buf == NULL && (st->buf = malloc(STAGE_MEMORY)) == NULL)
		return shm_perror(in->name);
	while (!st->eof && st->len <= limit) {
		if (interrupt_caught())
			return shm_error(in->name, "interrupted by %s after "
			    "reading %llu bytes; nothing written",
			    interrupt_name(), (unsigned long long)st->len);
		if (st->buffered == STAGE_MEMORY &&
		    (rc = spill(seg, st, in->name)) != SHM_OK)
			return rc;
		n = read(in->fd, st->buf + st->buffered,
		    STAGE_MEMORY - st->buffered);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return shm_perror(in->name);
		st->eof = n == 0;
		st->buffered += (size_t)n;
		st->len += (uint64_t)n;
	}
	/* Once spilled, the file holds it all: the copy in is one piece. */
	return st->fd >= 0 && st->buffered > 0 ? spill(seg, st, in->name) :
	    SHM_OK;
}

int
stage_write(struct segment *seg, struct stage *st, uint64_t off)
{
	if (st->fd < 0)
		return segment_write(seg, off, st->buf, st->buffered);
	if (lseek(st->fd, 0, SEEK_SET) != 0)
		return shm_perror(seg->name);
	return segment_copy_in(seg, off, st->fd, "the stream set aside",
	    st->len);
}

void
stage_free(struct stage *st)
{
	free(st->buf);
	if (st->fd >= 0)
		close(st->fd);
	stage_init(st);
}
