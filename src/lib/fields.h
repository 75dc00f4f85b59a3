/*
 * fields.h - read, write and wait by name: a layout's fields, at an
 * offset of a segment.
 */
#ifndef SHM_FIELDS_H
#define SHM_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt/layout.h"
#include "seg/map.h"

/* The end of a usage that takes --as LAYOUT or --layout FILE. */
#define FIELDS_HELP \
"\n" \
"A LAYOUT is a FORMAT whose items may have names, NAME:CODE, as in\n" \
"'< seq:Q len:I name:16s price:d 4x'.  --layout FILE reads one from\n" \
"FILE, an item a line, '#' starting a comment.  A layout with names\n" \
"describes a record at OFFSET (default 0); the cursor is left alone.\n"

/* The --layout row of an option table (util/opt.h), for every command. */
#define LAYOUT_OPTION(key) { key, "layout", OPT_VALUE, "FILE", \
	"as --as, the LAYOUT in FILE", OPT_FILE }

/* Whether --as TEXT (with a name in it) or --layout FILE asks for one. */
bool	fields_wanted(const char *as, const char *file);
/* Parses --as TEXT or --layout FILE; a message and SHM_FAIL if bad. */
int	fields_load(const char *as, const char *file, struct layout *);
/*
 * An error naming the first field past the end of the segment, with
 * the layout at off.
 */
int	fields_fit(const struct segment *, const struct layout *,
	    uint64_t off);
/*
 * Prints the fields listed in select (commas; NULL: all, and the
 * unnamed values one a line as read --as prints them) as NAME=VALUE
 * lines, or with json as one object.
 */
int	fields_read(struct segment *, const struct layout *,
	    const char *offset, const char *select, bool json);
/*
 * Sets NAME=VALUE, adds NAME+=N or subtracts NAME-=N, all or nothing
 * under the exclusive lock, changing only those fields' bytes; prints
 * the new value of each += and -=, in order.
 */
int	fields_write(struct segment *, const struct layout *,
	    const char *offset, char *const assignments[], size_t n);
/* For wait --until 'FIELD OP VALUE': the field, of one value. */
int	fields_until(const struct layout *, const char *test,
	    const struct layout_field **);

#endif
