/* cmd/move.c - copy bytes within a segment, overlap-safe (Python's move) */
#include <string.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "util/interrupt.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm move NAME DST SRC COUNT\n"
"\n"
"Copy COUNT bytes of NAME from offset SRC to offset DST, as memmove does:\n"
"the ranges may overlap.  Both must lie inside NAME, or nothing changes.\n"
"Negative offsets count from the end.  The cursor does not move.\n";

static const struct opt options[] = {
	{ 0 },
};

const struct opt_command move_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

/*
 * Bytes moved under one mapping.  A move maps only what it copies, a
 * piece at a time, never the span between source and destination:
 * moving one byte from the end of 8 EiB to the start maps two pages.
 * SHM_MOVE_PIECE (a testing aid: many pieces in a small move) sets
 * another, no larger, and no smaller than 4 KiB: a piece is a mapping.
 */
#define MOVE_PIECE	(64ULL << 20)

static uint64_t
piece_size(void)
{
	return number_env_size("SHM_MOVE_PIECE", 4096, MOVE_PIECE, MOVE_PIECE);
}

struct move {
	struct window	 from, to;	/* to unused when from spans both */
	unsigned char	*dst, *src;
	size_t		 count;
};

static int
move_bytes(void *arg)
{
	struct move *m = arg;

	memmove(m->dst, m->src, m->count);
	return SHM_OK;
}

static int
parse_range(const struct segment *seg, char **argv, uint64_t *dst,
    uint64_t *src, const uint64_t *count)
{
	if (segment_offset(seg, "DST", argv[0], dst) != SHM_OK ||
	    segment_offset(seg, "SRC", argv[1], src) != SHM_OK)
		return SHM_FAIL;
	if (*count > seg->size - *src || *count > seg->size - *dst)
		return shm_error(seg->name, "%llu bytes from %llu to %llu do "
		    "not fit in %llu bytes; nothing moved",
		    (unsigned long long)*count, (unsigned long long)*src,
		    (unsigned long long)*dst, (unsigned long long)seg->size);
	return SHM_OK;
}

/*
 * One piece.  Ranges nearer than count overlap: one window spans both
 * (under twice count).  Farther apart, each has its own, and no page
 * is seen through both: memmove's overlap test is by address.
 */
static int
move_piece(struct segment *seg, uint64_t dst, uint64_t src, uint64_t count)
{
	uint64_t lo = dst < src ? dst : src, gap = (dst > src ? dst : src) - lo;
	struct move m;
	int rc;

	memset(&m, 0, sizeof(m));
	if (gap < count) {
		if ((rc = segment_map(seg, lo, gap + count, &m.from)) !=
		    SHM_OK)
			return rc;
		m.dst = m.from.data + (dst - lo);
		m.src = m.from.data + (src - lo);
	} else {
		if ((rc = segment_map(seg, src, count, &m.from)) != SHM_OK ||
		    (rc = segment_map(seg, dst, count, &m.to)) != SHM_OK) {
			window_unmap(&m.from);
			return rc;
		}
		m.dst = m.to.data;
		m.src = m.from.data;
	}
	m.count = (size_t)count;
	rc = segment_guard(seg, move_bytes, &m);
	window_unmap(&m.from);
	window_unmap(&m.to);
	return rc;
}

/*
 * Under the lock, dst != src: claim the space, then move the bytes,
 * piece by piece.  Toward the start from the front, toward the end
 * from the back, so that no byte is written before it is read.
 */
static int
move_bytes_at(struct segment *seg, uint64_t dst, uint64_t src,
    uint64_t count)
{
	uint64_t done, n, at, piece = piece_size();
	int rc;

	/* Pages of a sparse destination are allocated now, or not at all. */
	if ((rc = segment_reserve(seg, dst, count)) != SHM_OK)
		return rc;
	for (done = 0; done < count && rc == SHM_OK; done += n) {
		n = shm_min(piece, count - done);
		at = dst < src ? done : count - done - n;
		rc = move_piece(seg, dst + at, src + at, n);
	}
	return rc;
}

static int
move(struct segment *seg, char **argv, uint64_t count)
{
	uint64_t dst, src;
	char was[64];
	int rc;

	if ((rc = segment_lock(seg, true)) != SHM_OK ||
	    (rc = parse_range(seg, argv, &dst, &src, &count)) != SHM_OK)
		return rc;
	if (count == 0 || dst == src)
		return SHM_OK;
	segment_identity(seg, was, sizeof(was));
	rc = move_bytes_at(seg, dst, src, count);
	cursor_keep_up(seg, was);
	return rc;
}

int
cmd_move(int argc, char **argv)
{
	struct opt_parser p;
	struct segment seg;
	const char *err;
	uint64_t count;
	int c, rc;

	opt_init(&p, argc, argv, &move_help);
	while ((c = opt_next(&p)) != OPT_END)
		return opt_stop(c);
	if (opt_operands(&p, 4, 4, "NAME DST SRC COUNT") != SHM_OK)
		return SHM_FAIL;
	/* The offsets need the size, so they wait for the lock; COUNT not. */
	if ((err = number_size(p.argv[3], &count)) != NULL)
		return opt_bad_value("COUNT", p.argv[3], err);
	/* The move, one memmove, is done whole: a signal waits for it. */
	interrupt_catch();
	if ((rc = segment_open(&seg, p.argv[0], SEGMENT_WRITE)) != SHM_OK)
		return rc;
	rc = move(&seg, p.argv + 1, count);
	segment_close(&seg);
	return rc;
}
