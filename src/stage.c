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
#define _GNU_SOURCE		/* splice */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "interrupt.h"
#include "shm.h"
#include "stage.h"

/* Kept in memory up to here; a larger stream goes to the file. */
#define STAGE_MEMORY	(1U << 20)
/* splice_on's answer when the input is not a pipe. */
#define TRY_BUFFER	(-1)

void
stage_init(struct stage *st)
{
	st->buf = NULL;
	st->buffered = 0;
	st->fd = -1;
	st->len = 0;
	st->eof = false;
	st->no_splice = false;
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

static int
stopped(const struct input *in, const struct stage *st)
{
	return shm_error(in->name, "interrupted by %s after reading %llu "
	    "bytes; nothing written", interrupt_name(),
	    (unsigned long long)st->len);
}

/* Reads into the buffer until it is full, the stream ends or is too long. */
static int
read_some(struct stage *st, struct input *in, uint64_t limit)
{
	ssize_t n;

	while (!st->eof && st->len <= limit && st->buffered < STAGE_MEMORY) {
		if (interrupt_caught())
			return stopped(in, st);
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
	return SHM_OK;
}

static ssize_t
splice_piece(int in, int out, size_t len)
{
#ifdef __linux__
	return splice(in, NULL, out, NULL, len, SPLICE_F_MOVE);
#else
	(void)in, (void)out, (void)len;
	errno = EINVAL;
	return -1;
#endif
}

/*
 * Once spilled, a pipe goes on into the file by splice(2): one copy in
 * the kernel instead of a read and a write.  TRY_BUFFER, with no
 * message, where the input is no pipe.
 */
static int
splice_on(struct stage *st, struct input *in, uint64_t limit)
{
	bool first = true;
	ssize_t n;

	while (!st->eof && st->len <= limit) {
		if (interrupt_caught())
			return stopped(in, st);
		n = splice_piece(in->fd, st->fd, STAGE_MEMORY);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && first && (errno == EINVAL || errno == ENOSYS))
			return TRY_BUFFER;
		if (n < 0)
			return shm_perror(in->name);
		first = false;
		st->eof = n == 0;
		st->len += (uint64_t)n;
	}
	return SHM_OK;
}

int
stage_read(struct segment *seg, struct stage *st, struct input *in,
    uint64_t limit)
{
	int rc;

	if (st->buf == NULL && (st->buf = malloc(STAGE_MEMORY)) == NULL)
		return shm_perror(in->name);
	for (;;) {
		if ((rc = read_some(st, in, limit)) != SHM_OK)
			return rc;
		if (st->eof || st->len > limit)
			break;
		if ((rc = spill(seg, st, in->name)) != SHM_OK)
			return rc;
		if (!st->no_splice &&
		    (rc = splice_on(st, in, limit)) != TRY_BUFFER)
			return rc;
		st->no_splice = true;
	}
	/* Once spilled, the file holds it all: the copy in is one piece. */
	return st->fd >= 0 && st->buffered > 0 ? spill(seg, st, in->name) :
	    SHM_OK;
}

/*
 * From the file by pread and pwrite, a buffer at a time.  Not through
 * a mapping of it, which measured slower and counts the whole file in
 * our resident set; not by copy_file_range, which between two tmpfs
 * files ran at half the speed of the two copies here.
 */
int
stage_write(struct segment *seg, struct stage *st, uint64_t off)
{
	uint64_t copied;

	if (st->fd < 0)
		return segment_write(seg, off, st->buf, st->buffered);
	if (lseek(st->fd, 0, SEEK_SET) != 0)
		return shm_perror(seg->name);
	return segment_copy_stream(seg, off, st->fd, "the stream set aside",
	    UINT64_MAX, &copied);
}

void
stage_free(struct stage *st)
{
	free(st->buf);
	if (st->fd >= 0)
		close(st->fd);
	stage_init(st);
}
