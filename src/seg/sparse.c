/*
 * sparse.c - copies that keep holes.
 *
 * A sparse file of 2 GiB that holds 4 KiB of data is 4 KiB of disk; a
 * copy that writes its holes out as zeros makes it 2 GiB of memory in
 * /dev/shm.  These copies walk the source's extents (SEEK_DATA and
 * SEEK_HOLE) and copy only its data: a hole becomes a hole, punched
 * where the target held data, so that it reads as zeros as it should.
 */
#define _GNU_SOURCE		/* fallocate, SEEK_DATA */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "seg/backend.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

/*
 * The first data extent of fd in [pos, end): [*data, *hole).  False if
 * there is none.  Where the file system cannot tell, all is data.
 */
static bool
next_data(int fd, uint64_t pos, uint64_t end, uint64_t *data, uint64_t *hole)
{
#if SHM_LINUX && defined(SEEK_DATA)
	/*
	 * Past SEGMENT_SIZE_MAX tmpfs misreports data: none of its answers
	 * from up there is taken, and all is data there.
	 */
	off_t d = pos >= SEGMENT_SIZE_MAX ? (off_t)pos :
	    lseek(fd, (off_t)pos, SEEK_DATA), h;

	if (d < 0 && errno == ENXIO && end <= SEGMENT_SIZE_MAX)
		return false;
	if (d < 0 && errno == ENXIO)
		d = (off_t)SEGMENT_SIZE_MAX;
	else if (d < 0)
		d = (off_t)pos;
	else if ((uint64_t)d > SEGMENT_SIZE_MAX && pos < SEGMENT_SIZE_MAX)
		d = (off_t)SEGMENT_SIZE_MAX;
	if ((uint64_t)d >= end)
		return false;
	h = (uint64_t)d >= SEGMENT_SIZE_MAX ? -1 : lseek(fd, d, SEEK_HOLE);
	*data = (uint64_t)d;
	*hole = h < 0 || (uint64_t)h > end || (uint64_t)h > SEGMENT_SIZE_MAX ?
	    end : (uint64_t)h;
#else
	(void)fd;
	*data = pos;
	*hole = end;
#endif
	return pos < end;
}

bool
fd_next_data(const struct segment *seg, uint64_t pos, uint64_t end,
    uint64_t *data, uint64_t *hole)
{
	return next_data(seg->fd, pos, end, data, hole);
}

/* TRY_NEXT where the file system makes no holes. */
int
fd_punch(struct segment *seg, uint64_t off, uint64_t len)
{
#if SHM_LINUX && defined(FALLOC_FL_PUNCH_HOLE)
	if (fallocate(seg->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    (off_t)off, (off_t)len) == 0)
		return SHM_OK;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return shm_errno(seg->name, "cannot clear %llu bytes at offset "
		    "%llu", (unsigned long long)len, (unsigned long long)off);
#else
	(void)seg, (void)off, (void)len;
#endif
	return TRY_NEXT;
}

/* A hole in the segment at [off, off+len), within its size. */
int
segment_punch(struct segment *seg, uint64_t off, uint64_t len)
{
	const unsigned char *zeros;
	size_t n, most;
	int rc;

	if ((len = segment_clamp(seg, off, len)) == 0)
		return SHM_OK;
	if ((rc = seg->ops->punch(seg, off, len)) != TRY_NEXT)
		return rc;
	/* No holes to be had: zeros, as the hole reads. */
	zeros = segment_zeros(&most);
	for (; len > 0; off += n, len -= n) {
		n = len < most ? (size_t)len : most;
		if ((rc = segment_write(seg, off, zeros, n)) != SHM_OK)
			return rc;
	}
	return SHM_OK;
}

/* Claims the space of every data extent, so a full disk fails first. */
static int
reserve_data(struct segment *seg, uint64_t off, int fd, uint64_t start,
    uint64_t len)
{
	uint64_t pos = start, data, hole;
	int rc;

	while (next_data(fd, pos, start + len, &data, &hole)) {
		if ((rc = segment_reserve(seg, off + (data - start),
		    hole - data)) != SHM_OK)
			return rc;
		pos = hole;
	}
	return SHM_OK;
}

int
segment_copy_in_sparse(struct segment *seg, uint64_t off, int fd,
    const char *fdname, uint64_t len)
{
	uint64_t start, pos, data, hole;
	off_t cur = lseek(fd, 0, SEEK_CUR);
	int rc;

	if (cur < 0)
		return shm_perror(fdname);
	start = pos = (uint64_t)cur;
	if ((rc = reserve_data(seg, off, fd, start, len)) != SHM_OK)
		return rc;
	while (next_data(fd, pos, start + len, &data, &hole)) {
		if ((rc = segment_punch(seg, off + (pos - start),
		    data - pos)) != SHM_OK)
			return rc;
		if (lseek(fd, (off_t)data, SEEK_SET) < 0)
			return shm_perror(fdname);
		if ((rc = segment_copy_in(seg, off + (data - start), fd,
		    fdname, hole - data)) != SHM_OK)
			return rc;
		pos = hole;
	}
	return segment_punch(seg, off + (pos - start), start + len - pos);
}

/*
 * Whether the len bytes written to fd from its offset on may leave holes:
 * a regular file, not appending, with nothing of its own from there on.
 */
static bool
can_leave_holes(int fd, uint64_t *base)
{
	struct stat st;
	off_t cur;
	int fl;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (fl = fcntl(fd, F_GETFL)) < 0 || (fl & O_APPEND) ||
	    (cur = lseek(fd, 0, SEEK_CUR)) < 0 || cur < st.st_size)
		return false;
	*base = (uint64_t)cur;
	return true;
}

int
segment_copy_out_sparse(struct segment *seg, uint64_t off, uint64_t len,
    int fd, const char *fdname, uint64_t *copied)
{
	uint64_t base, pos = off, data, hole, n;
	int rc;

	*copied = 0;
	if (!can_leave_holes(fd, &base))
		return segment_copy_out(seg, off, len, fd, fdname, copied);
	while (seg->ops->next_data(seg, pos, off + len, &data, &hole)) {
		if (lseek(fd, (off_t)(base + (data - off)), SEEK_SET) < 0)
			return shm_perror(fdname);
		rc = segment_copy_out(seg, data, hole - data, fd, fdname, &n);
		*copied = data - off + n;
		if (rc != SHM_OK || n < hole - data)
			return rc;
		pos = hole;
	}
	/* The last hole, if any: the file's size says it. */
	*copied = len;
	if (ftruncate(fd, (off_t)(base + len)) != 0)
		return shm_perror(fdname);
	return lseek(fd, (off_t)(base + len), SEEK_SET) < 0 ?
	    shm_perror(fdname) : SHM_OK;
}
