/*
 * compare.h - walk two segments (or a segment and a stream) side by
 * side and hand over the lines that differ, for shm diff.
 */
#ifndef SHM_COMPARE_H
#define SHM_COMPARE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/map.h"

/* Bytes a line: the lines of hexdump -C, counted from the start. */
#define COMPARE_LINE	16

/* An extent of a side: from where it was asked, all hole or all data. */
struct extent {
	bool		 hole;
	uint64_t	 end;
};

/* One side: a segment open, or a stream (standard input) read in order. */
struct compare_side {
	const char	*name;		/* for messages */
	struct segment	*seg;		/* NULL: the stream fd */
	int		 fd;
	uint64_t	 size;		/* a stream's: known once ended */
	bool		 ended;		/* a segment's is known from the start */
	/* Bytes read: a segment's window, the stream's [buf_off, +buf_len). */
	unsigned char	*buf;
	uint64_t	 buf_off;
	size_t		 buf_len;
	uint64_t	 ext_start;	/* the last extent asked for */
	struct extent	 ext;
};

/*
 * A line that differs, at off: a_len bytes of A and b_len of B (fewer
 * than COMPARE_LINE at an end, 0 past it), and `repeat` lines in all
 * from off holding those same bytes (a run of zeros in a hole, which
 * is not read).  A nonzero return stops the walk, as -q wants.
 */
typedef int compare_emit(void *ctx, uint64_t off, const unsigned char *a,
    size_t a_len, const unsigned char *b, size_t b_len, uint64_t repeat);

struct compare {
	struct compare_side	 side[2];
	uint64_t		 start;		/* lines count from here */
	uint64_t		 len;		/* at most this many bytes */
	compare_emit		*emit;
	void			*ctx;
	atomic_bool		*cancel;	/* set: stop (a worker's) */
};

/* A segment's side, or the stream's (seg NULL: standard input). */
void	compare_side_init(struct compare_side *, struct segment *seg);
void	compare_side_free(struct compare_side *);

/*
 * Walks [start, start+len) of both sides, emitting each line that
 * differs, in order; *differ tells whether any did (a size too).
 * Holes on both sides are skipped unread: a hole reads as zeros.
 */
int	compare_run(struct compare *, bool *differ);

/*
 * Up to COMPARE_LINE bytes at off of a segment side, for a line of
 * context: both sides hold the same there.  *got is 0 past the end.
 */
int	compare_fetch(struct compare *, uint64_t off, unsigned char *buf,
	    size_t *got);

/*
 * len bytes of a side at off, fewer past its end; a stream's offsets
 * only ever grow.
 */
int	compare_read(struct compare_side *, uint64_t off, unsigned char *buf,
	    size_t len, size_t *got);

/* A stream's size, read to its end if need be (a segment's is known). */
int	compare_size(struct compare_side *, uint64_t *size);

#endif
