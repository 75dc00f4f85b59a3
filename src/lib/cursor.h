/*
 * cursor.h - the cursor: a segment's position, kept between commands.
 *
 * Python's mmap object remembers where the last read or write ended;
 * shell commands are separate processes, so the position lives in a
 * small file per segment in the user's state directory.  Callers hold
 * the segment's exclusive lock from cursor_open to cursor_save.  A
 * segment has a default cursor and any number of named ones, one for
 * each reader (seg->cursor_name, else $SHM_CURSOR).
 */
#ifndef SHM_CURSOR_H
#define SHM_CURSOR_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>

#include "seg/map.h"
#include "util/opt.h"

struct cursor {
	const struct segment	*seg;
	uint64_t		 pos;	/* 0 when none was kept */
	int			 fd;	/* the record, when it will be saved */
	char			 ident[48];	/* whose position it is */
	bool			 found;	/* a record of this file was there */
	bool			 cut;	/* the position kept was past the end */
	bool			 checked;	/* the record has a check: */
	uint64_t		 check;	/* read --follow's, of bytes before pos */
	uint64_t		 held;	/* the record's position, as left */
};

/* The longest name of a cursor (--cursor NAME). */
#define CURSOR_NAME_MAX	64

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
/*
 * For a command that keeps the cursor open while others run (read
 * --follow), under the exclusive lock: saves pos, with check, the
 * caller's digest of the bytes before it, unless another command moved
 * the cursor since this command read or saved it (cur->held) and pos
 * is not past that move: so the cursor never goes back past another
 * command's move.
 */
int	cursor_save_after(struct cursor *, uint64_t pos, uint64_t check);
void	cursor_close(struct cursor *);
/*
 * Where a read or write works: OFFSET if the user gave one (negative
 * counts from the end; the cursor is then left alone), else the cursor,
 * opened to be moved.  cursor_close(cur) in either case.
 */
int	cursor_or_offset(const struct segment *, const char *offset,
	    struct cursor *, uint64_t *pos);
/*
 * The lock, then cursor_or_offset: the order every command keeps.  The
 * lock is exclusive if asked for, and whenever the cursor is to move,
 * as a record is rewritten only under the exclusive lock.
 */
int	cursor_lock_at(struct segment *, bool exclusive, const char *offset,
	    struct cursor *, uint64_t *pos);
/*
 * Drop every cursor kept for the file st describes (removed or made
 * again): the default one and the named ones.
 */
int	cursor_forget(const struct stat *);
/*
 * After a change made under the exclusive lock to a file whose only
 * identity is its ctime (was, from segment_identity under the lock):
 * the change moved the ctime, but the file is still the one its
 * records are for, as an inode is not reused while it is held open.
 * Records saved under was are rewritten under the ctime it has now,
 * so the change does not cost the file its cursors.  Quiet: a record
 * it cannot rewrite stays as it was.
 */
void	cursor_keep_up(const struct segment *, const char *was);
/* Calls fn(ctx, name, pos) for each named cursor of seg; SHM_OK or fn's. */
int	cursor_each(const struct segment *, int (*fn)(void *, const char *,
	    uint64_t), void *ctx);
/* NULL if name can be a cursor's name (--cursor NAME), else why not. */
const char *cursor_check_name(const char *name);
/* --cursor NAME: *out = NAME, or a usage error. */
int	cursor_option(const char *arg, const char **out);

/* The --cursor row of the option tables that take it. */
#define CURSOR_OPTION(key) { key, "cursor", OPT_VALUE, "NAME", \
	"use the cursor NAME, one of a reader's own (default: " \
	"$SHM_CURSOR, else the segment's)", NULL }

#endif
