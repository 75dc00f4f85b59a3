/* cmd/flush.c - write a segment's changes to its file (Python's flush) */
#include "cmd/commands.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm flush [-o OFFSET] [-n LENGTH] [--async] NAME\n"
"\n"
"Write the changed pages of NAME, or of the range given, to the file\n"
"system (msync).  When it returns, a file holds the data on disk.  A\n"
"POSIX object lives in memory: flushing it succeeds and does nothing.\n";

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "start of the range (negative: from the end)", NULL },
	{ 'n', "length", OPT_VALUE, "LENGTH",
	    "length of the range (default: to the end)", NULL },
	{ 'a', "async", OPT_FLAG, NULL, "start the writing and return at once",
	    NULL },
	{ 0 },
};

const struct opt_command flush_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

struct flush_args {
	const char	*offset;
	uint64_t	 length;	/* UINT64_MAX: to the end */
	bool		 async;
};

/*
 * Written back a piece at a time, and only where there is data (a hole
 * has no page to write): a flush of the whole of a segment of
 * terabytes would otherwise map all of it at once, more than the
 * address space may hold.
 */
#define FLUSH_PIECE	(64ULL << 20)

static int
flush(struct segment *seg, const struct flush_args *a)
{
	uint64_t off = 0, end, data, n;
	int rc = SHM_OK;

	if (segment_offset(seg, "offset", a->offset, &off) != SHM_OK)
		return SHM_FAIL;
	end = off + segment_clamp(seg, off, a->length);
	while (off < end && rc == SHM_OK) {
		if (segment_in_hole(seg, off, &data)) {
			off = data;
			continue;
		}
		n = shm_min(FLUSH_PIECE, end - off);
		/* Where the data ends; 0 only if the two answers disagree. */
		if ((data = segment_data_end(seg, off)) > off)
			n = shm_min(n, data - off);
		rc = segment_sync(seg, off, n, a->async);
		off += n;
	}
	return rc;
}

int
cmd_flush(int argc, char **argv)
{
	struct flush_args a = { NULL, UINT64_MAX, false };
	struct opt_parser p;
	struct segment seg;
	const char *err;
	int c, rc;

	opt_init(&p, argc, argv, &flush_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 'o': a.offset = p.arg; break;
		case 'n':
			if ((err = number_size(p.arg, &a.length)) != NULL)
				return opt_bad_value("-n", p.arg, err);
			break;
		case 'a': a.async = true; break;
		default: return opt_stop(c);
		}
	}
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK)
		return SHM_FAIL;
	if ((rc = segment_open(&seg, p.argv[0], SEGMENT_READ)) != SHM_OK)
		return rc;
	rc = flush(&seg, &a);
	segment_close(&seg);
	return rc;
}
