/*
 * hexrange.h - a range of a segment as a hex dump, on two cores: each
 * thread reads and formats every other chunk, and the text goes out in
 * order.  Formatting costs more than reading, so a reader thread beside
 * one formatter would idle half the time.
 */
#ifndef SHM_HEXRANGE_H
#define SHM_HEXRANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/hexdump.h"
#include "seg/map.h"

/*
 * Dumps [off, off + len) of seg to fd (named fdname in messages) in
 * chunks of chunk bytes (a multiple of 16), on two threads if threads
 * is set and a second processor and thread are to be had.  SHM_OK, or
 * SHM_FAIL after one message; a write that finds the reader gone
 * raises SIGPIPE, as it would have on the main thread.
 */
int	hexrange_dump(struct segment *seg, const struct hexdump_options *,
	    uint64_t off, uint64_t len, size_t chunk, bool threads, int fd,
	    const char *fdname);

#endif
