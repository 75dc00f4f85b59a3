/*
 * open.c - opening a segment NAME names, and closing it.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "seg/layer.h"
#include "seg/lock.h"
#include "seg/map.h"
#include "seg/backend.h"
#include "util/shm.h"

int
segment_open_descriptor(const char *object, const char *path, int flags,
    mode_t mode)
{
	if (object[0] != '\0')
		return shm_open(object, flags, mode);
	return open(path, flags | O_CLOEXEC, mode);
}

static int
check_regular(struct segment *seg)
{
	int rc;

	if (fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	if ((rc = segment_check_type(seg->name, &seg->st)) != SHM_OK)
		return rc;
	seg->size = (uint64_t)seg->st.st_size;
	segment_read_birth(seg);
	return SHM_OK;
}

/*
 * What NAME is before it is opened: opening a device can act (a tape
 * rewinds, a watchdog arms), so one that is not a segment is refused
 * without being opened.  Objects are opened without following a
 * symlink, as shm_open does; paths follow them, as open does.  The
 * descriptor is checked again once open, for a file swapped meanwhile.
 */
static int
check_before_open(const struct segment *seg)
{
	struct stat st;
	int rc = seg->object[0] != '\0' ? lstat(seg->path, &st) :
	    stat(seg->path, &st);

	if (rc != 0)
		return SHM_OK;	/* open() says why, in its own words */
	return segment_check_type(seg->name, &st);
}

int
segment_open(struct segment *seg, const char *name, enum segment_access acc)
{
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
	return seg->ops->open(seg, acc);
}

int
fd_open(struct segment *seg, enum segment_access acc)
{
	int flags = acc == SEGMENT_WRITE ? O_RDWR : O_RDONLY;
	int rc;

	if ((rc = check_before_open(seg)) != SHM_OK)
		return rc;
	/* O_NONBLOCK: opening a FIFO must not hang before we refuse it. */
	seg->fd = segment_open_descriptor(seg->object, seg->path,
	    flags | O_NONBLOCK | O_NOCTTY, 0);
	if (seg->fd < 0)
		return segment_report_missing(seg);
	seg->writable = acc == SEGMENT_WRITE;
	/* Output into the segment itself would be read back as input. */
	if ((rc = check_regular(seg)) != SHM_OK ||
	    (rc = segment_distinct(seg, STDOUT_FILENO,
	    "standard output")) != SHM_OK) {
		segment_close(seg);
		return rc;
	}
	if (fcntl(seg->fd, F_SETFL, flags) != 0) {
		rc = shm_perror(seg->name);
		segment_close(seg);
		return rc;
	}
	return SHM_OK;
}

/* The unpublished copy is no longer ours to remove. */
void
segment_forget_temp(struct segment *seg)
{
	free(seg->temp);
	seg->temp = NULL;
}

/* A segment never resolved (all zeros) has nothing to close. */
void
segment_close(struct segment *seg)
{
	if (seg->ops != NULL)
		seg->ops->close(seg);
}

void
fd_close(struct segment *seg)
{
	if (seg->temp != NULL) {
		if (unlink(seg->temp) != 0 && errno != ENOENT)
			shm_errno(seg->temp, "cannot remove");
		segment_forget_temp(seg);
	}
	if (seg->lock.own)
		lock_release(&seg->lock, seg->name);
	if (seg->fd >= 0)
		close(seg->fd);
	seg->fd = -1;
}

int
segment_refresh(struct segment *seg)
{
	return seg->ops->refresh(seg);
}

int
fd_refresh(struct segment *seg)
{
	if (fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	seg->size = (uint64_t)seg->st.st_size;
	return SHM_OK;
}

int
fd_size_now(const struct segment *seg, uint64_t *size)
{
	struct stat st;

	if (fstat(seg->fd, &st) != 0)
		return shm_perror(seg->name);
	*size = (uint64_t)st.st_size;
	return SHM_OK;
}
