/* cmd_write.c - put bytes into a segment, at the cursor or an offset */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "input.h"
#include "interrupt.h"
#include "hex.h"
#include "map.h"
#include "shm.h"
#include "stage.h"
#include "typed.h"

static const char usage[] =
"usage: shm write [-o OFFSET | --append] [--grow] [--progress] NAME\n"
"                 [-s STRING | -x HEX | -i FILE]\n"
"       shm write [-o OFFSET] --as FORMAT NAME VALUE...\n"
"\n"
"Write standard input, FILE, STRING or the bytes HEX spells into NAME,\n"
"at OFFSET or else at the cursor, which then moves past them.  Data that\n"
"does not fit changes nothing and fails, unless --grow extends NAME.\n"
"With --as, pack the VALUEs as Python's struct.pack(FORMAT) does; what\n"
"'read --as' prints, 'write --as' takes back.  Negative numbers are\n"
"values; other VALUEs that start with '-' go after '--'.\n"
"\n"
"  -o, --offset OFFSET  write here (negative: from the end); keep cursor\n"
"  -s, --string STRING  write STRING (no newline added)\n"
"  -x, --hex HEX        write the bytes HEX spells (\"de ad be ef\")\n"
"  -i, --input FILE     write FILE ('-': standard input, the default)\n"
"  -g, --grow           extend NAME when the data runs past its end\n"
"      --append         write at the end, growing NAME, all as one\n"
"                       piece: appenders never interleave; keep cursor\n"
"      --as FORMAT      pack VALUEs: '<I', '>q', '4s', '@bq', '10B'...\n"
"      --progress       show the bytes copied so far on standard error\n"
CURSOR_OPTION_HELP
TYPED_CODES_HELP;

enum { OPT_AS = OPT_LONG, OPT_PROGRESS, OPT_CURSOR, OPT_APPEND };

static const struct opt options[] = {
	{ 'o', "offset", true },
	{ 's', "string", true },
	{ 'x', "hex", true },
	{ 'i', "input", true },
	{ 'g', "grow", false },
	{ OPT_APPEND, "append", false },
	{ OPT_AS, "as", true },
	{ OPT_PROGRESS, "progress", false },
	{ OPT_CURSOR, "cursor", true },
	{ 0, NULL, false },
};

struct write_args {
	const char	*name;
	const char	*offset;	/* NULL: at the cursor */
	const char	*string;
	const char	*hex;
	unsigned char	*hex_bytes;	/* what it spells; freed at the end */
	size_t		 hex_len;
	const char	*input;
	bool		 grow;
	bool		 append;	/* at the end, as found under the lock */
	const char	*as;		/* a struct format */
	char		**values;	/* its values, as typed */
	size_t		 nvalues;
	bool		 progress;
	const char	*cursor;
};

/*
 * The bytes to write: in memory (string, hex), a regular file whose
 * length is known, copied by the kernel, or a stream set aside first.
 */
struct payload {
	unsigned char	*buf;
	uint64_t	 len;
	struct input	 in;
	struct stage	 stream;	/* a pipe's bytes, read so far */
};

static int
load_input(struct segment *seg, const struct write_args *a,
    struct payload *pl, uint64_t limit)
{
	int rc;

	if ((rc = input_open(&pl->in, a->input)) != SHM_OK ||
	    (rc = segment_distinct(seg, pl->in.fd, pl->in.name)) != SHM_OK)
		return rc;
	pl->len = pl->in.len;
	if (pl->in.sized)
		return SHM_OK;
	rc = stage_read(seg, &pl->stream, &pl->in, limit);
	pl->len = pl->stream.len;
	return rc;
}

static int
load_payload(struct segment *seg, const struct write_args *a,
    struct payload *pl)
{
	if (a->string != NULL) {
		pl->buf = (unsigned char *)a->string;
		pl->len = strlen(a->string);
		return SHM_OK;
	}
	/* A stream is read before the lock is taken, up to what can fit. */
	if (a->hex == NULL)
		return load_input(seg, a, pl, a->grow ? UINT64_MAX : seg->size);
	pl->buf = a->hex_bytes;
	pl->len = a->hex_len;
	return SHM_OK;
}

/*
 * The segment may have grown between reading the stream and taking the
 * lock: read on, up to what fits now, rather than write a prefix.
 */
static bool
is_stream(const struct payload *pl)
{
	return pl->in.fd >= 0 && !pl->in.sized;
}

static int
load_rest(struct segment *seg, struct payload *pl, uint64_t room)
{
	int rc;

	if (!is_stream(pl) || pl->stream.eof || pl->stream.len > room)
		return SHM_OK;
	rc = stage_read(seg, &pl->stream, &pl->in, room);
	pl->len = pl->stream.len;
	return rc;
}

static void
free_payload(struct payload *pl)
{
	stage_free(&pl->stream);
	input_close(&pl->in);
}

static int
check_fit(struct segment *seg, const struct write_args *a,
    const struct payload *pl, uint64_t off)
{
	bool more = is_stream(pl) && !pl->stream.eof;

	if ((pl->len <= seg->size - off && !more) || a->grow)
		return pl->len <= INT64_MAX - off ? SHM_OK :
		    shm_error(seg->name, "data too large");
	/* A stream is read only until it is known not to fit. */
	return shm_error(seg->name, "%s%llu bytes at offset %llu do not fit "
	    "in %llu bytes; nothing written (--grow extends it)",
	    more ? "more than " : "", (unsigned long long)(more ?
	    seg->size - off : pl->len), (unsigned long long)off,
	    (unsigned long long)seg->size);
}

