/* cmd_write.c - put bytes into a segment, at the cursor or an offset */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "input.h"
#include "hex.h"
#include "map.h"
#include "shm.h"
#include "typed.h"

static const char usage[] =
"usage: shm write [-o OFFSET] [--grow] [--progress] NAME\n"
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
"      --as FORMAT      pack VALUEs: '<I', '>q', '4s', '@bq', '10B'...\n"
"      --progress       show the bytes copied so far on standard error\n"
TYPED_CODES_HELP;

enum { OPT_AS = OPT_LONG, OPT_PROGRESS };

static const struct opt options[] = {
	{ 'o', "offset", true },
	{ 's', "string", true },
	{ 'x', "hex", true },
	{ 'i', "input", true },
	{ 'g', "grow", false },
	{ OPT_AS, "as", true },
	{ OPT_PROGRESS, "progress", false },
	{ 0, NULL, false },
};

struct write_args {
	const char	*name;
	const char	*offset;	/* NULL: at the cursor */
	const char	*string;
	const char	*hex;
	const char	*input;
	bool		 grow;
	const char	*as;		/* a struct format */
	char		**values;	/* its values, as typed */
	size_t		 nvalues;
	bool		 progress;
};

/*
 * The bytes to write: in memory (string, hex, a pipe), or a regular
 * file whose length is known, copied by the kernel without a buffer.
 */
struct payload {
	unsigned char	*buf;
	bool		 owned;
	struct input	 in;
	uint64_t	 len;
};

static int
load_input(const struct write_args *a, struct payload *pl, uint64_t limit)
{
	size_t len;
	int rc;

	if ((rc = input_open(&pl->in, a->input)) != SHM_OK)
		return rc;
	pl->len = pl->in.len;
	if (pl->in.sized)
		return SHM_OK;
	pl->owned = true;
	rc = input_slurp(&pl->in, limit, &pl->buf, &len);
	pl->len = len;
	return rc;
}

static int
load_payload(const struct write_args *a, struct payload *pl, uint64_t limit)
{
	const char *err;
	size_t len;

	if (a->string != NULL) {
		pl->buf = (unsigned char *)a->string;
		pl->len = strlen(a->string);
		return SHM_OK;
	}
	if (a->hex == NULL)
		return load_input(a, pl, limit);
	if ((pl->buf = malloc(strlen(a->hex) / 2 + 1)) == NULL)
		return shm_perror(a->name);
	pl->owned = true;
	if ((err = hex_decode(a->hex, pl->buf, &len)) != NULL)
		return shm_usage_error("-x '%s': %s", a->hex, err);
	pl->len = len;
	return SHM_OK;
}

static void
free_payload(struct payload *pl)
{
	if (pl->owned)
		free(pl->buf);
	input_close(&pl->in);
}

static int
check_fit(struct segment *seg, const struct write_args *a, uint64_t off,
    uint64_t len)
{
	if (len <= seg->size - off || a->grow)
		return len <= INT64_MAX - off ? SHM_OK :
		    shm_error(seg->name, "data too large");
	return shm_error(seg->name, "%llu bytes at offset %llu do not fit in "
	    "%llu bytes; nothing written (--grow extends it)",
	    (unsigned long long)len, (unsigned long long)off,
	    (unsigned long long)seg->size);
}

static int
store(struct segment *seg, struct payload *pl, uint64_t off)
{
	int rc;

	/* Claim the space first: a full tmpfs then fails before any byte. */
	if ((rc = segment_reserve(seg, off, pl->len)) != SHM_OK)
		return rc;
	if (pl->buf != NULL || pl->len == 0)
		rc = segment_write(seg, off, pl->buf, (size_t)pl->len);
	else
		rc = segment_copy_in(seg, off, pl->in.fd, pl->in.name,
		    pl->len);
	if (rc == SHM_OK && off + pl->len > seg->size)
		rc = segment_resize(seg, off + pl->len);
	return rc;
}

static int
write_segment(const struct write_args *a, struct segment *seg,
    struct payload *pl)
{
	struct progress progress;
	uint64_t off;
	int rc;

	if ((rc = load_payload(a, pl, a->grow ? UINT64_MAX : seg->size)) !=
	    SHM_OK)
		return rc;
	if ((rc = segment_lock(seg, true)) != SHM_OK ||
	    (rc = cursor_or_offset(seg, a->offset, &off)) != SHM_OK ||
	    (rc = check_fit(seg, a, off, pl->len)) != SHM_OK)
		return rc;
	seg->progress = a->progress ? progress_start(&progress) : NULL;
	rc = store(seg, pl, off);
	progress_finish(seg->progress);
	if (rc != SHM_OK)
		return rc;
	return a->offset == NULL ? cursor_set(seg, off + pl->len) : SHM_OK;
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
		case OPT_AS: a->as = p.arg; break;
		case OPT_PROGRESS: a->progress = true; break;
		default: return c == OPT_HELP ? SHM_DONE : SHM_FAIL;
		}
	}
	sources = (a->string != NULL) + (a->hex != NULL) + (a->input != NULL);
	if (sources > 1 || (sources > 0 && a->as != NULL))
		return shm_usage_error("-s, -x, -i and --as exclude each "
		    "other");
	if (a->as != NULL && a->grow)
		return shm_usage_error("--as does not --grow");
	/* "shm write seg hello" is a common slip: say what was meant. */
	if (p.npos == 2 && a->as == NULL)
		return shm_usage_error("too many arguments; to write '%s' "
		    "itself, use -s", p.argv[1]);
	if (opt_operands(&p, 1, a->as != NULL ? INT_MAX : 1, "NAME") !=
	    SHM_OK)
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
	struct payload pl = { NULL, false, { -1, NULL, false, 0 }, 0 };
	struct segment seg;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != SHM_OK)
		return rc == SHM_DONE ? SHM_OK : rc;
	if ((rc = segment_open(&seg, a.name, SEGMENT_WRITE)) != SHM_OK)
		return rc;
	if (a.as != NULL)
		rc = typed_write(&seg, a.as, a.offset, a.values, a.nvalues);
	else
		rc = write_segment(&a, &seg, &pl);
	free_payload(&pl);
	segment_close(&seg);
	return rc;
}
