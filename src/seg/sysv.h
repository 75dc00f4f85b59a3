/*
 * sysv.h - SysV shared memory, as list --sysv shows it.  SysV segments
 * themselves (sysv:KEY, sysvid:ID) are a kind of segment (backend.h),
 * used through map.h as any other.
 */
#ifndef SHM_SYSV_H
#define SHM_SYSV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* The lines of list --sysv, as ipcs -m shows them. */
int	sysv_list(bool json, bool header);

/* A SysV segment gc may remove: see sysv_orphans. */
struct sysv_orphan {
	int		 id;
	long		 key;
	uint64_t	 size, allocated;
};
/*
 * Calls fn(ctx, orphan) for each SysV segment with nothing attached
 * whose creator process is gone, unchanged, unattached and undetached
 * since before, and the caller's (its owner or creator) unless all.
 * SHM_OK, fn's nonzero answer, or SHM_FAIL after a message.
 */
int	sysv_orphans(time_t before, bool all, int (*fn)(void *,
	    const struct sysv_orphan *), void *ctx);
/*
 * Marks segment id for removal if it is still such an orphan; else
 * (attached since, gone) *removed is false, and no message.
 */
int	sysv_remove_orphan(int id, time_t before, bool all, bool *removed);

#endif
