/*
 * stream.c - a write from a pipe, all of it or nothing.
 *
 * A pipe's length is known only at its end, yet a write must fit whole
 * or change nothing, and memory must stay bounded whatever the length.
 * A small stream (most are) is read into memory before the lock is
 * taken, so a slow producer keeps no writer waiting.  A larger one is
 * written as it comes, under the lock, and what each piece overwrites
 * is kept first (undo.c); too long a stream, an error or an interrupt
 * puts it back.
 *
 * Measured with 1 GiB into an existing object, against cat > /dev/shm/x:
 * reading the whole stream into a file first and copying it in after
 * took 3 times as long, as every byte was written twice and the second
 * copy could start only at the end.  The undo copy is made on the other
 * core while this one copies the pipe in, and is only as large as the
 * data overwritten: nothing at all past the end or over holes.
 */
#define _GNU_SOURCE		/* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "interrupt.h"
#include "port.h"
#include "shm.h"
#include "stream.h"
#include "undo.h"

/* Kept in memory up to here; a larger stream is written as it comes. */
#define STREAM_MEMORY	(1U << 20)
/* Kept, then written, at a time: how soon an interrupt is seen. */
#define STREAM_PIECE	(1U << 20)
/*
 * A pipe this large lets the producer run ahead while a piece is
 * saved; at 64 KiB the two took turns.  Linux's default limit for
 * anyone (fs.pipe-max-size); refused, the pipe stays as it was.
 */
#define STREAM_PIPE	(1 << 20)

void
stream_init(struct stream *st)
{
	st->buf = NULL;
	st->buffered = 0;
	st->len = 0;
	st->eof = false;
	st->too_long = false;
}

static int
stopped(const struct input *in, const struct stream *st)
{
	return shm_error(in->name, "interrupted by %s after reading %llu "
	    "bytes; nothing written", interrupt_name(),
	    (unsigned long long)st->len);
}

int
stream_read(struct stream *st, struct input *in, uint64_t limit)
{
	ssize_t n;

	if (st->buf == NULL && (st->buf = malloc(STREAM_MEMORY)) == NULL)
		return shm_perror(in->name);
	while (!st->eof && st->len <= limit && st->buffered < STREAM_MEMORY) {
		if (interrupt_caught())
			return stopped(in, st);
		n = read(in->fd, st->buf + st->buffered,
		    STREAM_MEMORY - st->buffered);
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

/* Whether the stream has another byte: then it is too long. */
static int
one_more(struct stream *st, struct input *in)
{
	unsigned char c;
	ssize_t n;

	while ((n = read(in->fd, &c, 1)) < 0 && errno == EINTR &&
	    !interrupt_caught())
		;
	if (n < 0)
		return interrupt_caught() ? stopped(in, st) :
		    shm_perror(in->name);
	st->too_long = n > 0;
	st->eof = n == 0;
	return st->too_long ? SHM_FAIL : SHM_OK;
}

/* The rest of the stream, a piece at a time, each kept before it goes. */
static int
write_on(struct segment *seg, struct stream *st, struct input *in,
    struct undo *u, uint64_t off, uint64_t room)
{
	uint64_t copied = st->len, upto;
	int rc;

#if SHM_LINUX && defined(F_SETPIPE_SZ)
	(void)fcntl(in->fd, F_SETPIPE_SZ, STREAM_PIPE);
#endif
	for (;;) {
		if (interrupt_caught())
			return stopped(in, st);
		if (copied == room)
			return one_more(st, in);
		upto = room - copied < STREAM_PIECE ? room : copied +
		    STREAM_PIECE;
		if ((rc = undo_keep(u, off + upto)) != SHM_OK ||
		    (rc = segment_copy_stream(seg, off, in->fd, in->name,
		    upto, &copied)) != SHM_OK)
			return rc;
		st->len = copied;
		/* Short of upto: the stream's end, or an interrupt. */
		if (copied < upto && !interrupt_caught()) {
			st->eof = true;
			return SHM_OK;
		}
	}
}

int
stream_write(struct segment *seg, struct stream *st, struct input *in,
    uint64_t off, uint64_t room)
{
	struct undo *u;
	int rc;

	if (st->len > room) {
		st->too_long = true;
		return SHM_FAIL;
	}
	if (st->eof)
		return segment_write(seg, off, st->buf, st->buffered);
	if ((u = undo_begin(seg, off)) == NULL)
		return SHM_FAIL;
	if ((rc = undo_keep(u, off + st->buffered)) == SHM_OK &&
	    (rc = segment_write(seg, off, st->buf, st->buffered)) == SHM_OK)
		rc = write_on(seg, st, in, u, off, room);
	if (rc != SHM_OK)
		undo_put_back(u);
	undo_end(u);
	return rc;
}

void
stream_free(struct stream *st)
{
	free(st->buf);
	stream_init(st);
}
