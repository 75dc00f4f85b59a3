/*
 * changelog.h - what shm watch prints when not on a terminal: a line
 * a change, flushed at once; tab-separated text or JSON; the bytes
 * that changed, or with --as the values.
 */
#ifndef SHM_CHANGELOG_H
#define SHM_CHANGELOG_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt/structfmt.h"
#include "lib/values.h"
#include "lib/watching.h"

/* A change longer than this is printed as several lines, in order. */
#define CHANGELOG_LINE_MAX	4096

struct changelog {
	struct watching		*v;
	bool			 json;
	uint64_t		 max;		/* changes to print; 0: all */
	uint64_t		 count;		/* changes printed */
	bool			 ended;		/* NAME removed or replaced */
	/* --as: records of sf from the range's start, names' fields. */
	const struct structfmt	*sf;
	const struct layout	*names;
	uint64_t		 records;
	unsigned char		*before;	/* the range before the look */
	bool			 dirty;		/* bytes changed this look */
	struct values		 values[2];	/* old, new */
};

/*
 * Sets the log up to print for v, and the sink for watching_run; with
 * sf, the values of `records` records of it (an error if out of
 * memory), called by the names of names where it has them.
 */
int	changelog_init(struct changelog *, struct watching *, bool json,
	    uint64_t max, const struct structfmt *sf,
	    const struct layout *names, uint64_t records,
	    struct watching_sink *);
void	changelog_free(struct changelog *);

#endif
