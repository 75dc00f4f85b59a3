/*
 * window.c - mapped windows of a segment, and the SIGBUS guard every
 * touch of one happens under.
 */
#define _GNU_SOURCE		/* sync_file_range */
#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "seg/backend.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

int
segment_map(struct segment *seg, uint64_t off, uint64_t len,
    struct window *w)
{
	memset(w, 0, sizeof(*w));
	if (len == 0)
		return SHM_OK;
	return seg->ops->map(seg, off, len, w);
}

int
fd_map(struct segment *seg, uint64_t off, uint64_t len, struct window *w)
{
	long page = sysconf(_SC_PAGESIZE);
	int prot = PROT_READ | (seg->writable ? PROT_WRITE : 0);
	uint64_t start;

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
	return len == 0 ? SHM_OK : seg->ops->sync(seg, off, len, async);
}

int
fd_sync(struct segment *seg, uint64_t off, uint64_t len, bool async)
{
	struct window w;
	int rc;

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
	uint64_t now;

	if (seg->ops->size_now(seg, &now) != SHM_OK)
		return SHM_FAIL;
	return shm_error(seg->name, "segment shrank to %llu bytes while in "
	    "use", (unsigned long long)now);
}

static int
report_fault(struct segment *seg)
{
	uint64_t now;

	if (seg->ops->size_now(seg, &now) == SHM_OK && now < seg->size)
		return segment_shrank(seg);
	return shm_error(seg->name, "cannot access the mapped memory: no "
	    "space left on device or I/O error");
}

/*
 * Installed once and left: unarmed, the handler does what the default
 * would, and two threads restoring each other's old handler could
 * leave one of them unguarded.  SIGBUS is the layer's alone
 * (interrupt.c leaves it), so once is enough: a waiter guards a look
 * a millisecond, and a system call less is a third of a small look.
 */
static int
install(void)
{
	static volatile sig_atomic_t installed;
	struct sigaction sa;

	if (installed)
		return SHM_OK;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0)
		return shm_perror("sigaction");
	installed = 1;
	return SHM_OK;
}

/*
 * The signal mask is not saved at each guard (a system call): after a
 * fault only SIGBUS, blocked while its handler ran, is let through
 * again.
 */
static void
unblock_fault(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static int
guard(struct segment *seg, int (*fn)(void *), void *arg, bool quiet)
{
	int rc;

	if ((rc = install()) != SHM_OK)
		return rc;
	if (sigsetjmp(fault_jump, 0) != 0) {
		fault_armed = 0;
		unblock_fault();
		return quiet ? GUARD_FAULT : report_fault(seg);
	}
	fault_armed = 1;
	rc = fn(arg);
	fault_armed = 0;
	return rc;
}

int
segment_guard(struct segment *seg, int (*fn)(void *), void *arg)
{
	return guard(seg, fn, arg, false);
}

int
segment_guard_quiet(struct segment *seg, int (*fn)(void *), void *arg)
{
	return guard(seg, fn, arg, true);
}
