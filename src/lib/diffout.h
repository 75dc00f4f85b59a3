/*
 * diffout.h - what shm diff prints: hexdump -C lines marked '-' and
 * '+', ranges as JSON, or typed values that differ.
 */
#ifndef SHM_DIFFOUT_H
#define SHM_DIFFOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt/layout.h"
#include "lib/compare.h"

/* A JSON range holds at most this many bytes; a longer one is split. */
#define DIFFOUT_RANGE_MAX	4096

enum diffout_kind { DIFFOUT_QUIET, DIFFOUT_TEXT, DIFFOUT_JSON };

/* The printer's state; the compare's emit and ctx are set from it. */
struct diffout {
	enum diffout_kind	 kind;
	bool			 color;
	struct compare		*c;
	int			 rc;		/* a fetch's failure */
	/* The last line that differed, for context and squeezing. */
	bool			 have_last;
	uint64_t		 last_off;
	unsigned char		 last[2][COMPARE_LINE];
	size_t			 last_len[2];
	bool			 squeezing;
	/* --json: the range being gathered. */
	bool			 open;
	uint64_t		 range_off, next_off;
	unsigned char		 bytes[2][DIFFOUT_RANGE_MAX];
	size_t			 len[2], range_len;
	unsigned char		 gap[COMPARE_LINE];	/* equal bytes since */
	size_t			 gap_len;
};

/* Sets c's emit to print as kind says. */
void	diffout_init(struct diffout *, enum diffout_kind, bool color,
	    struct compare *c);
/* After compare_run: the last context line, the sizes if they differ. */
int	diffout_finish(struct diffout *);

/*
 * --as: the values of FORMAT at off, side by side, one record of it or
 * as many as length holds; prints "LABEL: A -> B" for each that
 * differs (values_label's: a field of names, NULL or not, or an index),
 * and sets *differ if any does.
 */
int	diffout_values(struct compare *, const char *format,
	    const struct layout *names, uint64_t off, uint64_t length,
	    bool has_length, enum diffout_kind, bool *differ);

#endif
