/* payload.c - what a write writes, wherever it comes from */
#include <string.h>

#include "payload.h"
#include "shm.h"

static void
payload_init(struct payload *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->in.fd = -1;
	stage_init(&pl->stream);
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
	rc = stage_read(seg, &pl->stream, &pl->in, limit);
	pl->len = pl->stream.len;
	return rc;
}

int
payload_read_on(struct payload *pl, struct segment *seg, uint64_t room)
{
	int rc;

	if (!payload_has_more(pl) || pl->stream.len > room)
		return SHM_OK;
	rc = stage_read(seg, &pl->stream, &pl->in, room);
	pl->len = pl->stream.len;
	return rc;
}

bool
payload_has_more(const struct payload *pl)
{
	return is_stream(pl) && !pl->stream.eof;
}

int
payload_store(struct payload *pl, struct segment *seg, uint64_t off)
{
	uint64_t old = seg->size;
	int rc;

	/*
	 * Claim the space first: a full tmpfs then fails before any byte.
	 * A file claims that of its data only, as its holes stay holes.
	 */
	if (pl->buf == NULL && !is_stream(pl) && pl->len > 0) {
		rc = segment_copy_in_sparse(seg, off, pl->in.fd, pl->in.name,
		    pl->len);
	} else if ((rc = segment_reserve(seg, off, pl->len)) != SHM_OK)
		goto out;
	else if (is_stream(pl))
		rc = stage_write(seg, &pl->stream, off);
	else
		rc = segment_write(seg, off, pl->buf, (size_t)pl->len);
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
	stage_free(&pl->stream);
	input_close(&pl->in);
}
