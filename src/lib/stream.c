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

#include "util/interrupt.h"
#include "util/port.h"
#include "util/shm.h"
#include "lib/stream.h"
#include "seg/undo.h"

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

/* What a stream under way has not yet said: see stream_write. */
enum { SAID, STOPPED, NO_ROOM };

void
stream_init(struct stream *st)
{
	st->buf = NULL;
	st->buffered = 0;
	st->len = 0;
	st->eof = false;
	st->too_long = false;
	st->unsaid = SAID;
	st->need = 0;
}

/* Interrupted: said once it is known whether it was all put back. */
static int
stopped(const struct input *in, const struct stream *st, bool back)
{
	return shm_error(in->name, "interrupted by %s after reading %llu "
	    "bytes; %s", interrupt_name(), (unsigned long long)st->len,
	    back ? "nothing written" : "not all of it put back");
}

/* Stops, leaving the message for after the put-back. */
static int
halt(struct stream *st, int why)
{
	st->unsaid = why;
	return SHM_FAIL;
}

int
stream_read(struct stream *st, struct input *in, uint64_t limit)
{
	ssize_t n;

	if (st->buf == NULL && (st->buf = malloc(STREAM_MEMORY)) == NULL)
		return shm_perror(in->name);
	while (!st->eof && st->len <= limit && st->buffered < STREAM_MEMORY) {
		if (interrupt_caught())
			return stopped(in, st, true);
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

/* Whether the stream has another byte (read, and dropped). */
static int
peek_more(struct stream *st, struct input *in, bool *more)
{
	unsigned char c;
	ssize_t n;

	while ((n = read(in->fd, &c, 1)) < 0 && errno == EINTR &&
	    !interrupt_caught())
		;
	if (n < 0)
		return interrupt_caught() ? halt(st, STOPPED) :
		    shm_perror(in->name);
	*more = n > 0;
	st->eof = n == 0;
	return SHM_OK;
}

/* At the room's end: one byte more is one too many. */
static int
one_more(struct stream *st, struct input *in)
{
	bool more;
	int rc;

	if ((rc = peek_more(st, in, &more)) != SHM_OK)
		return rc;
	st->too_long = more;
	return more ? SHM_FAIL : SHM_OK;
}

/*
 * Nothing more could be kept: fine if the stream ends here (the keeping
 * ran ahead of it), else there is no room for its copy.
 */
static int
no_room(struct stream *st, struct input *in, uint64_t at)
{
	bool more;
	int rc;

	if ((rc = peek_more(st, in, &more)) != SHM_OK)
		return rc;
	st->need = at + 1;
	return more ? halt(st, NO_ROOM) : SHM_OK;
}

/* The rest of the stream, a piece at a time, each kept before it goes. */
static int
write_on(struct segment *seg, struct stream *st, struct input *in,
    struct undo *u, uint64_t off, uint64_t room)
{
	uint64_t copied = st->len, upto, safe;
	int rc;

#if SHM_LINUX && defined(F_SETPIPE_SZ)
	(void)fcntl(in->fd, F_SETPIPE_SZ, STREAM_PIPE);
#endif
	for (;;) {
		if (interrupt_caught())
			return halt(st, STOPPED);
		if (copied == room)
			return one_more(st, in);
		upto = room - copied < STREAM_PIECE ? room : copied +
		    STREAM_PIECE;
		if ((safe = undo_keep(u, off + upto)) <= off + copied)
			return no_room(st, in, off + copied);
		upto = safe - off;
		if ((rc = segment_copy_stream(seg, off, in->fd, in->name,
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

/* From memory: it cannot block, so a signal lets it finish. */
static int
write_memory(struct segment *seg, const struct stream *st, uint64_t off)
{
	int rc;

	interrupt_hold(true);
	rc = segment_write(seg, off, st->buf, st->buffered);
	interrupt_hold(false);
	return rc;
}

/* What was read before the lock, kept first. */
static int
write_buffered(struct segment *seg, struct stream *st, struct undo *u,
    uint64_t off)
{
	if (undo_keep(u, off + st->buffered) < off + st->buffered) {
		st->need = off + st->buffered;
		return halt(st, NO_ROOM);
	}
	return write_memory(seg, st, off);
}

/* Puts back what the stream overwrote, then says why, in one line. */
static int
put_back(struct stream *st, struct input *in, struct undo *u)
{
	bool back = undo_put_back(u) == SHM_OK;

	if (st->unsaid == STOPPED)
		return stopped(in, st, back);
	if (st->unsaid == NO_ROOM)
		return undo_fail(u, st->need);
	return SHM_FAIL;
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
		return write_memory(seg, st, off);
	if ((u = undo_begin(seg, off)) == NULL)
		return SHM_FAIL;
	if ((rc = write_buffered(seg, st, u, off)) == SHM_OK)
		rc = write_on(seg, st, in, u, off, room);
	if (rc != SHM_OK)
		rc = put_back(st, in, u);
	undo_end(u);
	return rc;
}

void
stream_free(struct stream *st)
{
	free(st->buf);
	stream_init(st);
}
