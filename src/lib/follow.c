/*
 * follow.c - copying what a segment gains, as it gains it.
 *
 * The segment's size is looked at when the kernel reports a write or
 * a truncation (seg/map.h's segment_notify), and every millisecond
 * (watch.h) for what it may not report, unless peers are said to write
 * only with write(2).  What is new is copied a piece at a time, each
 * piece read under the shared lock and written out without it: writers
 * are never kept waiting by a follower, whether it has nothing to do or
 * its reader has stopped reading.
 *
 * What a write(2) to standard output accepted is delivered, and the
 * cursor is saved after each one: a follower stopped by a signal goes
 * on at the next byte when started again, and one killed outright
 * repeats at most what its last write gave.  The last bytes delivered
 * are kept, and looked at again before each piece (and at the start,
 * through their digest in the cursor's record): a segment cut short,
 * or cut short and filled again past the position between two looks,
 * is no longer the stream delivered so far, and is followed again from
 * its start, as tail -f does.
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/follow.h"
#include "util/interrupt.h"
#include "util/shm.h"
#include "util/watch.h"

/* Read and written a piece at a time, with the lock let go between. */
#define FOLLOW_CHUNK	(1U << 20)
/* How many of the bytes delivered last are looked at again. */
#define FOLLOW_TAIL	256

struct follower {
	struct segment	*seg;
	struct cursor	*cur;		/* NULL: none to move (-o) */
	uint64_t	 pos;		/* the next byte to deliver */
	unsigned char	 tail[FOLLOW_TAIL];	/* the bytes before pos */
	size_t		 tail_len;	/* as many as pos, at most all */
	unsigned char	*buf;		/* a piece, FOLLOW_CHUNK bytes */
};

/*
 * NAME now names another segment, or none: the one followed is done.
 * (Asked of the layer: NAME is no path for a SysV segment.)
 */
static bool
gone(struct segment *seg)
{
	return segment_check_name(seg) != SEGMENT_NAMED;
}

/* The reader of a pipe on standard output has gone away. */
static bool
reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/*
 * FNV-1a: the record keeps this of the tail, not the bytes.  60 bits of
 * it, as the one number parser (number.c) takes no more than 63.
 */
static uint64_t
digest(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h >> 4;
}

/*
 * The cursor follows what was delivered; moving it takes the lock.  A
 * signal does not stop the save: the bytes are out, and a stop that
 * left the cursor behind them would send them again.  The wait is for
 * a writer's moment under the lock, or SHM_LOCK_TIMEOUT's bound.
 */
static int
save(struct follower *f)
{
	int rc;

	if (f->cur == NULL)
		return SHM_OK;
	interrupt_hold(true);
	if ((rc = segment_lock(f->seg, true)) == SHM_OK) {
		rc = cursor_save_after(f->cur, f->pos, digest(f->tail,
		    f->tail_len));
		if (segment_unlock(f->seg) != SHM_OK)
			rc = SHM_FAIL;
	}
	interrupt_hold(false);
	return rc;
}

/* What was delivered is not the segment's start any more. */
static void
start_over(struct follower *f, const char *why)
{
	(void)shm_error(f->seg->name, "%s; following from the start", why);
	f->pos = 0;
	f->tail_len = 0;
}

/*
 * Under the lock: reads the bytes before pos into now.  *why says why
 * they cannot be those delivered (the segment is shorter), or is NULL.
 */
static int
read_tail(struct follower *f, unsigned char *now, const char **why)
{
	size_t got;
	int rc;

	*why = NULL;
	f->tail_len = (size_t)shm_min(f->pos, FOLLOW_TAIL);
	if (f->seg->size < f->pos) {
		*why = "truncated";
		return SHM_OK;
	}
	rc = segment_read(f->seg, f->pos - f->tail_len, now, f->tail_len,
	    &got);
	if (rc == SHM_OK && got < f->tail_len)
		*why = "truncated";
	return rc;
}

/* Under the lock: why what was delivered is gone, or NULL. */
static int
look_back(struct follower *f, const char **why)
{
	unsigned char now[FOLLOW_TAIL];
	size_t kept = f->tail_len;
	int rc;

	if ((rc = read_tail(f, now, why)) != SHM_OK || *why != NULL)
		return rc;
	if (kept != f->tail_len || memcmp(now, f->tail, kept) != 0)
		*why = "rewritten";
	return SHM_OK;
}

/*
 * Where to start: the cursor's position, unless the record says the
 * segment was cut short or rewritten before it since it was saved.
 * Saved at once, with the digest, so the record claims its space
 * before anything is written out.
 */
