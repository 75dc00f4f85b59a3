/*
 * change.c - what counts as a change of a range, for wait --change.
 *
 * A script loops on "wait --change; read", so every way the range can
 * stop being what the read saw is a change, seen without a lock (a look
 * never waits for one): a byte of it different; the segment grown into
 * it, or past it when it runs to the end, or cut short inside it (an
 * empty range, -n 0, watches the size alone); and NAME removed or
 * naming another segment, after which the next read reads that.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/change.h"
#include "util/shm.h"

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
	if ((c->was = malloc(2 * c->len + 1)) == NULL)
		return shm_perror(seg->name);
	c->now = c->was + c->len;
	return segment_read_all(seg, c->off, c->was, c->len);
}

int
change_look(const struct change *c, struct segment *seg, bool *changed)
{
	size_t got;
	int rc;

	*changed = true;
	/* Its size too, in the same look: one system call for both. */
	if (segment_check_name(seg) != SEGMENT_NAMED)
		return SHM_OK;
	if (c->end == c->off ? seg->size != c->size :
	    inside(c, seg->size) != c->len)
		return SHM_OK;
	if ((rc = segment_read(seg, c->off, c->now, c->len, &got)) != SHM_OK)
		return rc;
	*changed = got < c->len || memcmp(c->was, c->now, c->len) != 0;
	return SHM_OK;
}

void
change_free(struct change *c)
{
	free(c->was);
	memset(c, 0, sizeof(*c));
}
