/* cmd/find.c - print where bytes occur in a segment (find, rfind) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "fmt/hex.h"
#include "seg/map.h"
#include "lib/search.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm find [-x] [-r | -a] [--start OFFSET] [--end OFFSET]\n"
"                [--from-cursor] [--seek] NAME PATTERN\n"
"\n"
"Print the offset of the first match of PATTERN in NAME and exit 0, or\n"
"print nothing and exit 1 if there is none.  The whole segment is\n"
"searched, as grep does, unless bounds are given; the cursor stays put.\n"
"An empty PATTERN matches at the start (with -r, at the end).\n";

enum { OPT_SEEK = OPT_LONG, OPT_CURSOR };

static const struct opt options[] = {
	{ 'x', "hex", OPT_FLAG, NULL, "PATTERN is hex (\"de ad be ef\")",
	    NULL },
	{ 'r', "last", OPT_FLAG, NULL, "the last match instead (rfind)", NULL },
	{ 'a', "all", OPT_FLAG, NULL,
	    "every match, one offset a line; matches do not overlap "
	    "(\"aa\" in \"aaaa\": 0 and 2), as count does", NULL },
	{ 's', "start", OPT_VALUE, "OFFSET",
	    "matches begin at OFFSET or later", NULL },
	{ 'e', "end", OPT_VALUE, "OFFSET",
	    "matches end at OFFSET or before; negative offsets count from "
	    "the end, for both", NULL },
	{ 'c', "from-cursor", OPT_FLAG, NULL,
	    "start at the cursor, as Python's mmap.find does", NULL },
	{ OPT_SEEK, "seek", OPT_FLAG, NULL, "move the cursor to the match found",
	    NULL },
	CURSOR_OPTION(OPT_CURSOR),
	{ 0 },
};

const struct opt_command find_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

struct find_args {
	const char		*name;
	const char		*pattern;
	const unsigned char	*needle;	/* PATTERN's bytes */
	size_t			 len;
	unsigned char		*decoded;	/* with -x; freed at the end */
	const char		*start, *end;
	bool			 hex, from_cursor, seek;
	const char		*cursor;
	enum search_mode	 mode;
};

/* Prints a match; ctx keeps the last one printed, for --seek. */
static int
emit(void *ctx, uint64_t off)
{
	*(uint64_t *)ctx = off;
	printf("%llu\n", (unsigned long long)off);
	return 0;
}

static int
set_bounds(struct segment *seg, const struct find_args *a, struct search *s,
    struct cursor *cur)
{
	int rc;

	s->start = 0;
	s->end = seg->size;
	/* Opened for --seek before anything is printed: see find(). */
	if ((a->from_cursor || a->seek) && (rc = cursor_open(seg, cur,
	    a->seek ? CURSOR_MOVE : CURSOR_LOOK)) != SHM_OK)
		return rc;
	if (a->from_cursor)
		s->start = cur->pos;
	if ((rc = segment_offset(seg, "--start", a->start, &s->start)) !=
	    SHM_OK ||
	    (rc = segment_offset(seg, "--end", a->end, &s->end)) != SHM_OK)
		return rc;
	/* An empty slice, as Python has it: nothing can match there. */
	if (s->end < s->start)
		s->end = s->start;
	return SHM_OK;
}

/* The cursor moves to the match only once its offset is printed. */
static int
find_under_lock(struct segment *seg, const struct find_args *a,
    struct search *s, struct cursor *cur)
{
	uint64_t *where = s->ctx;
	bool found;
	int rc;

	if ((rc = segment_lock(seg, a->seek)) != SHM_OK ||
	    (rc = set_bounds(seg, a, s, cur)) != SHM_OK ||
	    (rc = search_run(s, &found)) != SHM_OK)
		return rc;
	if (!found)
		return SHM_NOMATCH;
	if ((rc = shm_flush_output()) != SHM_OK || !a->seek)
		return rc;
	return cursor_save(cur, *where);
}

static int
find(struct segment *seg, const struct find_args *a)
{
	uint64_t where = 0;
	struct search s = { seg, a->needle, a->len, 0, 0, a->mode, emit,
	    &where };
	struct cursor cur = { .fd = -1 };
	int rc;

	rc = find_under_lock(seg, a, &s, &cur);
	cursor_close(&cur);
	return rc;
}

static int
check_args(const struct find_args *a)
{
	if (a->from_cursor && a->start != NULL)
		return shm_usage_error("--from-cursor and --start exclude "
		    "each other");
	if (a->seek && a->mode == SEARCH_ALL)
		return shm_usage_error("--seek needs one match, not -a");
	if (a->mode == SEARCH_ALL && a->len == 0)
		return shm_usage_error("-a with an empty PATTERN would match "
		    "everywhere");
	return SHM_OK;
}

static int
parse_args(int argc, char **argv, struct find_args *a)
{
	struct opt_parser p;
	bool last = false, all = false;
	int c;

	opt_init(&p, argc, argv, &find_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 'x': a->hex = true; break;
		case 'r': last = true; break;
		case 'a': all = true; break;
		case 's': a->start = p.arg; break;
		case 'e': a->end = p.arg; break;
		case 'c': a->from_cursor = true; break;
		case OPT_SEEK: a->seek = true; break;
		case OPT_CURSOR:
			if (cursor_option(p.arg, &a->cursor) != SHM_OK)
				return SHM_FAIL;
			break;
		default: return opt_stop(c);
		}
	}
	if (opt_operands(&p, 2, 2, "NAME PATTERN") != SHM_OK)
		return SHM_FAIL;
	if (last && all)
		return shm_usage_error("-r and -a exclude each other");
	a->mode = last ? SEARCH_LAST : all ? SEARCH_ALL : SEARCH_FIRST;
	a->name = p.argv[0];
	a->pattern = p.argv[1];
	a->needle = (const unsigned char *)a->pattern;
	a->len = strlen(a->pattern);
	if (a->hex && hex_bytes("PATTERN", a->pattern, &a->decoded,
	    &a->len) != SHM_OK)
		return SHM_FAIL;
	if (a->hex)
		a->needle = a->decoded;
	return check_args(a);
}

int
cmd_find(int argc, char **argv)
{
	struct find_args a = { .mode = SEARCH_FIRST };
	struct segment seg;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) == SHM_OK &&
	    (rc = segment_open(&seg, a.name, SEGMENT_READ)) == SHM_OK) {
		seg.cursor_name = a.cursor;
		rc = find(&seg, &a);
		segment_close(&seg);
	}
	free(a.decoded);
	return rc;
}
