/*
 * name.c - what a NAME names: a POSIX object, a file, or a SysV segment,
 * and whether that name still reaches the segment open.
 *
 * A NAME with no '/' after its first character is a POSIX object
 * ("demo" and "/demo" are shm_open("/demo")); anything else is a file.
 * Both end up as a descriptor on a regular file, and from there on
 * nothing cares which it was.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "seg/layer.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "seg/backend.h"
#include "util/shm.h"

int
segment_resolve(struct segment *seg, const char *name)
{
	const char *obj = name[0] == '/' ? name + 1 : name;

	memset(seg, 0, sizeof(*seg));
	seg->name = name;
	seg->fd = -1;
	seg->ops = &fd_ops;
	if (name[0] == '\0')
		return shm_error(NULL, "'': empty segment name");
	/* "sysv:KEY", "sysvid:ID"; "/sysv:1" is still a POSIX object. */
	if (sysv_is_name(name))
		return sysv_resolve(seg, name);
	if (strchr(obj, '/') != NULL) {
		if (strlen(name) >= sizeof(seg->path))
			return shm_error(name, "file name too long");
		strcpy(seg->path, name);
		return SHM_OK;
	}
	if (obj[0] == '\0' || strcmp(obj, ".") == 0 || strcmp(obj, "..") == 0)
		return shm_error(name, "not a valid segment name");
	if (strlen(obj) > NAME_MAX)
		return shm_error(name, "segment name longer than %d bytes",
		    NAME_MAX);
	snprintf(seg->object, sizeof(seg->object), "/%s", obj);
	snprintf(seg->path, sizeof(seg->path), "%s/%s", SEGMENT_DIR, obj);
	return SHM_OK;
}

/* Why a missing object is missing, with a hint for a file of that name. */
int
segment_report_missing(const struct segment *seg)
{
	int saved = errno;
	struct stat st;

	if (saved == ENOENT && seg->object[0] != '\0' &&
	    stat(seg->object + 1, &st) == 0)
		return shm_error(seg->name, "no such segment (to use the "
		    "file here, write ./%s)", seg->object + 1);
	if (saved == ENOENT)
		return shm_error(seg->name, "no such segment");
	errno = saved;
	return shm_perror(seg->name);
}

/*
 * Only a regular file is a segment: mapping a device or a FIFO is a
 * trap, and removing or replacing one (shm rm /dev/null as root) is a
 * disaster.  Every command asks this of what it is about to touch.
 */
int
segment_check_type(const char *name, const struct stat *st)
{
	mode_t m = st->st_mode;

	if (S_ISREG(m))
		return SHM_OK;
	return shm_error(name, "is %s, not a segment", S_ISDIR(m) ?
	    "a directory" : S_ISLNK(m) ? "a symbolic link" : S_ISCHR(m) ?
	    "a character device" : S_ISBLK(m) ? "a block device" :
	    S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
	    "not a regular file");
}

int
segment_lookup(struct segment *seg, const char *name)
{
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
	return seg->ops->lookup(seg);
}

int
fd_lookup(struct segment *seg)
{
	int rc;

	rc = seg->object[0] != '\0' ? lstat(seg->path, &seg->st) :
	    stat(seg->path, &seg->st);
	if (rc != 0)
		return segment_report_missing(seg);
	if ((rc = segment_check_type(seg->name, &seg->st)) != SHM_OK)
		return rc;
	seg->size = (uint64_t)seg->st.st_size;
	return SHM_OK;
}

bool
segment_present(const struct segment *seg, struct stat *st)
{
	return seg->ops->present(seg, st);
}

bool
fd_present(const struct segment *seg, struct stat *st)
{
	int rc;

	rc = seg->object[0] != '\0' ? lstat(seg->path, st) :
	    stat(seg->path, st);
	return rc == 0 && S_ISREG(st->st_mode);
}

enum segment_naming
segment_check_name(struct segment *seg)
{
	return seg->ops->check_name(seg);
}

/*
 * The segment stays open, so its inode cannot be reused: another one
 * under the name has another device or inode.
 */
enum segment_naming
fd_check_name(struct segment *seg)
{
	struct stat st;

	if (!fd_present(seg, &st))
		return SEGMENT_REMOVED;
	if (!shm_same_file(&st, &seg->st))
		return SEGMENT_REPLACED;
	seg->st = st;
	seg->size = (uint64_t)st.st_size;
	return SEGMENT_NAMED;
}

int
segment_offset(const struct segment *seg, const char *what,
    const char *text, uint64_t *off)
{
	const char *err;

	if (text != NULL && (err = number_offset(text, seg->size, off)) !=
	    NULL)
		return shm_error(seg->name, "%s '%s': %s (size %llu)", what,
		    text, err, (unsigned long long)seg->size);
	return SHM_OK;
}

uint64_t
segment_clamp(const struct segment *seg, uint64_t off, uint64_t len)
{
	return off < seg->size ? shm_min(len, seg->size - off) : 0;
}
