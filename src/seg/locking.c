/*
 * locking.c - a segment's lock (over lock.c's flock machinery) and its
 * size, which only changes under the exclusive lock.
 */
#define _GNU_SOURCE		/* fallocate */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "seg/backend.h"
#include "util/interrupt.h"
#include "seg/lock.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

int
segment_lock_timed_out(const struct segment *seg, double timeout,
    bool from_env)
{
	char who[512];

	segment_lock_holders(seg, who, sizeof(who));
	return shm_error(seg->name, "lock not had within %g s%s%s%s",
	    timeout, from_env ? " (SHM_LOCK_TIMEOUT)" : "",
	    who[0] ? ": held by " : "", who);
}

int
segment_lock(struct segment *seg, bool exclusive)
{
	double timeout;
	int rc;

	if ((rc = segment_unlock(seg)) != SHM_OK ||
	    (rc = lock_env_timeout(&timeout)) != SHM_OK)
		return rc;
	rc = seg->ops->lock(seg, exclusive, timeout, LOCK_INNER_TAKE);
	if (rc == LOCK_TIMEOUT)
		return segment_lock_timed_out(seg, timeout, true);
	if (rc != SHM_OK)
		return rc;
	/*
	 * The last look before a change: a signal caught until now, while
	 * a stream was read or the lock was free, stops the command before
	 * its first byte; from here on, a change finishes or is put back.
	 */
	if (exclusive && interrupt_caught()) {
		(void)segment_unlock(seg);
		return shm_error(seg->name, "interrupted by %s; nothing "
		    "changed", interrupt_name());
	}
	return segment_refresh(seg);
}

int
segment_lock_if_free(struct segment *seg)
{
	int rc;

	if ((rc = segment_unlock(seg)) != SHM_OK)
		return rc;
	rc = seg->ops->lock(seg, false, 0, LOCK_INNER_TAKE);
	if (rc != SHM_OK && rc != LOCK_TIMEOUT)
		return rc;
	return segment_refresh(seg);
}

int
segment_hold_lock(struct segment *seg, bool exclusive, double timeout)
{
	int rc;

	/*
	 * Where record locks belong to the process (not SHM_LINUX), the
	 * commands run could not see one taken here: no inner lock then.
	 */
	rc = seg->ops->lock(seg, exclusive, timeout,
	    SHM_LINUX ? LOCK_INNER_HOLD : LOCK_INNER_NONE);
	if (rc != SHM_OK)
		return rc;
	return lock_pass_on(&seg->lock, &seg->st);
}

void
segment_lock_holders(const struct segment *seg, char *buf, size_t size)
{
	lock_holders(&seg->st, seg->lock.level, buf, size);
}

/* flock(2), through lock.c, which knows the levels of a lock. */
int
fd_lock(struct segment *seg, bool exclusive, double timeout,
    enum lock_inner how)
{
	return lock_acquire(&seg->lock, seg->fd, &seg->st, seg->name,
	    exclusive, timeout, how);
}

const char *
segment_fixed_size(const struct segment *seg)
{
	return seg->ops->fixed_size;
}

int
segment_resizable(const struct segment *seg, const char *what)
{
	if (seg->ops->fixed_size == NULL)
		return SHM_OK;
	return shm_error(seg->name, "%s (%llu bytes); it cannot %s",
	    seg->ops->fixed_size, (unsigned long long)seg->size, what);
}

int
segment_resize(struct segment *seg, uint64_t size)
{
	return seg->ops->resize(seg, size);
}

int
fd_resize(struct segment *seg, uint64_t size)
{
	if (size > SEGMENT_SIZE_MAX)
		return shm_error(seg->name, "%llu bytes: more than a segment "
		    "may hold (%llu)", (unsigned long long)size,
		    (unsigned long long)SEGMENT_SIZE_MAX);
	if (ftruncate(seg->fd, (off_t)size) != 0)
		return shm_errno(seg->name, "cannot resize to %llu bytes",
		    (unsigned long long)size);
	seg->size = size;
	return SHM_OK;
}

int
segment_unlock(struct segment *seg)
{
	/* A lock this one is inside was never its own to let go. */
	if (!seg->lock.held)
		return SHM_OK;
	return lock_release(&seg->lock, seg->name);
}

void
segment_restore_size(struct segment *seg, uint64_t size)
{
	seg->ops->restore_size(seg, size);
}

void
fd_restore_size(struct segment *seg, uint64_t size)
{
	struct stat st;

	if (fstat(seg->fd, &st) != 0 ||
	    (uint64_t)st.st_size <= size)
		return;
	if (ftruncate(seg->fd, (off_t)size) != 0)
		shm_errno(seg->name, "cannot restore its size of %llu bytes",
		    (unsigned long long)size);
	seg->size = size;
}

int
segment_reserve(struct segment *seg, uint64_t off, uint64_t len)
{
	return seg->ops->reserve(seg, off, len);
}

int
fd_reserve(struct segment *seg, uint64_t off, uint64_t len)
{
	int err;

	if (len == 0)
		return SHM_OK;
#if SHM_LINUX
	err = fallocate(seg->fd, 0, (off_t)off, (off_t)len) == 0 ? 0 : errno;
#else
	/* POSIX's, which answers with the error rather than errno. */
	err = posix_fallocate(seg->fd, (off_t)off, (off_t)len);
#endif
	/* A file system without it gets no guarantee, not an error. */
	if (err == 0 || err == EOPNOTSUPP || err == ENOSYS)
		return SHM_OK;
	errno = err;
	return shm_perror(seg->name);
}