static int
begin(struct follower *f)
{
	const char *why;
	int rc;

	if ((rc = segment_lock(f->seg, false)) != SHM_OK)
		return rc;
	rc = read_tail(f, f->tail, &why);
	if (segment_unlock(f->seg) != SHM_OK || rc != SHM_OK)
		return SHM_FAIL;
	if (why == NULL && f->cur != NULL && f->cur->cut)
		why = "truncated";
	if (why == NULL && f->cur != NULL && f->cur->checked &&
	    f->cur->check != digest(f->tail, f->tail_len))
		why = "rewritten";
	if (why != NULL)
		start_over(f, why);
	return save(f);
}

/* Delivered: n more bytes, the last of them now the tail. */
static void
keep_tail(struct follower *f, const unsigned char *p, size_t n)
{
	size_t keep;

	f->pos += n;
	if (n >= FOLLOW_TAIL) {
		memcpy(f->tail, p + n - FOLLOW_TAIL, FOLLOW_TAIL);
		f->tail_len = FOLLOW_TAIL;
		return;
	}
	keep = shm_min(f->tail_len, FOLLOW_TAIL - n);
	memmove(f->tail, f->tail + f->tail_len - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->tail_len = keep + n;
}

/*
 * Writes len bytes of the piece out, saving the cursor after each
 * write(2) at exactly what it accepted.  A caught signal stops it, with
 * nothing said: main then dies of it (interrupt.h).
 */
static int
deliver(struct follower *f, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int rc;

	while (done < len) {
		n = write(STDOUT_FILENO, f->buf + done, len - done);
		if (n < 0 && errno == EINTR && !interrupt_caught())
			continue;
		if (n < 0 && interrupt_caught())
			return SHM_FAIL;
		if (n < 0)
			return shm_perror("standard output");
		keep_tail(f, f->buf + done, (size_t)n);
		done += (size_t)n;
		if ((rc = save(f)) != SHM_OK)
			return rc;
		if (interrupt_caught())
			return SHM_FAIL;
	}
	return SHM_OK;
}

/*
 * Copies one piece of what is new: read under the shared lock, written
 * out after it is let go, so that a reader stalled on a full pipe keeps
 * no writer waiting.  *got is 0 when there was nothing new.
 */
static int
copy_piece(struct follower *f, size_t *got)
{
	struct segment *seg = f->seg;
	const char *why = NULL;
	int rc;

	*got = 0;
	if ((rc = segment_lock(seg, false)) != SHM_OK)
		return rc;
	if ((rc = look_back(f, &why)) == SHM_OK && why != NULL)
		start_over(f, why);
	if (rc == SHM_OK)
		rc = segment_read(seg, f->pos, f->buf, (size_t)shm_min(
		    seg->size - f->pos, FOLLOW_CHUNK), got);
	if (segment_unlock(seg) != SHM_OK || rc != SHM_OK)
		return SHM_FAIL;
	if (why != NULL && (rc = save(f)) != SHM_OK)
		return rc;
	return deliver(f, *got);
}

/* Copies all that is new; *more if anything was. */
static int
copy_new(struct follower *f, bool *more)
{
	size_t got = 0;
	int rc;

	*more = false;
	do {
		rc = copy_piece(f, &got);
		*more = *more || got > 0;
	} while (rc == SHM_OK && got > 0);
	return rc;
}

/* Waits for what comes next at the pace asked. */
static void
watch_again(struct watch *w, const struct segment_notify *n,
    double timeout, bool no_poll)
{
	watch_start(w, timeout);
	if (no_poll && segment_notified(n))
		watch_rarely(w);
}

static int
follow_from(struct follower *f, struct segment_notify *n, double timeout,
    bool no_poll)
{
	struct watch w;
	unsigned what;
	bool more;
	int rc;

	if ((rc = begin(f)) != SHM_OK)
		return rc;
	watch_again(&w, n, timeout, no_poll);
	for (;;) {
		if ((rc = copy_new(f, &more)) != SHM_OK)
			return rc;
		/* --timeout counts from the last bytes that came. */
		if (more)
			watch_again(&w, n, timeout, no_poll);
		if (gone(f->seg))
			return copy_new(f, &more);
		if (reader_gone())
			return raise(SIGPIPE), SHM_FAIL;
		if (interrupt_caught())
			return SHM_FAIL;
		if (!segment_notify_sleep(n, &w, &what))
			return SHM_NOMATCH;
	}
}

int
follow(struct segment *seg, uint64_t off, struct cursor *cur,
    double timeout, bool no_poll)
{
	struct follower f = { .seg = seg, .cur = cur, .pos = off };
	struct segment_notify n;
	int rc;

	if ((f.buf = malloc(FOLLOW_CHUNK)) == NULL)
		return shm_perror(seg->name);
	/* Before the first look: what comes after it is reported. */
	segment_notify_start(seg, &n);
	rc = follow_from(&f, &n, timeout, no_poll);
	segment_notify_stop(&n);
	free(f.buf);
	return rc;
}