static int
store(struct segment *seg, struct payload *pl, uint64_t off)
{
	uint64_t old = seg->size;
	int rc;

	/* Claim the space first: a full tmpfs then fails before any byte. */
	if ((rc = segment_reserve(seg, off, pl->len)) != SHM_OK)
		goto out;
	if (is_stream(pl))
		rc = stage_write(seg, &pl->stream, off);
	else if (pl->buf != NULL || pl->len == 0)
		rc = segment_write(seg, off, pl->buf, (size_t)pl->len);
	else
		rc = segment_copy_in(seg, off, pl->in.fd, pl->in.name,
		    pl->len);
	if (rc == SHM_OK && off + pl->len > seg->size)
		rc = segment_resize(seg, off + pl->len);
out:
	/* A failed write leaves the size as it was (reserving extends it). */
	if (rc != SHM_OK)
		segment_restore_size(seg, old);
	return rc;
}

/* Where the data goes, under the lock: the end, -o, or the cursor. */
static int
place(struct segment *seg, const struct write_args *a, struct cursor *cur,
    uint64_t *off)
{
	if (!a->append)
		return cursor_or_offset(seg, a->offset, cur, off);
	*off = seg->size;
	return SHM_OK;
}

static int
write_locked(const struct write_args *a, struct segment *seg,
    struct payload *pl, struct cursor *cur)
{
	struct progress progress;
	uint64_t off;
	int rc;

	if ((rc = segment_lock(seg, true)) != SHM_OK ||
	    (rc = place(seg, a, cur, &off)) != SHM_OK ||
	    (rc = load_rest(seg, pl, seg->size - off)) != SHM_OK ||
	    (rc = check_fit(seg, a, pl, off)) != SHM_OK)
		return rc;
	seg->progress = a->progress ? progress_start(&progress) : NULL;
	rc = store(seg, pl, off);
	progress_finish(seg->progress);
	seg->progress = NULL;
	if (rc != SHM_OK)
		return rc;
	if (a->offset != NULL || a->append)
		return SHM_OK;
	return cursor_save(cur, off + pl->len);
}

static int
write_segment(const struct write_args *a, struct segment *seg)
{
	struct payload pl;
	struct cursor cur = { .fd = -1 };
	int rc;

	memset(&pl, 0, sizeof(pl));
	pl.in.fd = -1;
	stage_init(&pl.stream);
	if ((rc = load_payload(seg, a, &pl)) == SHM_OK)
		rc = write_locked(a, seg, &pl, &cur);
	cursor_close(&cur);
	free_payload(&pl);
	return rc;
}

static int
parse_args(int argc, char **argv, struct write_args *a)
{
	struct opt_parser p;
	int c, sources;

	opt_init(&p, argc, argv, usage);
	while ((c = opt_next(&p, options)) != OPT_END) {
		switch (c) {
		case 'o': a->offset = p.arg; break;
		case 's': a->string = p.arg; break;
		case 'x': a->hex = p.arg; break;
		case 'i': a->input = p.arg; break;
		case 'g': a->grow = true; break;
		case OPT_APPEND: a->append = a->grow = true; break;
		case OPT_AS: a->as = p.arg; break;
		case OPT_PROGRESS: a->progress = true; break;
		case OPT_CURSOR:
			if (cursor_option(p.arg, &a->cursor) != SHM_OK)
				return SHM_FAIL;
			break;
		default: return c == OPT_HELP ? SHM_DONE : SHM_FAIL;
		}
	}
	sources = (a->string != NULL) + (a->hex != NULL) + (a->input != NULL);
	if (sources > 1 || (sources > 0 && a->as != NULL))
		return shm_usage_error("-s, -x, -i and --as exclude each "
		    "other");
	if (a->as != NULL && a->grow)
		return shm_usage_error("--as does not --grow or --append");
	if (a->append && a->offset != NULL)
		return shm_usage_error("-o and --append exclude each other");
	/* "shm write seg hello" is a common slip: say what was meant. */
	if (p.npos == 2 && a->as == NULL)
		return shm_usage_error("too many arguments; to write '%s' "
		    "itself, use -s", p.argv[1]);
	if (opt_operands(&p, 1, a->as != NULL ? INT_MAX : 1, "NAME") !=
	    SHM_OK)
		return SHM_FAIL;
	if (a->hex != NULL &&
	    hex_bytes("-x", a->hex, &a->hex_bytes, &a->hex_len) != SHM_OK)
		return SHM_FAIL;
	a->name = p.argv[0];
	a->values = p.argv + 1;
	a->nvalues = (size_t)p.npos - 1;
	return SHM_OK;
}

int
cmd_write(int argc, char **argv)
{
	struct write_args a = { 0 };
	struct segment seg;
	int rc;

	interrupt_catch();
	if ((rc = parse_args(argc, argv, &a)) == SHM_OK &&
	    (rc = segment_open(&seg, a.name, SEGMENT_WRITE)) == SHM_OK) {
		seg.cursor = a.cursor;
		if (a.as != NULL)
			rc = typed_write(&seg, a.as, a.offset, a.values,
			    a.nvalues);
		else
			rc = write_segment(&a, &seg);
		segment_close(&seg);
	}
	free(a.hex_bytes);
	return rc == SHM_DONE ? SHM_OK : rc;
}
