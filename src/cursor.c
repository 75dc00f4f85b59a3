/*
 * cursor.c - the per-user store of segment positions.
 *
 * One small file per segment, named after its device and inode so that
 * every path to the same segment shares one cursor, and holding the
 * position and the segment's creation time: a segment removed and made
 * again may get the same inode back, but not the same birth, and then
 * starts at 0 as a fresh Python mmap would.
 *
 * The directory is $SHM_STATE_DIR, else $XDG_RUNTIME_DIR/shm, else
 * /tmp/shm-UID.  A cursor decides where a write lands, so a directory
 * that someone else could plant files in is refused, not used.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "number.h"
#include "shm.h"

#define STATE_MISSING	(-1)	/* no directory yet: nothing kept */

static void
state_dir_path(char *buf, size_t size)
{
	const char *dir = getenv("SHM_STATE_DIR");
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *tmp = getenv("TMPDIR");

	if (dir != NULL && *dir != '\0')
		snprintf(buf, size, "%s", dir);
	else if (run != NULL && *run != '\0')
		snprintf(buf, size, "%s/shm", run);
	else
		snprintf(buf, size, "%s/shm-%lu",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp",
		    (unsigned long)geteuid());
}

#define STATE_REFUSED	(-2)	/* unsafe, and the caller asked for quiet */

static int
check_state_dir(int dfd, const char *path, bool quiet)
{
	struct stat st;

	if (fstat(dfd, &st) != 0)
		return shm_perror(path);
	if (quiet && (st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))))
		return STATE_REFUSED;
	if (st.st_uid != geteuid())
		return shm_error(path, "state directory belongs to another "
		    "user; set SHM_STATE_DIR");
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return shm_error(path, "state directory is writable by "
		    "others; set SHM_STATE_DIR or chmod 700 it");
	return SHM_OK;
}

/*
 * Opens the directory into *dfd; STATE_MISSING if absent and !create.
 * quiet: a refused directory is STATE_REFUSED, with no message.
 */
static int
open_state_dir(bool create, bool quiet, int *dfd)
{
	char path[PATH_MAX];
	int rc;

	state_dir_path(path, sizeof(path));
	if (create && mkdir(path, 0700) != 0 && errno != EEXIST)
		return shm_errno(path, "cannot make the state directory");
	/* O_NOFOLLOW: a symlink planted in /tmp must not be followed. */
	*dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*dfd < 0 && errno == ENOENT && !create)
		return STATE_MISSING;
	if (*dfd < 0 && (errno == ELOOP || errno == ENOTDIR) && quiet)
		return STATE_REFUSED;
	if (*dfd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return shm_error(path, "state directory is a symlink or not "
		    "a directory; refusing it");
	if (*dfd < 0)
		return shm_errno(path, "cannot open the state directory");
	if ((rc = check_state_dir(*dfd, path, quiet)) != SHM_OK)
		close(*dfd);
	return rc;
}

static void
key_of(const struct stat *st, char *buf, size_t size)
{
	snprintf(buf, size, "%llx-%llx", (unsigned long long)st->st_dev,
	    (unsigned long long)st->st_ino);
}

/* "POS BIRTH\n": the position, and whose position it is. */
static uint64_t
parse_record(char *text, const char *birth)
{
	char *space = strchr(text, ' '), *nl = strchr(text, '\n');
	uint64_t pos;

	if (space == NULL || nl == NULL)
		return 0;
	*space = *nl = '\0';
	if (strcmp(space + 1, birth) != 0 || number_size(text, &pos) != NULL)
		return 0;
	return pos;
}

int
cursor_get(const struct segment *seg, uint64_t *pos)
{
	char key[64], text[128];
	int dfd, fd, rc;
	ssize_t n;

	*pos = 0;
	if ((rc = open_state_dir(false, false, &dfd)) != SHM_OK)
		return rc == STATE_MISSING ? SHM_OK : rc;
	key_of(&seg->st, key, sizeof(key));
	fd = openat(dfd, key, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return errno == ENOENT ? SHM_OK : shm_errno(key, "cursor");
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return shm_errno(key, "cursor");
	text[n] = '\0';
	*pos = parse_record(text, seg->birth);
	if (*pos > seg->size)
		*pos = seg->size;
	return SHM_OK;
}

int
cursor_or_offset(const struct segment *seg, const char *offset,
    uint64_t *pos)
{
	if (offset == NULL)
		return cursor_get(seg, pos);
	return segment_offset(seg, "offset", offset, pos);
}

/*
 * Overwritten in place with one pwrite of a record under 64 bytes,
 * while the caller holds the segment's lock: no reader can see it half
 * written.  (A rename of a fresh file was safer against a crash in the
 * middle of those bytes, but on ext4 every rename-over starts a disk
 * write, a third of the time of a small append through the cursor.)
 * The position is padded to 20 digits so the record's length changes
 * only with the segment.
 */
static int
write_record(int dfd, const char *key, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, rc = SHM_OK;

	fd = openat(dfd, key, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return shm_errno(key, "cannot save the cursor");
	while ((n = pwrite(fd, text, len, 0)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)len || ftruncate(fd, (off_t)len) != 0)
		rc = shm_errno(key, "cannot save the cursor");
	if (close(fd) != 0 && rc == SHM_OK)
		rc = shm_errno(key, "cannot save the cursor");
	return rc;
}

int
cursor_set(const struct segment *seg, uint64_t pos)
{
	char key[64], text[128];
	int dfd, rc;

	if ((rc = open_state_dir(true, false, &dfd)) != SHM_OK)
		return rc;
	key_of(&seg->st, key, sizeof(key));
	snprintf(text, sizeof(text), "%020llu %s\n", (unsigned long long)pos,
	    seg->birth);
	rc = write_record(dfd, key, text);
	close(dfd);
	return rc;
}

int
cursor_forget(const struct stat *st)
{
	char key[64];
	int dfd, rc;

	/* A refused directory is never read, so it holds nothing to drop. */
	if ((rc = open_state_dir(false, true, &dfd)) != SHM_OK)
		return rc < 0 ? SHM_OK : rc;
	key_of(st, key, sizeof(key));
	if (unlinkat(dfd, key, 0) != 0 && errno != ENOENT)
		rc = shm_errno(key, "cannot forget the cursor");
	close(dfd);
	return rc;
}
