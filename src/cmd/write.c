/* cmd/write.c - put bytes into a segment, at the cursor or an offset */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "util/interrupt.h"
#include "fmt/hex.h"
#include "seg/map.h"
#include "lib/payload.h"
#include "lib/records.h"
#include "util/opt.h"
#include "util/progress.h"
#include "util/shm.h"
#include "lib/fields.h"
#include "lib/typed.h"

static const char usage[] =
"usage: shm write [-o OFFSET | --append] [--grow] [--progress] NAME\n"
"                 [-s STRING | -x HEX | -i FILE]\n"
"       shm write --append -l | -z [--progress] NAME [-i FILE]\n"
"       shm write [-o OFFSET] --as FORMAT NAME VALUE...\n"
"       shm write [-o OFFSET] --as LAYOUT | --layout FILE NAME\n"
"                 FIELD=VALUE | FIELD+=N | FIELD-=N...\n"
"\n"
"Write standard input, FILE, STRING or the bytes HEX spells into NAME,\n"
"at OFFSET or else at the cursor, which then moves past them.  Data that\n"
"does not fit changes nothing and fails, unless --grow extends NAME.\n"
"With --lines, append each line as soon as it is read, whole, so that\n"
"one process serves a whole stream of records.\n"
"With --as, pack the VALUEs as Python's struct.pack(FORMAT) does; what\n"
"'read --as' prints, 'write --as' takes back.  Negative numbers are\n"
"values; other VALUEs that start with '-' go after '--'.  With a LAYOUT,\n"
"set only the FIELDs named, or add N to one and print its new value.\n";

enum { OPT_AS = OPT_LONG, OPT_PROGRESS, OPT_CURSOR, OPT_APPEND,
	OPT_LAYOUT };

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "write here (negative: from the end); keep cursor", NULL },
	{ 's', "string", OPT_VALUE, "STRING", "write STRING (no newline added)",
	    NULL },
	{ 'x', "hex", OPT_VALUE, "HEX",
	    "write the bytes HEX spells (\"de ad be ef\")", NULL },
	{ 'i', "input", OPT_VALUE, "FILE",
	    "write FILE ('-': standard input, the default)", OPT_FILE },
	{ 'g', "grow", OPT_FLAG, NULL,
	    "extend NAME when the data runs past its end", NULL },
	{ OPT_APPEND, "append", OPT_FLAG, NULL,
	    "write at the end, growing NAME, all as one piece: appenders "
	    "never interleave; keep cursor", NULL },
	{ 'l', "lines", OPT_FLAG, NULL,
	    "with --append: each line on its own, whole, as it comes", NULL },
	{ 'z', "zero-terminated", OPT_FLAG, NULL,
	    "as --lines, for records that end in a NUL byte", NULL },
	{ OPT_AS, "as", OPT_VALUE, "FORMAT",
	    "pack VALUEs: '<I', '>q', '4s', '@bq', '10B'...", NULL },
	LAYOUT_OPTION(OPT_LAYOUT),
	PROGRESS_OPTION(OPT_PROGRESS),
	CURSOR_OPTION(OPT_CURSOR),
	{ 0 },
};

const struct opt_command write_help = {
	usage, options, TYPED_CODES_HELP FIELDS_HELP, { OPT_SEGMENT }
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
	bool		 lines;		/* a record at a time */
	int		 sep;		/* what ends one: '\n' or '\0' */
	const char	*as;		/* a struct format or a layout */
	const char	*layout;	/* --layout FILE */
	char		**values;	/* its values, as typed */
	size_t		 nvalues;
	bool		 progress;
	const char	*cursor;
};

/* Strings and hex are in memory; a stream is read up to what fits. */
static int
load_payload(struct segment *seg, const struct write_args *a,
    struct payload *pl)
{
	if (a->string != NULL)
		payload_bytes(pl, a->string, strlen(a->string));
	else if (a->hex != NULL)
		payload_bytes(pl, a->hex_bytes, a->hex_len);
	else
		return payload_open(pl, seg, a->input,
		    a->grow ? UINT64_MAX : seg->size);
	return SHM_OK;
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
write_under_lock(const struct write_args *a, struct segment *seg,
    struct payload *pl, struct cursor *cur)
{
	struct progress progress;
	char was[64];
	uint64_t off;
	int rc;

