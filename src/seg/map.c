/*
 * map.c - naming, opening, creating, locking and mapping segments.
 *
 * A NAME with no '/' after its first character is a POSIX object
 * ("demo" and "/demo" are shm_open("/demo")); anything else is a file.
 * Both end up as a descriptor on a regular file, and from there on
 * nothing cares which it was.
 */
#define _GNU_SOURCE		/* statx, fallocate, sync_file_range */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt/facts.h"
#include "util/interrupt.h"
#include "seg/layer.h"
#include "seg/lock.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/port.h"
#include "seg/sysv.h"
#include "util/shm.h"

int
segment_resolve(struct segment *seg, const char *name)
{
	const char *obj = name[0] == '/' ? name + 1 : name;

	memset(seg, 0, sizeof(*seg));
	seg->name = name;
	seg->fd = -1;
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

static int
open_descriptor(const char *object, const char *path, int flags,
    mode_t mode)
{
	if (object[0] != '\0')
		return shm_open(object, flags, mode);
	return open(path, flags | O_CLOEXEC, mode);
}

/* Why a missing object is missing, with a hint for a file of that name. */
static int
report_open_error(const struct segment *seg)
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

static void
read_birth(struct segment *seg)
{
#if SHM_LINUX && defined(STATX_BTIME)
	struct statx stx;

	if (statx(seg->fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) == 0 &&
	    (stx.stx_mask & STATX_BTIME)) {
		seg->born.tv_sec = (time_t)stx.stx_btime.tv_sec;
		seg->born.tv_nsec = (long)stx.stx_btime.tv_nsec;
		seg->has_born = true;
	}
#elif SHM_LINUX && defined(SYS_statx)
	/*
	 * A libc without statx() (musl before 1.2.5): the system call,
	 * with the kernel's struct statx read by its fixed layout.
	 */
	unsigned char stx[256];
	uint32_t mask, nsec;
	int64_t sec;

	if (syscall(SYS_statx, seg->fd, "", AT_EMPTY_PATH,
	    0x800u /* STATX_BTIME */, stx) == 0) {
		memcpy(&mask, stx, sizeof(mask));
		memcpy(&sec, stx + 80, sizeof(sec));
		memcpy(&nsec, stx + 88, sizeof(nsec));
		if (mask & 0x800u) {
			seg->born.tv_sec = (time_t)sec;
			seg->born.tv_nsec = (long)nsec;
			seg->has_born = true;
		}
	}
#else
	(void)seg;
#endif
}

/* Linux's FS_IOC_GETVERSION, spelled out: <linux/fs.h> is not libc's. */
#if SHM_LINUX && !defined(FS_IOC_GETVERSION)
#define FS_IOC_GETVERSION	_IOR('v', 1, long)
#endif

/*
 * What tells this file from a later one on the same inode: its birth
 * time where the file system keeps one (tmpfs, ext4 with large inodes,
 * btrfs, xfs), else the inode's generation number (ext2-4 with small
 * inodes), which the file system changes when it reuses an inode.
 * Without either, the file's ctime: a record is then trusted only
 * while the file is unchanged since it was saved (ident_is_ctime).
 */
void
segment_identity(const struct segment *seg, char *buf, size_t size)
{
#if SHM_LINUX && defined(FS_IOC_GETVERSION)
	int gen[2] = { 0, 0 };	/* the kernel writes an int; room for long */
#endif
	struct stat st;

	if (seg->has_born) {
		snprintf(buf, size, "%lld.%09ld", (long long)seg->born.tv_sec,
		    seg->born.tv_nsec);
		return;
	}
#if SHM_LINUX && defined(FS_IOC_GETVERSION)
	if (ioctl(seg->fd, FS_IOC_GETVERSION, gen) == 0) {
		snprintf(buf, size, "g%u", (unsigned)gen[0]);
		return;
	}
#endif
	if (fstat(seg->fd, &st) != 0)
		st = seg->st;
	snprintf(buf, size, "c%lld.%09ld", (long long)st.st_ctim.tv_sec,
	    (long)st.st_ctim.tv_nsec);
}

bool
segment_identity_weak(const char *ident)
{
	return ident[0] == 'c';
}

/*
 * Only a regular file is a segment: mapping a device or a FIFO is a
 * trap, and removing or replacing one (shm rm /dev/null as root) is a
 * disaster.  Every command asks this of what it is about to touch.
 */
static int
check_kind(const char *name, const struct stat *st)
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

static int
check_regular(struct segment *seg)
{
	int rc;

	if (fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	if ((rc = check_kind(seg->name, &seg->st)) != SHM_OK)
		return rc;
	seg->size = (uint64_t)seg->st.st_size;
	read_birth(seg);
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
	return check_kind(seg->name, &st);
}

const char *
segment_kind(const struct segment *seg)
{
	char proc[64], target[32];
	ssize_t n;

	if (seg->sysv)
		return "sysv";
	if (seg->object[0] != '\0')
		return "object";
	/* A memfd, reached through /proc/PID/fd/N, names itself so. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", seg->fd);
	if (seg->fd >= 0 &&
	    (n = readlink(proc, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		if (strncmp(target, "/memfd:", 7) == 0)
			return "memfd";
	}
	return "file";
}

#if SHM_LINUX && !defined(F_GET_SEALS)
#define F_GET_SEALS	1034	/* Linux's, where libc's headers lack it */
#endif

/* A memfd's seals as F_GET_SEALS has them, or -1: none to be had. */
static int
memfd_seals(const struct segment *seg)
{
#if SHM_LINUX
	if (strcmp(segment_kind(seg), "memfd") == 0)
		return fcntl(seg->fd, F_GET_SEALS);
#else
	(void)seg;
#endif
	return -1;
}

void
segment_seals(const struct segment *seg, char *buf, size_t size)
{
	static const struct { int bit; const char *name; } seals[] = {
		{ 0x0001, "seal" }, { 0x0002, "shrink" }, { 0x0004, "grow" },
		{ 0x0008, "write" }, { 0x0010, "future-write" },
	};
	size_t i, len = 0;
	int got;

	buf[0] = '\0';
	if ((got = memfd_seals(seg)) < 0)
		return;
	for (i = 0; i < sizeof(seals) / sizeof(seals[0]); i++)
		if ((got & seals[i].bit) && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len > 0 ? "," : "", seals[i].name);
}

int
segment_lookup(struct segment *seg, const char *name)
{
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
	if (seg->sysv)
		return sysv_lookup(seg);
	rc = seg->object[0] != '\0' ? lstat(seg->path, &seg->st) :
	    stat(seg->path, &seg->st);
	if (rc != 0)
		return report_open_error(seg);
	if ((rc = check_kind(seg->name, &seg->st)) != SHM_OK)
		return rc;
	seg->size = (uint64_t)seg->st.st_size;
	return SHM_OK;
}

bool
segment_present(const struct segment *seg, struct stat *st)
{
	int rc;

	if (seg->sysv)
		return sysv_present(seg, st);
	rc = seg->object[0] != '\0' ? lstat(seg->path, st) :
	    stat(seg->path, st);
	return rc == 0 && S_ISREG(st->st_mode);
}

/*
 * The segment stays open, so its inode cannot be reused: another one
 * under the name has another device or inode.
 */
enum segment_naming
segment_check_name(struct segment *seg)
{
	struct stat st;

	if (seg->sysv)
		return sysv_check_name(seg);
	if (!segment_present(seg, &st))
		return SEGMENT_REMOVED;
	if (st.st_dev != seg->st.st_dev || st.st_ino != seg->st.st_ino)
		return SEGMENT_REPLACED;
	seg->st = st;
	seg->size = (uint64_t)st.st_size;
	return SEGMENT_NAMED;
}

int
segment_distinct(const struct segment *seg, int fd, const char *fdname)
{
	struct stat st;

	/* A SysV segment is no file that a descriptor could be open on. */
	if (seg->sysv || fstat(fd, &st) != 0 ||
	    st.st_dev != seg->st.st_dev || st.st_ino != seg->st.st_ino)
		return SHM_OK;
	return shm_error(seg->name, "%s and the segment are the same file; "
	    "nothing copied ('shm move' copies within a segment)", fdname);
}

int
segment_open(struct segment *seg, const char *name, enum segment_access acc)
{
	int flags = acc == SEGMENT_WRITE ? O_RDWR : O_RDONLY;
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
	if (seg->sysv)
		return sysv_open(seg, acc);
	if ((rc = check_before_open(seg)) != SHM_OK)
		return rc;
	/* O_NONBLOCK: opening a FIFO must not hang before we refuse it. */
	seg->fd = open_descriptor(seg->object, seg->path,
	    flags | O_NONBLOCK | O_NOCTTY, 0);
	if (seg->fd < 0)
		return report_open_error(seg);
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

static void
forget_temp(struct segment *seg)
{
	free(seg->temp);
	seg->temp = NULL;
}

void
segment_close(struct segment *seg)
{
	sysv_close(seg);
	if (seg->temp != NULL) {
		if (unlink(seg->temp) != 0 && errno != ENOENT)
			shm_errno(seg->temp, "cannot remove");
		forget_temp(seg);
	}
	if (seg->lock.own)
		lock_release(&seg->lock, seg->name);
	if (seg->fd >= 0)
		close(seg->fd);
	seg->fd = -1;
}

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
		seg->fd = open_descriptor(object, seg->temp,
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

static int
open_scratch_beside(const char *path)
{
	int fd = open_unnamed_beside(path, 0600);

	return fd >= 0 ? fd : open_unlinked_beside(path);
}

int
segment_scratch(const struct segment *seg)
{
	int fd = open_scratch_beside(seg->path);

	/* Elsewhere if the segment's own file system will not have one. */
	return fd >= 0 ? fd : open_scratch_beside("/tmp/x");
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
	    st.st_ino == via.st_ino && st.st_dev == via.st_dev) {
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
	if (seg->sysv)
		return shm_error(name, "SysV segments are made with ipcmk -M "
		    "SIZE or shmget(2); create makes POSIX objects and files");
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
	struct stat st;
	char owner[64];
	int rc;

	*exists = false;
	if ((rc = segment_resolve(&seg, name)) != SHM_OK)
		return rc;
	if (lstat(seg.path, &st) != 0)
		return errno == ENOENT ? SHM_OK : shm_perror(name);
	if ((rc = check_kind(name, &st)) != SHM_OK)
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
	return check_kind(seg->name, &st);
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
	forget_temp(seg);
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
	forget_temp(seg);
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
	forget_temp(seg);
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
		read_birth(seg);
	return rc;
}

int
segment_remove(const char *name, bool missing_ok, struct stat *gone)
{
	struct segment seg;
	struct stat st;
	int rc;

	memset(gone, 0, sizeof(*gone));
	if ((rc = segment_resolve(&seg, name)) != SHM_OK)
		return rc;
	if (seg.sysv)
		return sysv_remove(name, missing_ok);
	if (lstat(seg.path, &st) != 0) {
		if (errno == ENOENT && missing_ok)
			return SHM_OK;
		return report_open_error(&seg);
	}
	/* A symlink goes, as rm(1) removes it; what it points to stays. */
	if (!S_ISLNK(st.st_mode) && (rc = check_kind(name, &st)) != SHM_OK)
		return rc;
	if (seg.object[0] != '\0')
		rc = shm_unlink(seg.object);
	else
		rc = unlink(seg.path);
	/* EACCES, as POSIX has it and glibc does; musl passes on EPERM. */
	if (rc != 0 && errno == EPERM && seg.object[0] != '\0')
		errno = EACCES;
	if (rc != 0 && errno == ENOENT && missing_ok)
		return SHM_OK;
	if (rc != 0)
		return report_open_error(&seg);
	/* The file lives on under another link: its cursor is still its. */
	if (S_ISREG(st.st_mode) && st.st_nlink == 1)
		*gone = st;
	return SHM_OK;
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

/* The lock was not had in time: who has it, where that can be known. */
static int
report_lock_timeout(const struct segment *seg, double timeout)
{
	char who[512];

	segment_lock_holders(seg, who, sizeof(who));
	return shm_error(seg->name, "lock not had within %g s "
	    "(SHM_LOCK_TIMEOUT)%s%s", timeout, who[0] ? ": held by " : "",
	    who);
}

int
segment_lock(struct segment *seg, bool exclusive)
{
	double timeout;
	int rc;

	/* No descriptor, no flock: see shm(1) on SysV segments. */
	if (seg->sysv)
		return sysv_refresh(seg);
	if ((rc = segment_unlock(seg)) != SHM_OK ||
	    (rc = lock_env_timeout(&timeout)) != SHM_OK)
		return rc;
	rc = lock_acquire(&seg->lock, seg->fd, &seg->st, seg->name, exclusive,
	    timeout, LOCK_INNER_TAKE);
	if (rc == LOCK_TIMEOUT)
		return report_lock_timeout(seg, timeout);
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

	if (seg->sysv)
		return sysv_refresh(seg);
	if ((rc = segment_unlock(seg)) != SHM_OK)
		return rc;
	rc = lock_acquire(&seg->lock, seg->fd, &seg->st, seg->name, false, 0,
	    LOCK_INNER_TAKE);
	if (rc != SHM_OK && rc != LOCK_TIMEOUT)
		return rc;
	return segment_refresh(seg);
}

int
segment_hold_lock(struct segment *seg, bool exclusive, double timeout)
{
	int rc;

	if (seg->sysv)
		return shm_error(seg->name, "a SysV segment has no descriptor "
		    "to flock, so no lock");
	/*
	 * Where record locks belong to the process (not SHM_LINUX), the
	 * commands run could not see one taken here: no inner lock then.
	 */
	rc = lock_acquire(&seg->lock, seg->fd, &seg->st, seg->name, exclusive,
	    timeout, SHM_LINUX ? LOCK_INNER_HOLD : LOCK_INNER_NONE);
	if (rc != SHM_OK)
		return rc;
	return lock_pass_on(&seg->lock, &seg->st);
}

void
segment_lock_holders(const struct segment *seg, char *buf, size_t size)
{
	lock_holders(&seg->st, seg->lock.level, buf, size);
}

int
segment_resize(struct segment *seg, uint64_t size)
{
	if (seg->sysv)
		return sysv_fixed_size(seg, "be resized");
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
	if (seg->sysv || !seg->lock.held)
		return SHM_OK;
	return lock_release(&seg->lock, seg->name);
}

int
segment_refresh(struct segment *seg)
{
	if (seg->sysv)
		return sysv_refresh(seg);
	if (fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	seg->size = (uint64_t)seg->st.st_size;
	return SHM_OK;
}

void
segment_restore_size(struct segment *seg, uint64_t size)
{
	struct stat st;

	if (seg->sysv || fstat(seg->fd, &st) != 0 ||
	    (uint64_t)st.st_size <= size)
		return;
	if (ftruncate(seg->fd, (off_t)size) != 0)
		shm_errno(seg->name, "cannot restore its size of %llu bytes",
		    (unsigned long long)size);
	seg->size = size;
}

uint64_t
segment_clamp(const struct segment *seg, uint64_t off, uint64_t len)
{
	return off < seg->size ? shm_min(len, seg->size - off) : 0;
}

int
segment_reserve(struct segment *seg, uint64_t off, uint64_t len)
{
	int err;

	if (seg->sysv && (off > seg->size || len > seg->size - off))
		return sysv_fixed_size(seg, "grow");
	if (seg->sysv || len == 0)
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

int
segment_map(struct segment *seg, uint64_t off, uint64_t len,
    struct window *w)
{
	long page = sysconf(_SC_PAGESIZE);
	int prot = PROT_READ | (seg->writable ? PROT_WRITE : 0);
	uint64_t start;

	memset(w, 0, sizeof(*w));
	if (len == 0)
		return SHM_OK;
	/* Attached already: the window is the memory itself, no munmap. */
	if (seg->sysv) {
		w->data = seg->mem + off;
		w->len = (size_t)len;
		return SHM_OK;
	}
	start = off - off % (uint64_t)page;
	if (len > SIZE_MAX - (off - start))
		return shm_error(seg->name, "window too large to map");
	w->map_len = (size_t)(len + (off - start));
	w->base = mmap(NULL, w->map_len, prot, MAP_SHARED, seg->fd,
	    (off_t)start);
	if (w->base == MAP_FAILED) {
		w->base = NULL;
		return shm_errno(seg->name, "cannot map");
	}
	w->data = (unsigned char *)w->base + (off - start);
	w->len = (size_t)len;
	return SHM_OK;
}

void
window_unmap(struct window *w)
{
	if (w->base != NULL)
		munmap(w->base, w->map_len);
	memset(w, 0, sizeof(*w));
}

int
segment_sync(struct segment *seg, uint64_t off, uint64_t len, bool async)
{
	struct window w;
	int rc;

	/* Memory with no file behind it: nothing to write back. */
	if (seg->sysv || len == 0)
		return SHM_OK;
#if SHM_LINUX && defined(SYNC_FILE_RANGE_WRITE)
	/*
	 * Linux's MS_ASYNC does nothing: pages are written back when the
	 * kernel pleases.  This starts the writing of the range now.
	 */
	if (async) {
		if (sync_file_range(seg->fd, (off_t)off, (off_t)len,
		    SYNC_FILE_RANGE_WRITE) != 0)
			return shm_errno(seg->name, "cannot flush");
		return SHM_OK;
	}
#endif
	if ((rc = segment_map(seg, off, len, &w)) != SHM_OK || w.base == NULL)
		return rc;
	if (msync(w.base, w.map_len, async ? MS_ASYNC : MS_SYNC) != 0)
		rc = shm_errno(seg->name, "cannot flush");
	window_unmap(&w);
	return rc;
}

/*
 * SIGBUS is delivered to the thread touching a page the file no longer
 * has.  The handler can only jump back to segment_guard(), in that
 * thread: each thread has its own jump buffer, the one piece of state
 * the layer keeps outside a segment.
 */
static _Thread_local sigjmp_buf fault_jump;
static _Thread_local volatile sig_atomic_t fault_armed;

static void
on_fault(int sig)
{
	if (fault_armed)
		siglongjmp(fault_jump, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
segment_shrank(struct segment *seg)
{
	struct stat st;

	if (fstat(seg->fd, &st) != 0)
		return shm_perror(seg->name);
	return shm_error(seg->name, "segment shrank to %lld bytes while in "
	    "use", (long long)st.st_size);
}

static int
report_fault(struct segment *seg)
{
	struct stat st;

	if (fstat(seg->fd, &st) == 0 && (uint64_t)st.st_size < seg->size)
		return segment_shrank(seg);
	return shm_error(seg->name, "cannot access the mapped memory: no "
	    "space left on device or I/O error");
}

int
segment_guard(struct segment *seg, int (*fn)(void *), void *arg)
{
	struct sigaction sa;
	int rc;

	/*
	 * Installed and left: unarmed, the handler does what the default
	 * would, and two threads restoring each other's old handler could
	 * leave one of them unguarded.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0)
		return shm_perror("sigaction");
	if (sigsetjmp(fault_jump, 1) != 0) {
		fault_armed = 0;
		return report_fault(seg);
	}
	fault_armed = 1;
	rc = fn(arg);
	fault_armed = 0;
	return rc;
}
