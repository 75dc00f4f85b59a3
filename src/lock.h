/*
 * lock.h - the segment's flock(2): waiting with a bound, naming who
 * holds it, and the locks an enclosing 'shm lock' passes down to the
 * commands it runs.
 */
#ifndef SHM_LOCK_H
#define SHM_LOCK_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>

#include "shm.h"		/* LOCK_TIMEOUT */

/* The environment variable that carries held locks to child commands. */
#define LOCK_ENV	"SHM_LOCKED"

/*
 * How an enclosing 'shm lock' holds the file st describes, through a
 * descriptor this process inherited (*fd, if fd is not NULL): 0 (not
 * at all), 's' or 'x'.  The innermost 'shm lock' counts: a shared one
 * inside an exclusive one allows no change.
 */
int	lock_inherited(const struct stat *st, int *fd);
/*
 * flock(fd) shared or exclusive, waiting at most timeout seconds
 * (negative: as long as it takes; 0: not at all).  SHM_OK, LOCK_TIMEOUT,
 * or SHM_FAIL after a message naming name.
 */
int	lock_take(int fd, const char *name, bool exclusive, double timeout);
/* SHM_LOCK_TIMEOUT in seconds, or -1 when unset; SHM_FAIL if bad. */
int	lock_env_timeout(double *timeout);
/* "pid 123 (shm lock q -- sleep 9)", the holders of st's lock, or "". */
void	lock_holders(const struct stat *st, char *buf, size_t size);
/* Records fd's lock in LOCK_ENV, and keeps fd open across exec. */
int	lock_pass_on(int fd, const struct stat *st, bool exclusive);

#endif
