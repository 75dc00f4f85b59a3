/*
 * users.h - the processes that use a segment: map it, hold it open,
 * or hold or wait for its lock, from /proc.
 */
#ifndef SHM_USERS_H
#define SHM_USERS_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>

#define USES_MAX	32	/* ranges or descriptors kept a process */

struct range {
	uint64_t	 off, len;	/* in the segment */
	char		 perms[5];	/* "rw-s" */
};

struct user {
	long		 pid;
	uid_t		 uid;
	struct range	 maps[USES_MAX];
	int		 nmaps, more_maps;
	int		 fds[USES_MAX];
	int		 nfds, more_fds;
	char		 lock[24];	/* "exclusive", "waits shared"... */
};

/*
 * Calls fn(ctx, user) for each process (but this one) that uses the
 * file st describes, matched by device and inode; *hidden counts those
 * that could not be inspected.  SHM_OK, fn's nonzero return, or
 * SHM_FAIL if /proc cannot be read.
 */
int	users_scan(const struct stat *st, int (*fn)(void *,
	    const struct user *), void *ctx, int *hidden);

/* How many processes use it (those that may be inspected). */
int	users_count(const struct stat *st, int *count);

#endif
