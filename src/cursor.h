/*
 * cursor.h - the cursor: a segment's position, kept between commands.
 *
 * Python's mmap object remembers where the last read or write ended;
 * shell commands are separate processes, so the position lives in a
 * small file per segment in the user's state directory.  Callers hold
 * the segment's exclusive lock while they read, use and move it.
 */
#ifndef SHM_CURSOR_H
#define SHM_CURSOR_H

#include <sys/stat.h>

#include <stdint.h>

#include "map.h"

/* The cursor of seg: 0 when none was kept or the segment is new. */
int	cursor_get(const struct segment *, uint64_t *pos);
int	cursor_set(const struct segment *, uint64_t pos);
/*
 * Where a read or write works: OFFSET if the user gave one (negative
 * counts from the end), else the cursor.
 */
int	cursor_or_offset(const struct segment *, const char *offset,
	    uint64_t *pos);
/* Drop what is kept for the file st describes (removed or re-created). */
int	cursor_forget(const struct stat *);

#endif
