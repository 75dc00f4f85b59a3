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

/* A process that uses the segment (not a user: its owner is uid). */
struct user_process {
	long		 pid;
	uid_t		 uid;
	struct range	 maps[USES_MAX];
	int		 nmaps, more_maps;
	int		 fds[USES_MAX];
	int		 nfds, more_fds;
	char		 lock[24];	/* "exclusive", "waits shared"... */
};

#define USERS_REASONS	4	/* reasons kept apart; more join the 4th */

/* The processes that could not be inspected, counted by reason. */
struct users_missed {
	int		 total;
	int		 nreasons;
	struct {
		int	 err;		/* an errno; EACCES for EPERM too */
		int	 count;
	}		 reason[USERS_REASONS];
};

/*
 * Calls fn(ctx, user) for each process (but this one) that uses the
 * file st describes, matched by device and inode; *missed counts those
 * that could not be inspected (all of them, or only their descriptors
 * or lock: each may still be passed to fn), a process that has gone
 * not among them.  SHM_OK, fn's nonzero return, or SHM_FAIL if /proc
 * cannot be read.
 */
int	users_scan(const struct stat *st, int (*fn)(void *,
	    const struct user_process *), void *ctx,
	    struct users_missed *missed);

/* How many processes use it, of those that could be inspected. */
int	users_count(const struct stat *st, int *count,
	    struct users_missed *missed);

/* Why a /proc file could not be read (errno): 0 if the process has gone. */
int	users_unread(int err);

/* Counts a process not inspected, under its reason (an errno). */
void	users_miss(struct users_missed *, int err);

/* Whether permission is the only reason any process was not inspected. */
bool	users_only_denied(const struct users_missed *);

/* Adds m's reasons to all's, each the larger of the two counts. */
void	users_join_missed(struct users_missed *all,
	    const struct users_missed *m);

/*
 * Says on standard error, a line a reason, how many processes could
 * not be inspected and why; true if none for a reason but permission.
 */
bool	users_say_missed(const char *name, const struct users_missed *);

#endif
