/*
 * sysv.h - SysV shared memory, as list --sysv shows it.  SysV segments
 * themselves (sysv:KEY, sysvid:ID) are a kind of segment (backend.h),
 * used through map.h as any other.
 */
#ifndef SHM_SYSV_H
#define SHM_SYSV_H

#include <stdbool.h>

/* The lines of list --sysv, as ipcs -m shows them. */
int	sysv_list(bool json, bool header);

#endif
