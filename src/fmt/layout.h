/*
 * layout.h - a struct format whose items may carry names:
 * '< seq:Q len:I name:16s price:d 4x'.
 */
#ifndef SHM_LAYOUT_H
#define SHM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fmt/structfmt.h"

enum layout_type {
	LAYOUT_PAD, LAYOUT_INTEGER, LAYOUT_FLOAT, LAYOUT_BOOL, LAYOUT_BYTES
};

/* One item: a run of one code, "vals:3i" or an unnamed "4x". */
struct layout_field {
	char		*name;		/* NULL: an unnamed item */
	char		*item;		/* as written, for messages */
	char		*format;	/* the item alone, "<3i" */
	struct structfmt sf;		/* of format: sf.size, sf.count */
	size_t		 offset;	/* in the layout, aligned */
	size_t		 count;		/* the repeat count */
	char		 code;
	enum layout_type type;
};

struct layout {
	char		*format;	/* struct's, the names left out */
	struct structfmt sf;		/* of format: sf.size is the size */
	char		 order;		/* @ = < > ! */
	struct layout_field *fields;
	size_t		 nfields;
	bool		 named;		/* some item has a name */
};

/* The longest name: what any C compiler tells apart. */
#define LAYOUT_NAME_MAX	63

/* Room for a message of layout_parse's. */
#define LAYOUT_ERRLEN	(STRUCTFMT_ERRLEN + 128)

/*
 * Parses text into l.  Whitespace (newlines too) may stand between
 * items; a named item ends at whitespace.  Returns 0, or -1 with err
 * holding "ITEM: reason" and *line the line of text the item is on.
 */
int	layout_parse(const char *text, struct layout *l, char *err,
	    size_t errlen, size_t *line);
/* The field named name, or NULL. */
const struct layout_field *layout_find(const struct layout *,
	    const char *name, size_t len);
/*
 * The name of value i of a record (i counts values as struct.unpack
 * returns them): the field's, or "vals[2]" for one of a counted
 * field's, in buf; NULL where an unnamed item holds it.
 */
const char *layout_value_name(const struct layout *, size_t i, char *buf,
	    size_t size);
/*
 * Prints the field's values at buf (the layout's first byte): one
 * value as read --as prints it, or several separated by spaces; with
 * json, as a JSON value (layout.c says how).
 */
int	layout_print(FILE *, const struct layout_field *,
	    const unsigned char *buf, bool json);
void	layout_free(struct layout *);

#endif
