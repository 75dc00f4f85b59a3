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
/*
 * The same, but a message starts "LABEL: " (a one-value format) or
 * "LABEL: value N ('text'): " instead of "value N ('text'): ".
 */
const char	*structfmt_pack_labelled(const struct structfmt *sf,
		    const char *label, char *const values[], size_t nvalues,
		    unsigned char *out, char *err, size_t errlen);

/* One run of codes: "3I" is three items of 4 bytes, "4s" one of 4. */
struct structfmt_run {
	char		 code;		/* the letter */
	size_t		 count;		/* the repeat count */
	size_t		 size;		/* of one item */
	size_t		 offset;	/* of the first, aligned as Python */
};

/* Calls visit on each run in turn until one returns nonzero. */
int		 structfmt_runs(const struct structfmt *sf,
		    int (*visit)(const struct structfmt_run *, void *),
		    void *arg);

#endif
