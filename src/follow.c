/*
 * follow.c - copying what a segment gains, as it gains it.
 *
 * The segment's size is looked at every millisecond (watch.h); what is
 * new is copied under the shared lock, or the exclusive one when a
 * cursor moves with it, and the lock is let go between looks, so that
 * writers are never kept waiting by a follower that has nothing to do.
 */
#include <sys/stat.h>

#include <poll.h>
#include <signal.h>
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

/* Copies [*pos, end) under the lock; true in *more if bytes came. */
static int
copy_new(struct segment *seg, uint64_t *pos, struct cursor *cur, bool *more)
{
	uint64_t copied;
	int rc;

	*more = false;
	if ((rc = segment_lock(seg, cur != NULL)) != SHM_OK)
		return rc;
	/* Cut short under us: go on from the new end, as tail -f does. */
	if (seg->size < *pos)
		*pos = seg->size;
	if (seg->size > *pos) {
		rc = segment_copy_out(seg, *pos, seg->size - *pos,
		    STDOUT_FILENO, "standard output", &copied);
		*pos += copied;
		*more = copied > 0;
		if (rc == SHM_OK && cur != NULL)
			rc = cursor_save(cur, *pos);
	}
	if (segment_unlock(seg) != SHM_OK)
		rc = SHM_FAIL;
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