	if ((rc = segment_lock(seg, true)) != SHM_OK ||
	    (rc = place(seg, a, cur, &off)) != SHM_OK ||
	    (rc = payload_fits(pl, seg, off, a->grow)) != SHM_OK)
		return rc;
	segment_identity(seg, was, sizeof(was));
	seg->progress = a->progress ? progress_start(&progress) : NULL;
	rc = payload_store(pl, seg, off, a->grow);
	progress_finish(seg->progress);
	seg->progress = NULL;
	cursor_keep_up(seg, was);
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

	payload_bytes(&pl, NULL, 0);
	if ((rc = load_payload(seg, a, &pl)) == SHM_OK)
		rc = write_under_lock(a, seg, &pl, &cur);
	cursor_close(&cur);
	payload_free(&pl);
	return rc;
}

/* --lines: each record appended on its own, as it comes. */
static int
write_records(const struct write_args *a, struct segment *seg)
{
	struct progress progress;
	int rc;

	seg->progress = a->progress ? progress_start(&progress) : NULL;
	rc = records_append(seg, a->input, a->sep);
	progress_finish(seg->progress);
	seg->progress = NULL;
	return rc;
}

/* What --append and --lines exclude. */
static int
check_append(const struct write_args *a)
{
	if (a->lines && !a->append)
		return shm_usage_error("--lines and -z need --append");
	if (a->append && a->offset != NULL)
		return shm_usage_error("-o and --append exclude each other");
	if (a->append && a->cursor != NULL)
		return shm_usage_error("--append moves no cursor: no "
		    "--cursor");
	if (a->lines && (a->string != NULL || a->hex != NULL))
		return shm_usage_error("--lines reads standard input or -i "
		    "FILE, not -s or -x");
	return SHM_OK;
}

static int
parse_args(int argc, char **argv, struct write_args *a)
{
	struct opt_parser p;
	int c, sources;

	opt_init(&p, argc, argv, &write_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 'o': a->offset = p.arg; break;
		case 's': a->string = p.arg; break;
		case 'x': a->hex = p.arg; break;
		case 'i': a->input = p.arg; break;
		case 'g': a->grow = true; break;
		case OPT_APPEND: a->append = a->grow = true; break;
		case 'l': a->lines = true; a->sep = '\n'; break;
		case 'z': a->lines = true; a->sep = '\0'; break;
		case OPT_AS: a->as = p.arg; break;
		case OPT_LAYOUT: a->layout = p.arg; break;
		case OPT_PROGRESS: a->progress = true; break;
		case OPT_CURSOR:
			if (cursor_option(p.arg, &a->cursor) != SHM_OK)
				return SHM_FAIL;
			break;
		default: return opt_stop(c);
		}
	}
	if (a->as != NULL && a->layout != NULL)
		return shm_usage_error("--as and --layout exclude each other");
	if (a->layout != NULL)
		a->as = "";
	sources = (a->string != NULL) + (a->hex != NULL) + (a->input != NULL);
	if (sources > 1 || (sources > 0 && a->as != NULL))
		return shm_usage_error("-s, -x, -i and --as exclude each "
		    "other");
	if (a->as != NULL && a->grow)
		return shm_usage_error("--as does not --grow or --append");
	if (check_append(a) != SHM_OK)
		return SHM_FAIL;
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

/* A layout, parsed before NAME is opened; without names, a FORMAT. */
static int
load_layout(struct write_args *a, struct layout *l)
{
	int rc;

	if (!fields_wanted(a->as, a->layout))
		return SHM_OK;
	if ((rc = fields_load(a->as, a->layout, l)) != SHM_OK)
		return rc;
	if (l->named && a->cursor != NULL)
		return shm_usage_error("a layout with names is written at -o "
		    "or 0, not at a --cursor");
	if (!l->named)
		a->as = l->format;
	return SHM_OK;
}

int
cmd_write(int argc, char **argv)
{
	struct write_args a = { 0 };
	struct layout l = { 0 };
	struct segment seg;
	int rc;

	interrupt_catch();
	if ((rc = parse_args(argc, argv, &a)) == SHM_OK &&
	    (rc = load_layout(&a, &l)) == SHM_OK &&
	    (rc = segment_open(&seg, a.name, SEGMENT_WRITE)) == SHM_OK) {
		seg.cursor_name = a.cursor;
		if (l.named)
			rc = fields_write(&seg, &l, a.offset, a.values,
			    a.nvalues);
		else if (a.as != NULL)
			rc = typed_write(&seg, a.as, a.offset, a.values,
			    a.nvalues);
		else if (a.lines)
			rc = write_records(&a, &seg);
		else
			rc = write_segment(&a, &seg);
		segment_close(&seg);
	}
	free(a.hex_bytes);
	layout_free(&l);
	return rc;
}
