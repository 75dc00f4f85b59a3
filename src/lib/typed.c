/*
 * typed.c - struct.unpack and struct.pack on a segment.
 *
 * The codec (structfmt.c) turns bytes into text and back; this file
 * places them: it checks the format fits at the offset, reads or
 * writes the bytes through the mapping layer, and moves the cursor.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/cursor.h"
#include "fmt/structfmt.h"
#include "lib/typed.h"
#include "util/shm.h"

struct printer {
	unsigned long	 columns;
	unsigned long	 column;	/* values on the current line */
	bool		 within;	/* a long value arrives in pieces */
};

/* One value a line, or `columns` of them separated by spaces. */
static int
print_value(void *ctx, const char *text, size_t len, bool end)
{
	struct printer *pr = ctx;

	if (pr->column > 0 && !pr->within)
		putchar(' ');
	fwrite(text, 1, len, stdout);
	pr->within = !end;
	if (end && ++pr->column == pr->columns) {
		putchar('\n');
		pr->column = 0;
	}
	return 0;
}

static int
parse_format(const char *format, struct structfmt *sf)
{
	const char *err;

	if ((err = structfmt_parse(format, sf)) != NULL)
		return shm_error(NULL, "format '%s': %s", format, err);
	return SHM_OK;
}

/* Where the values go, and a check that all of them fit there. */
static int
place(struct segment *seg, const char *format, const struct structfmt *sf,
    const char *offset, bool exclusive, struct cursor *cur, uint64_t *off)
{
	int rc;

	if ((rc = cursor_lock_at(seg, exclusive, offset, cur, off)) != SHM_OK)
		return rc;
	if (sf->size > seg->size - *off)
		return shm_error(seg->name, "format '%s' of size %zu does not "
		    "fit at offset %llu (%llu bytes left)", format, sf->size,
		    (unsigned long long)*off,
		    (unsigned long long)(seg->size - *off));
	return SHM_OK;
}

/* Prints the values; the cursor moves only once they are all out. */
static int
unpack_at(struct segment *seg, const struct structfmt *sf, uint64_t off,
    unsigned long columns)
{
	struct printer pr = { columns, 0, false };
	unsigned char *buf;
	int rc;

	if ((buf = malloc(sf->size + 1)) == NULL)
		return shm_perror(seg->name);
	if ((rc = segment_read_all(seg, off, buf, sf->size)) == SHM_OK) {
		structfmt_unpack(sf, buf, print_value, &pr);
		if (pr.column != 0)
			putchar('\n');
		rc = shm_flush_output();
	}
	free(buf);
	return rc;
}

int
typed_read(struct segment *seg, const char *format, const char *offset,
    unsigned long columns)
{
	struct cursor cur = { .fd = -1 };
	struct structfmt sf;
	uint64_t off;
	int rc;

	if ((rc = parse_format(format, &sf)) == SHM_OK &&
	    (rc = place(seg, format, &sf, offset, offset == NULL, &cur,
	    &off)) == SHM_OK &&
	    (rc = unpack_at(seg, &sf, off, columns)) == SHM_OK &&
	    offset == NULL)
		rc = cursor_save(&cur, off + sf.size);
	cursor_close(&cur);
	return rc;
}

/*
 * The format is checked against the room at the offset before its
 * buffer is allocated ('2000000000x' on 16 bytes is refused, not
 * given 2 GB), and the space is claimed before any byte is written.
 */
static int
pack_at(struct segment *seg, const struct structfmt *sf, uint64_t off,
    char *const values[], size_t nvalues)
{
	char err[STRUCTFMT_ERRLEN];
	unsigned char *buf;
	int rc;

	if ((buf = malloc(sf->size + 1)) == NULL)
		return shm_perror(seg->name);
	if (structfmt_pack(sf, values, nvalues, buf, err, sizeof(err)) !=
	    NULL)
		rc = shm_error(seg->name, "%s", err);
	else if ((rc = segment_reserve(seg, off, sf->size)) == SHM_OK)
		rc = segment_write(seg, off, buf, sf->size);
	free(buf);
	return rc;
}

int
typed_write(struct segment *seg, const char *format, const char *offset,
    char *const values[], size_t nvalues)
{
	struct cursor cur = { .fd = -1 };
	struct structfmt sf;
	char was[64];
	uint64_t off;
	int rc;

	if ((rc = parse_format(format, &sf)) == SHM_OK &&
	    (rc = place(seg, format, &sf, offset, true, &cur, &off)) ==
	    SHM_OK) {
		segment_identity(seg, was, sizeof(was));
		rc = pack_at(seg, &sf, off, values, nvalues);
		cursor_keep_up(seg, was);
		if (rc == SHM_OK && offset == NULL)
			rc = cursor_save(&cur, off + sf.size);
	}
	cursor_close(&cur);
	return rc;
}
