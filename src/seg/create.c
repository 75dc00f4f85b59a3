/*
 * create.c - making a segment and giving it its name, and scratch files.
 */
#define _GNU_SOURCE		/* O_TMPFILE */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fmt/facts.h"
#include "seg/backend.h"
#include "seg/layer.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

/* publish_new's answer when NAME is taken (util/shm.h's sentinels). */
enum { NAME_TAKEN = -6 };

/*
 * Creating.  A new segment is filled before it has its name, so no
 * reader ever sees it half-filled, and whatever kills us (SIGKILL
 * too) leaves nothing behind: Linux's O_TMPFILE makes a file with no
 * name at all, which the kernel frees if we die, and linkat() through
 * /proc/self/fd names it once it is full.  Where that is missing (a
 * file system without O_TMPFILE, no /proc), a hidden named temporary
 * is filled instead, and removed on failure and on HUP, INT and TERM;
 * only SIGKILL can leave one behind there.
 *
 * A named temporary is removed on the way out of any failure, and an
 * interrupt is one (interrupt.c), so no handler of its own is needed.
 */

/* The hidden name a new segment is filled under before it is published. */
static int
make_temp_name(struct segment *seg, unsigned attempt, char *object,
    size_t objsize)
{
	const char *slash = strrchr(seg->path, '/');
	int dirlen = (int)(slash - seg->path);
	char *temp;

	if (seg->object[0] != '\0')
		snprintf(object, objsize, "/.shm-create-%ld-%u",
		    (long)getpid(), attempt);
	else
		object[0] = '\0';
	if (asprintf(&temp, "%.*s/.shm-create-%ld-%u", dirlen, seg->path,
	    (long)getpid(), attempt) < 0)
		return shm_perror(seg->name);
	free(seg->temp);
	seg->temp = temp;
	return SHM_OK;
}

static int
create_named(struct segment *seg, mode_t mode)
{
	char object[NAME_MAX + 2];
	unsigned attempt;
	int rc;

	for (attempt = 0; seg->fd < 0 && attempt < 100; attempt++) {
		if ((rc = make_temp_name(seg, attempt, object,
		    sizeof(object))) != SHM_OK)
			return rc;
		seg->fd = segment_open_descriptor(object, seg->temp,
		    O_RDWR | O_CREAT | O_EXCL, mode);
		if (seg->fd < 0 && errno != EEXIST) {
			free(seg->temp);
			seg->temp = NULL;
			return shm_perror(seg->name);
		}
	}
	if (seg->fd < 0) {
		/* Every name tried was taken: none is ours to remove. */
		free(seg->temp);
		seg->temp = NULL;
		return shm_errno(seg->name, "cannot make a temporary");
	}
	return SHM_OK;
}

/* "/proc/self/fd/N": the one name an O_TMPFILE file has. */
static void
proc_fd_path(const struct segment *seg, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", seg->fd);
}

/*
 * An O_TMPFILE in the directory of path (a file with no name, gone
 * when its last descriptor is), or -1 with errno.
 */
