/*
 * segio.c - bulk copies in and out of a segment through its descriptor.
 *
 * One pass over fresh pages is cheaper with read/write than through a
 * mapping: the kernel copies straight into the page cache and skips a
 * page fault per 4 KiB page (on our machines a 1 GiB memcpy into a new
 * mapping paid some 530,000 faults, 7 s of system time; pwrite of the
 * same bytes ran at 3.5 GB/s).  Mappings are for random access.
 */
#define _GNU_SOURCE		/* copy_file_range, splice */
#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/interrupt.h"
#include "seg/map.h"
#include "util/port.h"
#include "seg/backend.h"
#include "util/shm.h"

/* Large enough to amortise the system call, small enough for cache. */
#define COPY_CHUNK	(1U << 20)
/* Per sendfile or copy_file_range call: a progress line's granularity. */
#define KERNEL_CHUNK	(64U << 20)

/* A copy stopped by HUP, INT or TERM (interrupt.c): how far it got. */
static int
stopped(const struct segment *seg, uint64_t done, uint64_t len)
{
	if (len == UINT64_MAX)
		return shm_error(seg->name, "interrupted by %s after %llu "
		    "bytes", interrupt_name(), (unsigned long long)done);
	return shm_error(seg->name, "interrupted by %s after %llu of %llu "
	    "bytes", interrupt_name(), (unsigned long long)done,
	    (unsigned long long)len);
}

int
segment_write(struct segment *seg, uint64_t off, const void *buf,
    size_t len)
{
	return seg->ops->write(seg, off, buf, len);
}

