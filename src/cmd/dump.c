/* cmd/dump.c - a hex dump, byte for byte what hexdump -C or xxd print */
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fmt/hexdump.h"
#include "lib/readahead.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm dump [-o OFFSET] [-n LENGTH] [-v] [--format hexdump|xxd]\n"
"                [--color[=WHEN]] NAME\n"
"\n"
"Show the bytes of NAME in hex and ASCII, exactly as 'hexdump -C' does,\n"
"or as 'xxd' with --format xxd.  Offsets are those in NAME.  A line\n"
"repeating the one before is shown as '*' (hexdump -C; with xxd, as\n"
"'xxd -a' does, only runs of zero lines are squeezed).\n";

enum { OPT_COLOR = OPT_LONG };

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "start here (negative: from the end)", NULL },
	{ 'n', "length", OPT_VALUE, "LENGTH", "show at most LENGTH bytes",
	    NULL },
	{ 'v', "no-squeeze", OPT_FLAG, NULL,
	    "show every line, as hexdump -C -v and xxd do", NULL },
	{ 'f', "format", OPT_VALUE, "FORMAT", "hexdump (the default) or xxd",
	    "hexdump xxd" },
	{ OPT_COLOR, "color", OPT_MAYBE, "WHEN",
	    "colour bytes by kind: always (--color alone), never, or auto "
	    "(the default: on a terminal, unless NO_COLOR is set)",
	    "auto always never" },
	{ 0 },
};

const struct opt_command dump_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

struct dump_args {
	const char		*offset;
	uint64_t		 length;
	struct hexdump_options	 hex;
};

/* Bytes per read: the dump formats them while they are in cache. */
#define DUMP_CHUNK	(256U * 1024)

/*
 * The range, read a chunk ahead of the formatting: they overlap.  A
 * hole's chunk is the layer's shared zeros, which a squeezed run takes
 * without a look.
 */
static int
dump_range(struct segment *seg, struct hexdump *hd, uint64_t off,
    uint64_t len)
{
	struct readahead ra;
	const unsigned char *data, *zeros;
	size_t got, zeros_len;
	int rc;

	zeros = segment_zeros(&zeros_len);
	if ((rc = readahead_start(&ra, seg, off, len, DUMP_CHUNK)) != SHM_OK)
		return rc;
	while ((rc = readahead_next(&ra, &data, &got)) == SHM_OK && got > 0)
		if ((data == zeros ? hexdump_feed_zeros(hd, data, got) :
		    hexdump_feed(hd, data, got)) != 0) {
			rc = shm_perror("standard output");
			break;
		}
	readahead_end(&ra);
	if (rc == SHM_OK && hexdump_finish(hd) != 0)
		rc = shm_perror("standard output");
	return rc;
}

static int
dump(struct segment *seg, const struct dump_args *a)
{
	struct hexdump *hd;
	uint64_t off = 0, len;
	int rc;

	if ((rc = segment_lock(seg, false)) != SHM_OK ||
	    (rc = segment_offset(seg, "offset", a->offset, &off)) != SHM_OK)
		return rc;
	len = segment_clamp(seg, off, a->length);
	if ((hd = hexdump_new(&a->hex, off, STDOUT_FILENO)) == NULL)
		return shm_perror(seg->name);
	rc = dump_range(seg, hd, off, len);
	hexdump_free(hd);
	return rc;
}

static int
parse_option(struct dump_args *a, int c, const char *arg)
{
	const char *err;

	switch (c) {
	case 'o':
		a->offset = arg;
		return SHM_OK;
	case 'n':
		if ((err = number_size(arg, &a->length)) != NULL)
			return opt_bad_value("-n", arg, err);
		return SHM_OK;
	case 'v':
		a->hex.squeeze = false;
		return SHM_OK;
	case 'f':
		if (strcmp(arg, "hexdump") == 0)
			a->hex.format = HEXDUMP_CANONICAL;
		else if (strcmp(arg, "xxd") == 0)
			a->hex.format = HEXDUMP_XXD;
		else
			return opt_bad_value("--format", arg, "not hexdump or "
			    "xxd");
		return SHM_OK;
	case OPT_COLOR:
		return opt_color(arg, &a->hex.color);
	default: return opt_stop(c);
	}
}

int
cmd_dump(int argc, char **argv)
{
	struct dump_args a = { NULL, UINT64_MAX,
	    { HEXDUMP_CANONICAL, true, false, false } };
	struct opt_parser p;
	struct segment seg;
	int c, rc;

	if ((rc = opt_color("auto", &a.hex.color)) != SHM_OK)
		return rc;
	opt_init(&p, argc, argv, &dump_help);
	while ((c = opt_next(&p)) != OPT_END)
		if ((rc = parse_option(&a, c, p.arg)) != SHM_OK)
			return rc;
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK)
		return SHM_FAIL;
	if ((rc = segment_open(&seg, p.argv[0], SEGMENT_READ)) != SHM_OK)
		return rc;
	rc = dump(&seg, &a);
	segment_close(&seg);
	return rc;
}
