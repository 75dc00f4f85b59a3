/*
 * lock.h - the segment's lock: flock(2) of its file, and inside it the
 * inner locks that keep apart the commands run within it; waiting with
 * a bound, naming who holds it, and passing it down to child commands.
 */
#ifndef SHM_LOCK_H
#define SHM_LOCK_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>

#include "util/shm.h"		/* LOCK_TIMEOUT */

/* The environment variable that carries held locks to child commands. */
#define LOCK_ENV	"SHM_LOCKED"

/*
 * A lock a segment holds.  Level 0 is the flock of the file; a command
 * that finds itself inside a lock of level n (one of its descriptors
 * holds it) takes level n + 1: a record lock of one byte of its own
 * open file description, LOCK_LEVELS bytes or less from the end of the
 * largest file there can be.
 */
#define LOCK_LEVELS	64

struct lock_hold {
	bool	held;
	int	level;		/* held, or last tried */
	int	fd;		/* held through; the one to pass down */
	bool	own;		/* fd was opened for the lock: close it */
	bool	exclusive;
};

/* lock_acquire's answer when the time ran out (util/shm.h's sentinels). */
enum { LOCK_TIMEOUT = -2 };

/* What to do inside a lock this process already holds. */
enum lock_inner {
	LOCK_INNER_NONE,	/* nothing: being inside is enough */
	LOCK_INNER_TAKE,	/* the next level; shared if not writable */
	LOCK_INNER_HOLD,	/* the next level, to pass down; else none */
};

/*
 * Locks fd's file st, exclusive or shared, within timeout seconds
 * (negative: as long as it takes; 0: not at all), inside any lock of
 * it this process already holds through another descriptor, as inner
 * says.  A lock held by a process that runs this one, and not passed
 * down, fails at once.  SHM_OK, LOCK_TIMEOUT, or SHM_FAIL after a
 * message naming name.
 */
int	lock_acquire(struct lock_hold *, int fd, const struct stat *st,
	    const char *name, bool exclusive, double timeout,
	    enum lock_inner inner);
/* Lets go what lock_acquire took; SHM_FAIL after a message. */
int	lock_release(struct lock_hold *, const char *name);
/* SHM_LOCK_TIMEOUT in seconds, or -1 when unset; SHM_FAIL if bad. */
int	lock_env_timeout(double *timeout);
/*
 * "pid 123 (shm lock q -- sleep 9)": the processes whose descriptors
 * hold st's lock of level (the last one tried), or "".
 */
void	lock_holders(const struct stat *st, int level, char *buf,
	    size_t size);
/*
 * "exclusive" or "shared" if pid's descriptor fd holds the flock of
 * st (fd's open file description does, whoever took it), else NULL.
 */
const char *lock_kind_held(long pid, int fd, const struct stat *st);
/* Records the hold in LOCK_ENV, and keeps its fd open across exec. */
int	lock_pass_on(const struct lock_hold *, const struct stat *st);

#endif