/* In chunks, so that an interrupt is seen within one of them. */
int
fd_write(struct segment *seg, uint64_t off, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (interrupt_caught())
			return stopped(seg, done, len);
		n = pwrite(seg->fd, p + done, (size_t)shm_min(len - done,
		    KERNEL_CHUNK), (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return shm_errno(seg->name, "write failed at offset "
			    "%llu", (unsigned long long)(off + done));
		if (seg->progress != NULL)
			progress_add(seg->progress, (uint64_t)n);
		done += (size_t)n;
	}
	return SHM_OK;
}

int
segment_read(struct segment *seg, uint64_t off, void *buf, size_t len,
    size_t *got)
{
	*got = 0;
	return seg->ops->read(seg, off, buf, len, got);
}

int
fd_read(struct segment *seg, uint64_t off, void *buf, size_t len,
    size_t *got)
{
	char *p = buf;
	ssize_t n;

	while (*got < len) {
		n = pread(seg->fd, p + *got, len - *got, (off_t)(off + *got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return shm_errno(seg->name, "read failed");
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return SHM_OK;
}

int
segment_read_all(struct segment *seg, uint64_t off, void *buf, size_t len)
{
	size_t got;
	int rc;

	if ((rc = segment_read(seg, off, buf, len, &got)) != SHM_OK)
		return rc;
	return got == len ? SHM_OK : segment_shrank(seg);
}

/*
 * The in-kernel copies are Linux's; elsewhere they answer ENOSYS and
 * the read/write loops below do the work.
 */
static ssize_t
kernel_sendfile(int out, int in, off_t *pos, size_t len)
{
#if SHM_LINUX
	return sendfile(out, in, pos, len);
#else
	(void)out, (void)in, (void)pos, (void)len;
	errno = ENOSYS;
	return -1;
#endif
}

static ssize_t
kernel_copy_range(int in, int out, off_t *pos, size_t len)
{
#if SHM_LINUX
	return copy_file_range(in, NULL, out, pos, len, 0);
#else
	(void)in, (void)out, (void)pos, (void)len;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * The copies here count their bytes for --progress through this, but
 * for those that go through segment_write, which counts its own, and
 * sysv_copy_out, which does too.
 */
static void
count(struct segment *seg, uint64_t *copied, uint64_t n)
{
	*copied += n;
	if (seg->progress != NULL)
		progress_add(seg->progress, n);
}

/*
 * Never written, and not const: in .bss it costs the binary nothing,
 * and reading it maps the kernel's zero page, no memory of ours.  (As
 * a const array it was 1 MiB of .rodata, most of the binary.)
 */
static unsigned char zeros[COPY_CHUNK];

const unsigned char *
segment_zeros(size_t *len)
{
	*len = sizeof(zeros);
	return zeros;
}

/*
 * A segment bigger than shm makes (SEGMENT_SIZE_MAX: another program
 * made it) has its last folio end past 2^63, which tmpfs misreports:
 * no answer is asked from up there, where all is data, and none that
 * points there is taken.  A hole is never claimed where data may be.
 */
static bool
asks_beyond(const struct segment *seg, uint64_t off)
{
	return seg->size > SEGMENT_SIZE_MAX && off >= SEGMENT_SIZE_MAX;
}

static void
distrust_top(const struct segment *seg, off_t *data, off_t *hole)
{
	if (seg->size <= SEGMENT_SIZE_MAX)
		return;
	if ((uint64_t)*data > SEGMENT_SIZE_MAX)
		*data = (off_t)SEGMENT_SIZE_MAX;
	if ((uint64_t)*hole > SEGMENT_SIZE_MAX)
		*hole = (off_t)seg->size;
}

/*
 * Finds the extent (data or hole) that holds off.  Asking once per
 * extent matters: on tmpfs, SEEK_HOLE walks the pages from off to the
 * next hole, so asking again for every chunk made a dump quadratic.
 */
static int
find_extent(struct segment *seg, uint64_t off)
{
	off_t data = -1, hole = -1;
	bool ask = !asks_beyond(seg, off);
	struct stat st;

	errno = EINVAL;		/* no holes to be seen: all is data */
#if SHM_LINUX && defined(SEEK_DATA)
	if (ask)
		data = hole = lseek(seg->fd, (off_t)off, SEEK_DATA);
#else
	(void)ask;
#endif

	/* ENXIO: no data from off to the end.  EINVAL: no SEEK_DATA here. */
	if (data < 0 && errno != ENXIO) {
		data = (off_t)off;
		hole = (off_t)seg->size;
	} else if (data < 0) {
		if (fstat(seg->fd, &st) != 0 || (uint64_t)st.st_size <= off)
			return segment_shrank(seg);
		data = hole = st.st_size;
	} else if ((uint64_t)data == off &&
	    (hole = lseek(seg->fd, data, SEEK_HOLE)) < 0)
		hole = (off_t)seg->size;
	distrust_top(seg, &data, &hole);
	seg->extent_start = off;
	seg->extent_hole = (uint64_t)data > off;
	seg->extent_end = seg->extent_hole ? (uint64_t)data : (uint64_t)hole;
	return SHM_OK;
}

bool
segment_in_hole(const struct segment *seg, uint64_t off, uint64_t *data)
{
	return seg->ops->in_hole(seg, off, data);
}

bool
fd_in_hole(const struct segment *seg, uint64_t off, uint64_t *data)
{
#if SHM_LINUX && defined(SEEK_DATA)
	off_t d, h = 0;

	if (asks_beyond(seg, off))
		return false;
	d = lseek(seg->fd, (off_t)off, SEEK_DATA);
	/* ENXIO: no data from off on; any other error: no telling. */
	if (d < 0 && errno == ENXIO)
		d = (off_t)seg->size;
	else if (d < 0)
		return false;
	distrust_top(seg, &d, &h);
	if ((uint64_t)d <= off)
		return false;
	*data = (uint64_t)d;
	return off < seg->size;
#else
	(void)seg, (void)off, (void)data;
	return false;
#endif
}

uint64_t
segment_data_end(const struct segment *seg, uint64_t off)
{
	return seg->ops->data_end(seg, off);
}

uint64_t
fd_data_end(const struct segment *seg, uint64_t off)
{
#if SHM_LINUX && defined(SEEK_HOLE)
	off_t h = asks_beyond(seg, off) ? -1 :
	    lseek(seg->fd, (off_t)off, SEEK_HOLE), d = 0;

	if (h < 0)
		return seg->size;
	distrust_top(seg, &d, &h);
	return (uint64_t)h;
#else
	(void)off;
	return seg->size;
#endif
}

int
segment_read_sparse(struct segment *seg, uint64_t off, void *buf,
    size_t len, const unsigned char **data, size_t *got)
{
	return seg->ops->read_sparse(seg, off, buf, len, data, got);
}

int
fd_read_sparse(struct segment *seg, uint64_t off, void *buf, size_t len,
    const unsigned char **data, size_t *got)
{
	int rc;

	if ((off < seg->extent_start || off >= seg->extent_end) &&
	    (rc = find_extent(seg, off)) != SHM_OK)
		return rc;
	*got = (size_t)shm_min(len, seg->extent_end - off);
	if (seg->extent_hole) {
		*data = zeros;
		*got = (size_t)shm_min(*got, sizeof(zeros));
		return SHM_OK;
	}
	*data = buf;
	return segment_read_all(seg, off, buf, *got);
}

/* The portable path: a buffer between pread and write. */
static int
copy_out_buffered(struct segment *seg, uint64_t off, uint64_t len, int fd,
    const char *fdname, uint64_t *copied)
{
	char *buf = malloc(COPY_CHUNK);
	size_t got;
	int rc = SHM_OK;

	if (buf == NULL)
		return shm_perror(seg->name);
	while (*copied < len) {
		rc = segment_read(seg, off + *copied, buf,
		    (size_t)shm_min(COPY_CHUNK, len - *copied), &got);
		if (rc != SHM_OK || got == 0)
			break;
		if (shm_write_all(fd, buf, got) != 0) {
			rc = shm_perror(fdname);
			break;
		}
		count(seg, copied, got);
	}
	free(buf);
	return rc;
}

/*
 * sendfile, but not into a pipe or a socket: there it hands over
 * references to the segment's own pages, not their bytes, so a write
 * to the segment after shm read has returned would still change what
 * the reader gets.  The copy must be made now, by pread and write.
 */
int
segment_copy_out(struct segment *seg, uint64_t off, uint64_t len, int fd,
    const char *fdname, uint64_t *copied)
{
	*copied = 0;
	return seg->ops->copy_out(seg, off, len, fd, fdname, copied);
}

int
fd_copy_out(struct segment *seg, uint64_t off, uint64_t len, int fd,
    const char *fdname, uint64_t *copied)
{
	off_t pos = (off_t)off;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) != 0 || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))
		return copy_out_buffered(seg, off, len, fd, fdname, copied);
	while (*copied < len) {
		n = kernel_sendfile(fd, seg->fd, &pos,
		    (size_t)shm_min(KERNEL_CHUNK, len - *copied));
		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * EOVERFLOW: an offset past what the output's file system
		 * holds (16 TiB on ext4), from where sendfile stopped.
		 */
		if (n < 0 && ((*copied == 0 && (errno == EINVAL ||
		    errno == ENOSYS)) || errno == EOVERFLOW))
			return copy_out_buffered(seg, off, len, fd, fdname,
			    copied);
		if (n < 0)
			return shm_perror(fdname);
		if (n == 0)
			break;
		count(seg, copied, (uint64_t)n);
	}
	return SHM_OK;
}

/*
 * Reads fd on from *copied until len bytes or its end.  An interrupt
 * stops a stream quietly (its caller knows what it was doing), a file
 * with a message.
 */
static int
copy_in_buffered(struct segment *seg, uint64_t off, int fd,
    const char *fdname, uint64_t len, bool stream, uint64_t *copied)
{
	char *buf = malloc(COPY_CHUNK);
	ssize_t n;
	int rc = SHM_OK;

	if (buf == NULL)
		return shm_perror(seg->name);
	while (*copied < len) {
		if (interrupt_caught()) {
			rc = stream ? SHM_OK : stopped(seg, *copied, len);
			break;
		}
		n = read(fd, buf, (size_t)shm_min(COPY_CHUNK, len - *copied));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? shm_perror(fdname) : SHM_OK;
			break;
		}
		/*
		 * What was read goes in whole, so the interrupt is seen at
		 * the top, the one place that knows whether to say so.
		 * segment_write counts the bytes for --progress.
		 */
		interrupt_hold(true);
		rc = segment_write(seg, off + *copied, buf, (size_t)n);
		interrupt_hold(false);
		if (rc != SHM_OK)
			break;
		*copied += (uint64_t)n;
	}
	free(buf);
	return rc;
}

/* Which end of a kernel copy failed: a full disk is the segment's. */
static const char *
blame(const struct segment *seg, const char *fdname)
{
	return errno == ENOSPC || errno == EDQUOT || errno == EFBIG ?
	    seg->name : fdname;
}

static bool
unsupported(int err)
{
	return err == EXDEV || err == EINVAL || err == ENOSYS ||
	    err == EOPNOTSUPP;
}

/* One in-kernel copy of up to len bytes from in to out at *pos. */
typedef ssize_t copy_step(int in, int out, off_t *pos, size_t len);

/* sendfile into the segment: its own file offset advances. */
static ssize_t
sendfile_step(int in, int out, off_t *pos, size_t len)
{
	(void)pos;
	return kernel_sendfile(out, in, NULL, len);
}

/* splice from a pipe: one copy, where read and write would make two. */
static ssize_t
splice_step(int in, int out, off_t *pos, size_t len)
{
#if SHM_LINUX
	loff_t at = *pos;
	ssize_t n = splice(in, NULL, out, &at, len, SPLICE_F_MOVE);

	*pos = (off_t)at;
	return n;
#else
	(void)in, (void)out, (void)pos, (void)len;
	errno = ENOSYS;
	return -1;
#endif
}

/* As copy_in_buffered, by the kernel; TRY_NEXT if it cannot here. */
static int
copy_in_kernel(struct segment *seg, uint64_t off, int fd, const char *fdname,
    uint64_t len, bool stream, uint64_t *copied, copy_step *step)
{
	off_t pos = (off_t)(off + *copied);
	uint64_t first = *copied;
	ssize_t n;

	while (*copied < len) {
		if (interrupt_caught())
			return stream ? SHM_OK : stopped(seg, *copied, len);
		n = step(fd, seg->fd, &pos,
		    (size_t)shm_min(KERNEL_CHUNK, len - *copied));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && *copied == first && unsupported(errno))
			return TRY_NEXT;
		if (n < 0)
			return shm_perror(blame(seg, fdname));
		if (n == 0)
			break;
		count(seg, copied, (uint64_t)n);
	}
	return SHM_OK;
}

