/*
 * map.c - naming, opening, creating, locking and mapping segments.
 *
 * A NAME with no '/' after its first character is a POSIX object
 * ("demo" and "/demo" are shm_open("/demo")); anything else is a file.
 * Both end up as a descriptor on a regular file, and from there on
 * nothing cares which it was.
 */
#define _GNU_SOURCE		/* statx, fallocate, MAP_POPULATE */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "number.h"
#include "shm.h"

int
segment_resolve(struct segment *seg, const char *name)
{
	const char *obj = name[0] == '/' ? name + 1 : name;

	memset(seg, 0, sizeof(*seg));
	seg->name = name;
	seg->fd = -1;
	if (name[0] == '\0')
		return shm_error(NULL, "'': empty segment name");
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
#ifdef STATX_BTIME
	struct statx stx;

	if (statx(seg->fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) == 0 &&
	    (stx.stx_mask & STATX_BTIME))
		snprintf(seg->birth, sizeof(seg->birth), "%lld.%09u",
		    (long long)stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec);
#else
	(void)seg;
#endif
}

/* The descriptor must be a regular file: mapping anything else is a trap. */
static int
check_regular(struct segment *seg)
{
	if (fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	if (S_ISDIR(seg->st.st_mode))
		return shm_error(seg->name, "is a directory");
	if (!S_ISREG(seg->st.st_mode))
		return shm_error(seg->name, "not a regular file");
	seg->size = (uint64_t)seg->st.st_size;
	read_birth(seg);
	return SHM_OK;
}

int
segment_open(struct segment *seg, const char *name, enum segment_access acc)
{
	int flags = acc == SEGMENT_WRITE ? O_RDWR : O_RDONLY;
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
	/* O_NONBLOCK: opening a FIFO must not hang before we refuse it. */
	seg->fd = open_descriptor(seg->object, seg->path,
	    flags | O_NONBLOCK, 0);
	if (seg->fd < 0)
		return report_open_error(seg);
	seg->writable = acc == SEGMENT_WRITE;
	if ((rc = check_regular(seg)) != SHM_OK) {
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
 * An interrupted create must not leave its temporary behind, holding
 * memory under a hidden name.  The handler can only see globals; this
 * path is the one the layer keeps, set while a temporary exists.
 */
static char pending_temp[PATH_MAX];

static void
on_interrupt(int sig)
{
	if (pending_temp[0] != '\0')
		unlink(pending_temp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
guard_temp(const char *temp)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGPIPE, SIGTERM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	snprintf(pending_temp, sizeof(pending_temp), "%s", temp);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void
forget_temp(struct segment *seg)
{
	pending_temp[0] = '\0';
	free(seg->temp);
	seg->temp = NULL;
}

void
segment_close(struct segment *seg)
{
	if (seg->temp != NULL) {
		if (unlink(seg->temp) != 0 && errno != ENOENT)
			shm_errno(seg->temp, "cannot remove");
		forget_temp(seg);
	}
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

int
segment_create(struct segment *seg, const char *name, mode_t mode)
{
	char object[NAME_MAX + 2];
	unsigned attempt;
	int rc;

	if ((rc = segment_resolve(seg, name)) != SHM_OK)
		return rc;
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
	guard_temp(seg->temp);
	seg->writable = true;
	/* The umask must not weaken an explicit -m, nor the 0600 default. */
	if (fchmod(seg->fd, mode) != 0 || fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	seg->size = 0;
	return SHM_OK;
}

int
segment_publish(struct segment *seg, bool replace)
{
	if (replace) {
		if (rename(seg->temp, seg->path) != 0)
			return shm_perror(seg->name);
	} else if (link(seg->temp, seg->path) != 0) {
		if (errno == EEXIST)
			return shm_error(seg->name, "already exists (--force "
			    "replaces it, --exist-ok keeps it)");
		return shm_perror(seg->name);
	} else if (unlink(seg->temp) != 0)
		return shm_errno(seg->temp, "cannot remove");
	forget_temp(seg);
	read_birth(seg);
	return SHM_OK;
}

int
segment_exists(const char *name, bool *exists)
{
	struct segment seg;
	struct stat st;
	int rc;

	if ((rc = segment_resolve(&seg, name)) != SHM_OK)
		return rc;
	*exists = stat(seg.path, &st) == 0;
	if (!*exists && errno != ENOENT)
		return shm_perror(name);
	return SHM_OK;
}

int
segment_remove(const char *name, bool missing_ok, struct stat *gone)
{
	struct segment seg;
	int rc;

	memset(gone, 0, sizeof(*gone));
	if ((rc = segment_resolve(&seg, name)) != SHM_OK)
		return rc;
	if (stat(seg.path, gone) != 0)
		memset(gone, 0, sizeof(*gone));
	else if (S_ISDIR(gone->st_mode))
		return shm_error(name, "is a directory");
	if (seg.object[0] != '\0')
		rc = shm_unlink(seg.object);
	else
		rc = unlink(seg.path);
	if (rc == 0)
		return SHM_OK;
	memset(gone, 0, sizeof(*gone));
	if (errno == ENOENT && missing_ok)
		return SHM_OK;
	return report_open_error(&seg);
}

int
segment_offset(const struct segment *seg, const char *what,
    const char *text, uint64_t *off)
{
	const char *err;

	if (text != NULL && (err = number_offset(text, seg->size, off)) !=
	    NULL)
		return shm_error(seg->name, "%s %s: %s (size %llu)", what,
		    text, err, (unsigned long long)seg->size);
	return SHM_OK;
}

int
segment_lock(struct segment *seg, bool exclusive)
{
	while (flock(seg->fd, exclusive ? LOCK_EX : LOCK_SH) != 0)
		if (errno != EINTR)
			return shm_errno(seg->name, "cannot lock");
	if (fstat(seg->fd, &seg->st) != 0)
		return shm_perror(seg->name);
	seg->size = (uint64_t)seg->st.st_size;
	return SHM_OK;
}

int
segment_resize(struct segment *seg, uint64_t size)
{
	if (size > INT64_MAX || ftruncate(seg->fd, (off_t)size) != 0)
		return shm_errno(seg->name, "cannot resize to %llu bytes",
		    (unsigned long long)size);
	seg->size = size;
	return SHM_OK;
}

int
segment_reserve(struct segment *seg, uint64_t off, uint64_t len)
{
#ifdef __linux__
	if (len == 0 || fallocate(seg->fd, 0, (off_t)off, (off_t)len) == 0)
		return SHM_OK;
	/* A file system without fallocate gets no guarantee, not an error. */
	if (errno == EOPNOTSUPP || errno == ENOSYS)
		return SHM_OK;
	return shm_perror(seg->name);
#else
	(void)seg, (void)off, (void)len;
	return SHM_OK;
#endif
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

	if ((rc = segment_map(seg, off, len, &w)) != SHM_OK || w.base == NULL)
		return rc;
	if (msync(w.base, w.map_len, async ? MS_ASYNC : MS_SYNC) != 0)
		rc = shm_errno(seg->name, "cannot flush");
	window_unmap(&w);
	return rc;
}

/*
 * SIGBUS is delivered to the thread touching a page the file no longer
 * has.  The handler can only jump back to segment_guard(), so the jump
 * buffer is the one piece of global state the layer keeps.
 */
static sigjmp_buf fault_jump;
static volatile sig_atomic_t fault_armed;

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
	struct sigaction sa, old;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old) != 0)
		return shm_perror("sigaction");
	if (sigsetjmp(fault_jump, 1) != 0) {
		fault_armed = 0;
		sigaction(SIGBUS, &old, NULL);
		return report_fault(seg);
	}
	fault_armed = 1;
	rc = fn(arg);
	fault_armed = 0;
	sigaction(SIGBUS, &old, NULL);
	return rc;
}
