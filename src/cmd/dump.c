/* cmd/dump.c - a hex dump, byte for byte what hexdump -C or xxd print */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fmt/hexdump.h"
#include "lib/hexrange.h"
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

/*
 * Bytes per chunk read and formatted: 128 KiB took a tenth less time
 * than 256 KiB here (its text, some 550 KB, stays in the second level
 * cache, and there are half as many pages to fault in), 64 KiB the
 * same.  SHM_DUMP_CHUNK (a testing aid: many chunk edges in a small
 * dump) sets another, no larger; SHM_DUMP_THREADS=1 keeps the dump on
 * the main thread.
 */
#define DUMP_CHUNK	(128U * 1024)

static size_t
chunk_size(void)
{
	uint64_t size = number_env_size("SHM_DUMP_CHUNK", 16, DUMP_CHUNK,
	    DUMP_CHUNK);

	return (size_t)size & ~(size_t)15;	/* whole lines */
}

static bool
threads_wanted(void)
{
	const char *forced = getenv("SHM_DUMP_THREADS");

	return forced == NULL || strcmp(forced, "1") != 0;
}

static int
dump(struct segment *seg, const struct dump_args *a)
{
	uint64_t off = 0, len;
	int rc;

	if ((rc = segment_lock(seg, false)) != SHM_OK ||
	    (rc = segment_offset(seg, "offset", a->offset, &off)) != SHM_OK)
		return rc;
	len = segment_clamp(seg, off, a->length);
	return hexrange_dump(seg, &a->hex, off, len, chunk_size(),
	    threads_wanted(), STDOUT_FILENO, "standard output");
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
