/*
 * notify.c - what the kernel reports of a segment: inotify on its file
 * (a write(2), a truncation; the file losing its name) and on the
 * directory its name is in (the name removed, or given to another
 * file).  A waiter wakes at a report at once, and looks again
 * unprompted only for what is never reported: a store through a
 * mapping.  Where nothing is reported (a SysV segment, no inotify, a
 * PORTABLE build, no watch to be had), fd is -1 and waiting is looking.
 */
#define _GNU_SOURCE		/* ppoll */
#if defined(__linux__) && !defined(SHM_PORTABLE)
#include <sys/inotify.h>
#endif
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "seg/backend.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

void
segment_notify_start(const struct segment *seg, struct segment_notify *n)
{
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	seg->ops->notify(seg, n);
}

bool
segment_notified(const struct segment_notify *n)
{
	return n->fd >= 0;
}

void
segment_notify_stop(struct segment_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

#if SHM_LINUX

#define FILE_EVENTS	(IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | \
			    IN_MOVE_SELF)
#define DIR_EVENTS	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			    IN_MOVED_TO | IN_ONLYDIR)

/*
 * The name's directory, and its last part into n->base: the directory
 * reports what happens to the name, the file what happens to the file.
 */
static bool
split_path(const char *path, char *dir, size_t size,
    struct segment_notify *n)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash == NULL ? path : slash + 1;

	if (strlen(base) >= sizeof(n->base) || base[0] == '\0')
		return false;
	strcpy(n->base, base);
	if (slash == NULL)
		return snprintf(dir, size, ".") > 0;
	if (slash == path)
		return snprintf(dir, size, "/") > 0;
	return snprintf(dir, size, "%.*s", (int)(slash - path), path) <
	    (int)size;
}

/*
 * The file open, through /proc, where that is there: the name may
 * already name another.  A file reached by a symbolic link reports its
 * own changes; the link's directory, those of the link.
 */
static int
watch_file(const struct segment *seg, int fd)
{
	char self[64];
	int wd;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", seg->fd);
	if ((wd = inotify_add_watch(fd, self, FILE_EVENTS)) >= 0)
		return wd;
	return inotify_add_watch(fd, seg->path, FILE_EVENTS |
	    (seg->object[0] != '\0' ? IN_DONT_FOLLOW : 0));
}

/*
 * No report of the name without its directory's: then the name is
 * looked at every time the pace is due, as when nothing is reported.
 * Armed before the first look, so that no change after that look goes
 * unreported; and the name looked at once after, as it may have gone
 * to another before the watch was set.
 */
void
fd_notify(const struct segment *seg, struct segment_notify *n)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!split_path(seg->path, dir, sizeof(dir), n))
		return;
	if ((n->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return;
	if (watch_file(seg, n->fd) < 0 ||
	    inotify_add_watch(n->fd, dir, DIR_EVENTS) < 0) {
		segment_notify_stop(n);
		return;
	}
	if (!fd_present(seg, &st) || !shm_same_file(&st, &seg->st))
		n->pending = REPORT_NAME;
}

/* What one report says: of the file, or of the name in the directory. */
static unsigned
what_event(const struct segment_notify *n, const struct inotify_event *e)
{
	if (e->mask & IN_Q_OVERFLOW)
		return REPORT_WRITTEN | REPORT_NAME;
	if (e->len > 0)
		return strcmp(e->name, n->base) == 0 ? REPORT_NAME :
		    REPORT_NONE;
	if (e->mask & IN_MODIFY)
		return REPORT_WRITTEN;
	if (e->mask & (IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
	    IN_IGNORED))
		return REPORT_NAME;
	return REPORT_NONE;
}

/* Reads all the reports there are, without waiting. */
static unsigned
drain(struct segment_notify *n)
{
	char buf[4096] __attribute__((aligned(__alignof__(
	    struct inotify_event))));
	const struct inotify_event *e;
	unsigned what = 0;
	ssize_t got;
	size_t at;

	while ((got = read(n->fd, buf, sizeof(buf))) > 0)
		for (at = 0; at < (size_t)got; at += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)(buf + at);
			what |= what_event(n, e);
		}
	if (got < 0 && errno != EAGAIN && errno != EINTR)
		what |= REPORT_WRITTEN | REPORT_NAME;
	return what;
}

/* Time from now to t, for ppoll; false if t has come. */
static bool
until(const struct timespec *t, struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = t->tv_sec - now.tv_sec;
	left->tv_nsec = t->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	return left->tv_sec >= 0;
}

/*
 * Reports until due: a signal ends the wait early, with none, so that
 * a caller looking for one sees it.  A read that fails counts as every
 * report: the look that follows is a look.  Read only when there is
 * something: an idle wait makes one system call a look.
 */
static unsigned
listen_until(struct segment_notify *n, const struct timespec *due)
{
	struct pollfd p = { n->fd, POLLIN, 0 };
	struct timespec left;
	unsigned what = REPORT_NONE;
	int rc;

	while (what == REPORT_NONE && until(due, &left)) {
		if ((rc = ppoll(&p, 1, &left, NULL)) > 0)
			what = drain(n);
		else if (rc < 0 && errno != EINTR)
			return REPORT_WRITTEN | REPORT_NAME;
		else
			return REPORT_NONE;
	}
	return what;
}

#else

void
fd_notify(const struct segment *seg, struct segment_notify *n)
{
	(void)seg;
	n->fd = -1;
}

static unsigned
listen_until(struct segment_notify *n, const struct timespec *due)
{
	(void)n;
	watch_sleep_until(due);
	return REPORT_NONE;
}

#endif

bool
segment_notify_sleep(struct segment_notify *n, struct watch *w,
    unsigned *what)
{
	struct timespec soonest, due;

	if (!watch_next(w, &soonest, &due))
		return false;
	*what = n->pending;
	n->pending = REPORT_NONE;
	if (*what == REPORT_NONE && n->fd >= 0)
		*what = listen_until(n, &due);
	else if (*what == REPORT_NONE)
		watch_sleep_until(&due);
	/* A report before the pace allows a look waits for it. */
	watch_sleep_until(&soonest);
	watch_woke(w);
	return true;
}
