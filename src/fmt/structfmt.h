/* structfmt.h - Python struct format strings: size, pack and unpack */
#ifndef SHM_STRUCTFMT_H
#define SHM_STRUCTFMT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A parsed format.  It points into the format string instead of
 * copying runs out of it, so '1000000000s' costs no memory; the string
 * must outlive the struct.
 */
struct structfmt {
	const char	*codes;		/* the format after its prefix */
	bool		 native;	/* '@': native sizes and alignment */
	bool		 little;	/* little-endian byte order */
	size_t		 size;		/* struct.calcsize() */
	size_t		 count;		/* values packed or unpacked */
};

/* Room for any message structfmt_pack writes, the value cut short. */
#define STRUCTFMT_ERRLEN	256

/*
 * Receives the text of one unpacked value.  A long string arrives in
 * pieces, the last with end set.  A nonzero return stops the unpacking
 * and becomes structfmt_unpack's result.
 */
typedef int structfmt_emit(void *ctx, const char *text, size_t len,
    bool end);

/* NULL, or Python's message for a bad format, such as "bad char ...". */
const char	*structfmt_parse(const char *fmt, struct structfmt *sf);

/* Reads sf->size bytes at buf; returns 0 or emit's nonzero. */
int		 structfmt_unpack(const struct structfmt *sf,
		    const unsigned char *buf, structfmt_emit *emit, void *ctx);

/*
 * Packs the values as typed into sf->size bytes at out.
 * Returns NULL, or err holding a message naming the bad value.  On
 * error out holds garbage, so callers copy it only on success.
 */
const char	*structfmt_pack(const struct structfmt *sf,
		    char *const values[], size_t nvalues, unsigned char *out,
		    char *err, size_t errlen);

#endif
