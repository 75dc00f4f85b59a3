/*
 * follow.c - copying what a segment gains, as it gains it.
 *
 * The segment's size is looked at every millisecond (watch.h), and
 * what is new is copied a piece at a time, each piece read under the
 * shared lock and written out without it: writers are never kept
 * waiting by a follower, whether it has nothing to do or its reader
 * has stopped reading.
 */
#include <sys/stat.h>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "follow.h"
#include "shm.h"
#include "watch.h"

/* NAME now names another file, or none: the one followed is done. */
static bool
gone(const struct segment *seg)
{
	struct stat st;

	return stat(seg->path, &st) != 0 || st.st_ino != seg->st.st_ino ||
	    st.st_dev != seg->st.st_dev;
}

/* The reader of a pipe on standard output has gone away. */
static bool
reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/* Read and written a piece at a time, with the lock let go between. */
#define FOLLOW_CHUNK	(1U << 20)

/* The cursor follows what was copied; moving it takes the lock. */
static int
save_cursor(struct segment *seg, struct cursor *cur, uint64_t pos)
{
	int rc;

	if (cur == NULL)
		return SHM_OK;
	if ((rc = segment_lock(seg, true)) != SHM_OK)
		return rc;
	rc = cursor_save(cur, pos);
	return segment_unlock(seg) == SHM_OK ? rc : SHM_FAIL;
}

/*
 * Copies one piece of what is new: read under the shared lock, written
 * out after it is let go, so that a reader stalled on a full pipe keeps
 * no writer waiting.  *got is 0 when there was nothing new.
 */
static int
copy_piece(struct segment *seg, uint64_t *pos, struct cursor *cur,
    unsigned char *buf, size_t *got)
{
	uint64_t n;
	int rc;

	*got = 0;
	if ((rc = segment_lock(seg, false)) != SHM_OK)
		return rc;
	/* Cut short under us: go on from the new end, as tail -f does. */
	if (seg->size < *pos)
		*pos = seg->size;
	n = seg->size - *pos < FOLLOW_CHUNK ? seg->size - *pos : FOLLOW_CHUNK;
	rc = segment_read(seg, *pos, buf, (size_t)n, got);
	if (segment_unlock(seg) != SHM_OK || rc != SHM_OK)
		return SHM_FAIL;
	if (*got == 0)
		return SHM_OK;
	if (shm_write_all(STDOUT_FILENO, buf, *got) != 0)
		return shm_perror("standard output");
	*pos += *got;
	return save_cursor(seg, cur, *pos);
}

/* Copies all that is new; *more if anything was. */
static int
copy_new(struct segment *seg, uint64_t *pos, struct cursor *cur, bool *more)
{
	unsigned char *buf = malloc(FOLLOW_CHUNK);
	size_t got = 0;
	int rc;

	*more = false;
	if (buf == NULL)
		return shm_perror(seg->name);
	do {
		rc = copy_piece(seg, pos, cur, buf, &got);
		*more = *more || got > 0;
	} while (rc == SHM_OK && got > 0);
	free(buf);
	return rc;
}

int
follow(struct segment *seg, uint64_t off, struct cursor *cur,
    double timeout)
{
	struct watch w;
	bool more;
	int rc;

	watch_start(&w, timeout);
	for (;;) {
		if ((rc = copy_new(seg, &off, cur, &more)) != SHM_OK)
			return rc;
		/* --timeout counts from the last bytes that came. */
		if (more)
			watch_start(&w, timeout);
		if (gone(seg))
			return copy_new(seg, &off, cur, &more);
		if (reader_gone())
			return raise(SIGPIPE), SHM_FAIL;
		if (!watch_sleep(&w))
			return SHM_NOMATCH;
	}
}
