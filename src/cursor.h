/*
 * cursor.h - the cursor: a segment's position, kept between commands.
 *
 * Python's mmap object remembers where the last read or write ended;
 * shell commands are separate processes, so the position lives in a
 * small file per segment in the user's state directory.  Callers hold
 * the segment's exclusive lock from cursor_open to cursor_save.
 */
#ifndef SHM_CURSOR_H
#define SHM_CURSOR_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>

#include "map.h"

struct cursor {
	const struct segment	*seg;
	uint64_t		 pos;	/* 0 when none was kept */
	int			 fd;	/* the record, when it will be saved */
	char			 ident[48];	/* whose position it is */
};

enum cursor_use {
	CURSOR_LOOK,		/* only read the position */
	CURSOR_MOVE,		/* and save a new one later */
	CURSOR_SET,		/* save one later, whatever it was before */
};

/*
 * Reads seg's cursor into cur->pos.  With CURSOR_MOVE, the record is
 * also made ready to be saved, so that every failure that can be
 * foreseen (no state directory, no permission, a full file system)
 * happens now, before the caller changes any byte.
 */
int	cursor_open(const struct segment *, struct cursor *, enum cursor_use);
/* Saves pos (after cursor_open with CURSOR_MOVE). */
int	cursor_save(struct cursor *, uint64_t pos);
void	cursor_close(struct cursor *);
/*
 * Where a read or write works: OFFSET if the user gave one (negative
 * counts from the end; the cursor is then left alone), else the cursor,
 * opened to be moved.  cursor_close(cur) in either case.
 */
int	cursor_or_offset(const struct segment *, const char *offset,
	    struct cursor *, uint64_t *pos);
/* Drop what is kept for the file st describes (removed or re-created). */
int	cursor_forget(const struct stat *);

#endif
