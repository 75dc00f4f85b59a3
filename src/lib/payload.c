/* payload.c - what a write writes, wherever it comes from */
#include <string.h>

#include "util/interrupt.h"
#include "lib/payload.h"
#include "util/shm.h"

static void
payload_init(struct payload *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->in.fd = -1;
	stream_init(&pl->stream);
}

void
payload_bytes(struct payload *pl, const void *buf, size_t len)
{
	payload_init(pl);
	pl->buf = buf;
	pl->len = len;
}

static bool
is_stream(const struct payload *pl)
{
	return pl->in.fd >= 0 && !pl->in.sized;
}

int
payload_open(struct payload *pl, struct segment *seg, const char *path,
    uint64_t limit)
{
	int rc;

	payload_init(pl);
	if ((rc = input_open(&pl->in, path)) != SHM_OK ||
	    (rc = segment_distinct(seg, pl->in.fd, pl->in.name)) != SHM_OK)
		return rc;
	pl->len = pl->in.len;
	if (pl->in.sized)
		return SHM_OK;
	rc = stream_read(&pl->stream, &pl->in, limit);
	pl->len = pl->stream.len;
	return rc;
}

/* How much may go at off: up to the end, or as far as a file grows. */
static uint64_t
room_at(const struct segment *seg, uint64_t off, bool grow)
{
	if (grow)
		return off < SEGMENT_SIZE_MAX ? SEGMENT_SIZE_MAX - off : 0;
	return seg->size - off;
}

/* A stream is read only until it is known not to fit. */
static int
does_not_fit(const struct payload *pl, const struct segment *seg,
    uint64_t off, bool grow)
{
	bool more = is_stream(pl) && !pl->stream.eof;

	if (grow)
		return shm_error(seg->name, "data too large");
	return shm_error(seg->name, "%s%llu bytes at offset %llu do not fit "
	    "in %llu bytes; nothing written (%s)",
	    more ? "more than " : "", (unsigned long long)(more ?
	    seg->size - off : pl->len), (unsigned long long)off,
	    (unsigned long long)seg->size, segment_fixed_size(seg) != NULL ?
	    segment_fixed_size(seg) : "--grow extends it");
}

int
payload_fits(struct payload *pl, struct segment *seg, uint64_t off,
    bool grow)
{
	uint64_t room = room_at(seg, off, grow);
	int rc;

	/* Grown since the stream was opened: read on, not a prefix. */
	if (is_stream(pl) && pl->len <= room &&
	    (rc = stream_read(&pl->stream, &pl->in, room)) != SHM_OK)
		return rc;
	if (is_stream(pl))
		pl->len = pl->stream.len;
	return pl->len <= room ? SHM_OK : does_not_fit(pl, seg, off, grow);
}

/*
 * A file of known length is copied in place, with no copy of what it
 * overwrites: stopped half-way it would leave half of it.  A signal
 * lets it finish instead (it cannot block on another process), and
 * kills us after.
 */
static int
finish_file(struct payload *pl, struct segment *seg, uint64_t off)
{
	int rc;

	interrupt_hold(true);
	rc = segment_copy_in_sparse(seg, off, pl->in.fd, pl->in.name,
	    pl->len);
	interrupt_hold(false);
	return rc;
}

int
payload_store(struct payload *pl, struct segment *seg, uint64_t off,
    bool grow)
{
	uint64_t old = seg->size;
	int rc;

	/*
	 * Claim the space first: a full tmpfs then fails before any byte.
	 * A file claims that of its data only, as its holes stay holes;
	 * a stream, what it has read so far.
	 */
	if (pl->buf == NULL && !is_stream(pl) && pl->len > 0) {
		rc = finish_file(pl, seg, off);
	} else if ((rc = segment_reserve(seg, off, pl->len)) != SHM_OK)
		goto out;
	else if (is_stream(pl)) {
		rc = stream_write(seg, &pl->stream, &pl->in, off,
		    room_at(seg, off, grow));
		pl->len = pl->stream.len;
		if (pl->stream.too_long)
			return does_not_fit(pl, seg, off, grow);
	} else {
		/* From memory: it cannot block, so a signal lets it finish. */
		interrupt_hold(true);
		rc = segment_write(seg, off, pl->buf, (size_t)pl->len);
		interrupt_hold(false);
	}
	if (rc == SHM_OK && off + pl->len > seg->size)
		rc = segment_resize(seg, off + pl->len);
out:
	/* A failed write leaves the size as it was (reserving extends it). */
	if (rc != SHM_OK)
		segment_restore_size(seg, old);
	return rc;
}

void
payload_free(struct payload *pl)
{
	stream_free(&pl->stream);
	input_close(&pl->in);
}
