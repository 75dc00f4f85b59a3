/*
 * sysv.h - SysV shared memory as segments: sysv:KEY and sysvid:ID.
 * Attached with shmat(2), they have memory but no descriptor, so the
 * mapping layer reads and writes them through memory instead.
 */
#ifndef SHM_SYSV_H
#define SHM_SYSV_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/map.h"

/* Whether NAME names a SysV segment ("sysv:KEY", "sysvid:ID"). */
bool	sysv_is_name(const char *name);
/* Fills in seg for NAME (no system call); an error if malformed. */
int	sysv_resolve(struct segment *, const char *name);
/*
 * Finds and attaches it (read-only unless acc is SEGMENT_WRITE); st as a
 * file's would be, with the device and inode (the id) that
 * /proc/PID/maps shows for it.
 */
int	sysv_open(struct segment *, enum segment_access);
void	sysv_close(struct segment *);
/* For who: attached read-only, which is all who needs. */
int	sysv_lookup(struct segment *);
/* Its size again: a SysV segment keeps its size, but may be removed. */
int	sysv_refresh(struct segment *);
/*
 * segment_present and segment_check_name for a SysV segment: one marked
 * for removal is gone, though it lives on while attached.
 */
bool	sysv_present(const struct segment *, struct stat *);
enum segment_naming sysv_check_name(struct segment *);
/* Marks it for removal (IPC_RMID): gone once the last detaches. */
int	sysv_remove(const char *name, bool missing_ok);
/* The lines of list --sysv, as ipcs -m shows them. */
int	sysv_list(bool json, bool header);

/* Copies from the attached memory to a descriptor. */
int	sysv_copy_out(struct segment *, uint64_t off, uint64_t len, int fd,
	    const char *fdname, uint64_t *copied);
/* The error for a change of size: "be resized", "grow". */
int	sysv_fixed_size(const struct segment *, const char *what);

#endif
