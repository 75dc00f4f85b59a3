/*
 * remove.c - taking a segment's name away.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "seg/backend.h"
#include "seg/layer.h"
#include "seg/map.h"
#include "util/shm.h"

int
segment_remove(const char *name, bool missing_ok, struct stat *gone)
{
	struct segment seg;
	int rc;

	memset(gone, 0, sizeof(*gone));
	if ((rc = segment_resolve(&seg, name)) != SHM_OK)
		return rc;
	return seg.ops->remove(&seg, missing_ok, gone);
}

int
fd_remove(struct segment *seg, bool missing_ok, struct stat *gone)
{
	const char *name = seg->name;
	struct stat st;
	int rc;

	if (lstat(seg->path, &st) != 0) {
		if (errno == ENOENT && missing_ok)
			return SHM_OK;
		return segment_report_missing(seg);
	}
	/* A symlink goes, as rm(1) removes it; what it points to stays. */
	if (!S_ISLNK(st.st_mode) &&
	    (rc = segment_check_type(name, &st)) != SHM_OK)
		return rc;
	if (seg->object[0] != '\0')
		rc = shm_unlink(seg->object);
	else
		rc = unlink(seg->path);
	/* EACCES, as POSIX has it and glibc does; musl passes on EPERM. */
	if (rc != 0 && errno == EPERM && seg->object[0] != '\0')
		errno = EACCES;
	if (rc != 0 && errno == ENOENT && missing_ok)
		return SHM_OK;
	if (rc != 0)
		return segment_report_missing(seg);
	/* The file lives on under another link: its cursor is still its. */
	if (S_ISREG(st.st_mode) && st.st_nlink == 1)
		*gone = st;
	return SHM_OK;
}

/*
 * gc's first step.  The exclusive lock, tried once: a holder (a 'shm
 * lock', a command at work) is a user, and while gc holds it no shm
 * command can start using the object.
 */
int
segment_claim(struct segment *seg, const char *object)
{
	int rc;

	if ((rc = segment_resolve(seg, object)) != SHM_OK)
		return rc;
	if (seg->object[0] == '\0')
		return shm_error(object, "not a POSIX object");
	/* shm_open follows no symlink; O_NONBLOCK: a FIFO must not hang. */
	seg->fd = segment_open_descriptor(seg->object, seg->path,
	    O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (seg->fd < 0 && errno == ENOENT)
		return LOCK_TIMEOUT;	/* gone since the listing */
	if (seg->fd < 0)
		return segment_report_missing(seg);
	if (fstat(seg->fd, &seg->st) != 0)
		rc = shm_perror(seg->name);
	else if (!S_ISREG(seg->st.st_mode))
		rc = LOCK_TIMEOUT;	/* swapped for something else */
	else
		rc = seg->ops->lock(seg, true, 0, LOCK_INNER_TAKE);
	if (rc == SHM_OK)
		rc = segment_refresh(seg);
	if (rc != SHM_OK)
		segment_close(seg);
	return rc;
}

/*
 * gc's last step: a fresh look at the name just before it goes, so a
 * file put under the name since the claim (create --force, a program
 * that made it anew) is left alone.  The window between this look and
 * shm_unlink is a few instructions, not the whole scan.
 */
int
segment_remove_claimed(struct segment *seg, bool *removed)
{
	struct stat st;

	*removed = false;
	if (lstat(seg->path, &st) != 0)
		return errno == ENOENT ? SHM_OK : shm_perror(seg->name);
	if (!S_ISREG(st.st_mode) || !shm_same_file(&st, &seg->st))
		return SHM_OK;
	if (shm_unlink(seg->object) != 0) {
		if (errno == ENOENT)
			return SHM_OK;
		/* EACCES, as POSIX has it and glibc does; musl: EPERM. */
		if (errno == EPERM)
			errno = EACCES;
		return shm_errno(seg->name, "cannot remove");
	}
	*removed = true;
	return SHM_OK;
}
