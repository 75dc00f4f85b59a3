/*
 * readahead.h - a range of a segment in chunks, the next one read on
 * another core while the caller works on this one: for a command whose
 * work on each chunk costs about what reading it does (dump formats
 * each byte into four), the two overlap.
 */
#ifndef SHM_READAHEAD_H
#define SHM_READAHEAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/map.h"
#include "util/shm.h"

/* A chunk read, or being read: segment_read_sparse's answer. */
struct readahead_chunk {
	unsigned char		*buf;
	const unsigned char	*data;
	size_t			 got;
	int			 rc;
	bool			 ready;	/* read, and not yet given back */
};

struct readahead {
	struct segment		*seg;
	uint64_t		 off, end;	/* the next read; the range's end */
	size_t			 size;		/* of a chunk */
	struct readahead_chunk	 chunk[2];
	unsigned		 next;		/* the one the caller gets next */
	bool			 given;		/* the other is the caller's */
	bool			 threaded, stop;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct error_line	 line;		/* the reader's, held */
};

/* Reads [off, off + len) of seg in chunks of size: SHM_OK, or SHM_FAIL. */
int	readahead_start(struct readahead *, struct segment *, uint64_t off,
	    uint64_t len, size_t size);
/*
 * The next chunk, as segment_read_sparse gives it; *got 0 at the end.
 * The one before is given back: its bytes may change from now on.
 */
int	readahead_next(struct readahead *, const unsigned char **data,
	    size_t *got);
/* Stops the reader (at once) and frees it all. */
void	readahead_end(struct readahead *);

#endif
