/*
 * typed.h - read --as and write --as: values laid out as Python's
 * struct module lays them out, at an offset or the cursor.
 */
#ifndef SHM_TYPED_H
#define SHM_TYPED_H

#include <stddef.h>

#include "seg/map.h"

/* The end of read's and write's usage: what a FORMAT may hold. */
#define TYPED_CODES_HELP \
"\n" \
"FORMAT is Python's struct notation: a byte order, @ native and aligned\n" \
"(the default), = native, < little-endian, > or ! big-endian; then codes,\n" \
"each with an optional count: x pad byte, c char, b B 8-bit, ? bool,\n" \
"h H 16-bit, i I 32-bit, l L 32-bit (with @, a C long), q Q 64-bit,\n" \
"n N ssize_t size_t and P pointer (@ only), e f d 16/32/64-bit float,\n" \
"s bytes (4s: 4 bytes), p Pascal string.\n"

/* Unpack FORMAT at OFFSET (NULL: the cursor, which then moves past). */
int	typed_read(struct segment *, const char *format, const char *offset,
	    unsigned long columns);
/* Pack the values and write them there, all or nothing. */
int	typed_write(struct segment *, const char *format, const char *offset,
	    char *const values[], size_t nvalues);

#endif
