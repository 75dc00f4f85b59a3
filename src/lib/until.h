/*
 * until.h - wait --as FORMAT --until 'OP VALUE': one typed value of a
 * segment compared with a value given as read --as would print it.
 */
#ifndef SHM_UNTIL_H
#define SHM_UNTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "seg/map.h"
#include "fmt/structfmt.h"

struct until {
	struct structfmt sf;
	int		 op;		/* one of until.c's OP_ */
	int		 kind;		/* integer, float or text */
	char		*want;		/* VALUE as read --as would print it */
	char		*text;		/* the value last read, printed */
	size_t		 len, cap;
	unsigned char	*buf;		/* its bytes */
};

/* Parses FORMAT (of one value) and 'OP VALUE'; a usage error if bad. */
int	until_parse(struct until *, const char *format, const char *test);
/*
 * The same for 'FIELD OP VALUE' (test) on a field of a layout, of the
 * format given, whose name field is: messages name it.
 */
int	until_parse_field(struct until *, const char *format,
	    const char *field, const char *test);
/* An error unless the value fits in the segment at off. */
int	until_fit(const struct segment *, const struct until *, uint64_t off);
/*
 * Reads the value at off into u->text; *holds if the test holds.  A
 * value the segment is too short for now does not hold: no error.
 */
int	until_check(struct segment *, struct until *, uint64_t off,
	    bool *holds);
void	until_free(struct until *);

#endif
