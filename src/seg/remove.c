/*
 * remove.c - taking a segment's name away.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
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