/*
 * copy_file_range between files of one file system type, sendfile
 * across them (ext4 into tmpfs); from a pipe, splice.
 */
int
fd_copy_in_kernel(struct segment *seg, uint64_t off, int fd,
    const char *fdname, uint64_t len, bool stream, uint64_t *copied)
{
	int rc;

	if (stream)
		return copy_in_kernel(seg, off, fd, fdname, len, true, copied,
		    splice_step);
	if ((rc = copy_in_kernel(seg, off, fd, fdname, len, false, copied,
	    kernel_copy_range)) != TRY_NEXT)
		return rc;
	if (lseek(seg->fd, (off_t)off, SEEK_SET) < 0)
		return shm_perror(seg->name);
	return copy_in_kernel(seg, off, fd, fdname, len, false, copied,
	    sendfile_step);
}

int
segment_copy_in(struct segment *seg, uint64_t off, int fd,
    const char *fdname, uint64_t len)
{
	uint64_t copied = 0;
	int rc;

	/* The kind's own way, else read and write, which every kind has. */
	rc = seg->ops->copy_in_kernel(seg, off, fd, fdname, len, false,
	    &copied);
	if (rc == TRY_NEXT)
		rc = copy_in_buffered(seg, off, fd, fdname, len, false,
		    &copied);
	if (rc == SHM_OK && copied < len)
		return shm_error(fdname, "shrank while being copied (%llu of "
		    "%llu bytes)", (unsigned long long)copied,
		    (unsigned long long)len);
	return rc;
}

int
segment_copy_stream(struct segment *seg, uint64_t off, int fd,
    const char *fdname, uint64_t len, uint64_t *copied)
{
	int rc = seg->ops->copy_in_kernel(seg, off, fd, fdname, len, true,
	    copied);

	return rc != TRY_NEXT ? rc :
	    copy_in_buffered(seg, off, fd, fdname, len, true, copied);
}
