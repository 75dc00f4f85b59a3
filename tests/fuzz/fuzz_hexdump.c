/*
 * fuzz_hexdump.c - libFuzzer harness for hexdump.c; not part of shm.
 *
 * Input: an options byte (format, squeeze, colour), 8 bytes of start
 * offset, then chunks, each a length byte and up to that many bytes.
 * The chunks go to /dev/null as fed, and, to check that chunking does
 * not change the text, to a file once split and once whole: the two
 * must match.  The whole run also takes the plain formatter rather than
 * the SSSE3 one, so the two are compared on every input.  A third run
 * cuts the input at the chunks' line edges and formats each piece with
 * a hexdump of its own, resumed from the bytes before it, as shm dump's
 * two threads do (hexdump_resume): it must give the same text too.
 *
 * clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 \
 *     -fsanitize=fuzzer,address,undefined fuzz_hexdump.c hexdump.c
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt/hexdump.h"

struct chunks {
	unsigned char	 data[1 << 16];
	size_t		 len;
	size_t		 sizes[1 << 16];
	size_t		 n;
};

/* A harness may keep state in statics; shm's code may not. */
static struct chunks chunks;
static unsigned char split_text[1 << 22], whole_text[1 << 22];

static void
split(const uint8_t *in, size_t size)
{
	size_t n;

	chunks.len = chunks.n = 0;
	while (size > 0) {
		n = in[0] < size - 1 ? in[0] : size - 1;
		memcpy(chunks.data + chunks.len, in + 1, n);
		chunks.len += n;
		chunks.sizes[chunks.n++] = n;
		in += n + 1;
		size -= n + 1;
	}
}

/* The hexdumps' sink: write(2) to the descriptor at arg. */
static int
to_fd(void *arg, const char *text, size_t len)
{
	ssize_t n;

	for (; len > 0; text += n, len -= (size_t)n)
		if ((n = write(*(int *)arg, text, len)) < 0)
			return -1;
	return 0;
}

/* Dumps the chunks to fd, split as given or all at once. */
static void
run(const struct hexdump_options *opt, uint64_t start, int fd, int whole)
{
	struct hexdump_options o = *opt;
	struct hexdump *dump;
	size_t i, pos = 0;

	/* The whole run takes the plain path: the SSSE3 one must agree. */
	o.scalar = whole;
	if ((dump = hexdump_new(&o, start, 0, to_fd, &fd)) == NULL)
		abort();
	for (i = 0; i < chunks.n && !whole; pos += chunks.sizes[i++])
		if (hexdump_feed(dump, chunks.data + pos, chunks.sizes[i]))
			abort();
	if (whole && hexdump_feed(dump, chunks.data, chunks.len))
		abort();
	if (hexdump_finish(dump) == -1)
		abort();
	hexdump_free(dump);
}

/*
 * Dumps the chunks to fd cut at their edges rounded down to whole
 * lines, each piece by a hexdump of its own resumed where it starts;
 * the last one's finish closes the dump.
 */
static void
run_resumed(const struct hexdump_options *opt, uint64_t start, int fd)
{
	struct hexdump *dump;
	size_t i, from = 0, to, pos = 0, before;

	for (i = 0; i <= chunks.n; i++) {
		pos += i < chunks.n ? chunks.sizes[i] : 0;
		to = i < chunks.n ? pos - pos % 16 : chunks.len;
		if (to <= from && i < chunks.n)
			continue;
		if ((dump = hexdump_new(opt, start, 0, to_fd, &fd)) == NULL)
			abort();
		before = from < HEXDUMP_RESUME_BYTES ? from :
		    HEXDUMP_RESUME_BYTES;
		if (from > 0)
			hexdump_resume(dump, start + from,
			    chunks.data + from - before, before);
		if (hexdump_feed(dump, chunks.data + from, to - from) ||
		    (i < chunks.n ? hexdump_flush(dump) :
		    hexdump_finish(dump)) == -1)
			abort();
		hexdump_free(dump);
		from = to;
	}
}

static void
rewind_file(int fd)
{
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		abort();
}

static size_t
read_back(int fd, unsigned char *buf, size_t size)
{
	ssize_t n;

	n = pread(fd, buf, size, 0);
	if (n < 0 || (size_t)n == size)	/* too much to compare: skip */
		abort();
	return (size_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static int null_fd = -1, file_fd = -1;
	char path[] = "/tmp/fuzz_hexdump.XXXXXX";
	struct hexdump_options opt = { HEXDUMP_CANONICAL, false, false, false };
	uint64_t start = 0;
	size_t a, b;

	if (null_fd == -1) {
		null_fd = open("/dev/null", O_WRONLY);
		file_fd = mkstemp(path);
		if (null_fd == -1 || file_fd == -1)
			abort();
		unlink(path);
	}
	if (size < 9 || size > sizeof(chunks.data))
		return 0;
	opt.format = in[0] & 1 ? HEXDUMP_XXD : HEXDUMP_CANONICAL;
	opt.squeeze = in[0] & 2;
	opt.color = in[0] & 4;
	memcpy(&start, in + 1, 8);
	start >>= 2;	/* shm's offsets stay far below 2^64 */
	split(in + 9, size - 9);

	run(&opt, start, null_fd, 0);
	rewind_file(file_fd);
	run(&opt, start, file_fd, 0);
	a = read_back(file_fd, split_text, sizeof(split_text));
	rewind_file(file_fd);
	run(&opt, start, file_fd, 1);
	b = read_back(file_fd, whole_text, sizeof(whole_text));
	if (a != b || memcmp(split_text, whole_text, a) != 0) {
		fprintf(stderr, "output depends on chunking or SSSE3\n");
		abort();
	}
	rewind_file(file_fd);
	run_resumed(&opt, start, file_fd);
	b = read_back(file_fd, split_text, sizeof(split_text));
	if (a != b || memcmp(split_text, whole_text, a) != 0) {
		fprintf(stderr, "output differs when resumed at line edges\n");
		abort();
	}
	return 0;
}
