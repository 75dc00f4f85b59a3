/*
 * typed.h - read --as and write --as: values laid out as Python's
 * struct module lays them out, at an offset or the cursor.
 */
#ifndef SHM_TYPED_H
#define SHM_TYPED_H

#include <stddef.h>

#include "map.h"

/* Unpack FORMAT at OFFSET (NULL: the cursor, which then moves past). */
int	typed_read(struct segment *, const char *format, const char *offset,
	    unsigned long columns);
/* Pack the values and write them there, all or nothing. */
int	typed_write(struct segment *, const char *format, const char *offset,
	    char *const values[], size_t nvalues);

#endif