static int
open_unnamed_beside(const char *path, mode_t mode)
{
#if SHM_LINUX && defined(O_TMPFILE)
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
#else
	(void)path, (void)mode;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

/*
 * The POSIX way to a file with no name: make one with a name no one
 * else can have taken (mkstemp), then take the name away.  Only a
 * SIGKILL between the two calls leaves it behind.
 */
static int
open_unlinked_beside(const char *path)
{
	const char *slash = strrchr(path, '/');
	char name[PATH_MAX];
	int fd;

	if (snprintf(name, sizeof(name), "%.*s/.shm-scratch-XXXXXX",
	    (int)(slash - path), path) >= (int)sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(name)) < 0)
		return -1;
	if (unlink(name) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
segment_scratch_beside(const char *path)
{
	int fd = open_unnamed_beside(path, 0600);

	return fd >= 0 ? fd : open_unlinked_beside(path);
}

int
segment_scratch(const struct segment *seg)
{
	return seg->ops->scratch(seg);
}

int
fd_scratch(const struct segment *seg)
{
	int fd = segment_scratch_beside(seg->path);

	/* Elsewhere if the segment's own file system will not have one. */
	return fd >= 0 ? fd : segment_scratch_beside("/tmp/x");
}

/*
 * An unnamed file in the directory NAME will be in, or false (and no
 * message) where there is none to be had; the named way then says
 * what is wrong, if anything is.
 */
static bool
create_unnamed(struct segment *seg, mode_t mode)
{
	char proc[64];
	struct stat st, via;

	if ((seg->fd = open_unnamed_beside(seg->path, mode)) < 0)
		return false;
	/* Publishing needs /proc: find out now, before any byte is copied. */
	proc_fd_path(seg, proc, sizeof(proc));
	if (fstat(seg->fd, &st) == 0 && stat(proc, &via) == 0 &&
	    shm_same_file(&st, &via)) {
		seg->unnamed = true;
		return true;
	}
	close(seg->fd);
	seg->fd = -1;
	return false;
}

static int	check_replaceable(const struct segment *);

int
segment_create(struct segment *seg, const char *name, mode_t mode)
{
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
	return seg->ops->create(seg, mode);
}

int
fd_create(struct segment *seg, mode_t mode)
{
	int rc;

	/* Said now, not as "already exists" once the copy is made. */
	if ((rc = check_replaceable(seg)) != SHM_OK)
		return rc;
	if (!create_unnamed(seg, mode) &&
	    (rc = create_named(seg, mode)) != SHM_OK)
		return rc;
	seg->writable = true;
	/* The umask must not weaken an explicit -m, nor the 0600 default. */
	if (fchmod(seg->fd, mode) != 0 || fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	seg->size = 0;
	return SHM_OK;
}

int
segment_trust(const char *name, mode_t mode, bool *exists)
{
	struct segment seg;
	int rc;

	*exists = false;
	if ((rc = segment_resolve(&seg, name)) != SHM_OK)
		return rc;
	return seg.ops->trust(&seg, mode, exists);
}

int
fd_trust(struct segment *seg, mode_t mode, bool *exists)
{
	const char *name = seg->name;
	struct stat st;
	char owner[64];
	int rc;

	if (lstat(seg->path, &st) != 0)
		return errno == ENOENT ? SHM_OK : shm_perror(name);
	if ((rc = segment_check_type(name, &st)) != SHM_OK)
		return rc;
	facts_user(owner, sizeof(owner), st.st_uid);
	if (st.st_uid != geteuid())
		return shm_error(name, "exists but belongs to user %s; not "
		    "kept (only your own is)", owner);
	if ((st.st_mode & 07777 & ~mode) != 0)
		return shm_error(name, "exists with mode %04o, more than %04o "
		    "allows; not kept", (unsigned)(st.st_mode & 07777),
		    (unsigned)mode);
	*exists = true;
	return SHM_OK;
}

/* What is at NAME may be replaced only if it is a segment, or nothing. */
static int
check_replaceable(const struct segment *seg)
{
	struct stat st;

	if (lstat(seg->path, &st) != 0)
		return errno == ENOENT ? SHM_OK : shm_perror(seg->name);
	return segment_check_type(seg->name, &st);
}

/* Gives the unnamed file the name path; -1 with errno on failure. */
static int
link_unnamed(const struct segment *seg, const char *path)
{
	char proc[64];

	proc_fd_path(seg, proc, sizeof(proc));
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

/*
 * Replacing needs rename(), and rename() needs a name to move: the
 * unnamed file gets a hidden one for the two system calls between.
 */
static int
replace_with_unnamed(struct segment *seg)
{
	char object[NAME_MAX + 2];
	unsigned attempt;
	int rc;

	for (attempt = 0; attempt < 100; attempt++) {
		if ((rc = make_temp_name(seg, attempt, object,
		    sizeof(object))) != SHM_OK)
			return rc;
		if (link_unnamed(seg, seg->temp) == 0)
			break;
		free(seg->temp);
		seg->temp = NULL;
		if (errno != EEXIST)
			return shm_perror(seg->name);
	}
	if (seg->temp == NULL)
		return shm_errno(seg->name, "cannot make a temporary");
	if (rename(seg->temp, seg->path) != 0)
		return shm_perror(seg->name);
	segment_forget_temp(seg);
	return SHM_OK;
}

/* Links the new segment in as NAME: SHM_OK, NAME_TAKEN or SHM_FAIL. */
static int
publish_new(struct segment *seg)
{
	if ((seg->unnamed ? link_unnamed(seg, seg->path) :
	    link(seg->temp, seg->path)) != 0)
		return errno == EEXIST ? NAME_TAKEN : shm_perror(seg->name);
	if (seg->temp != NULL && unlink(seg->temp) != 0)
		return shm_errno(seg->temp, "cannot remove");
	segment_forget_temp(seg);
	return SHM_OK;
}

static int
publish_replacing(struct segment *seg)
{
	int rc;

	if ((rc = check_replaceable(seg)) != SHM_OK)
		return rc;
	if (seg->unnamed)
		return (rc = publish_new(seg)) == NAME_TAKEN ?
		    replace_with_unnamed(seg) : rc;
	if (rename(seg->temp, seg->path) != 0)
		return shm_perror(seg->name);
	segment_forget_temp(seg);
	return SHM_OK;
}

int
segment_publish(struct segment *seg, enum segment_publish how)
{
	bool exists;
	int rc;

	rc = how == PUBLISH_REPLACE ? publish_replacing(seg) :
	    publish_new(seg);
	if (rc == NAME_TAKEN && how == PUBLISH_NEW)
		return shm_error(seg->name, "already exists (--force "
		    "replaces it, --exist-ok keeps it)");
	if (rc == NAME_TAKEN) {
		/* Made by a racing create since we looked: keep it if ours. */
		if ((rc = segment_trust(seg->name, seg->st.st_mode & 07777,
		    &exists)) != SHM_OK)
			return rc;
		return exists ? SHM_OK : shm_error(seg->name, "vanished "
		    "while being made; try again");
	}
	if (rc == SHM_OK)
		segment_read_birth(seg);
	return rc;
}
