/*
 * hexdump.c - show bytes as `hexdump -C` or `xxd` does, at memory speed.
 *
 * shm dump may be asked for gigabytes, so nothing here calls printf:
 * each line is laid out from tables straight into a large buffer that
 * goes out with write(2), and a squeezed line is dropped after a
 * 16-byte compare, before any formatting.  The text matches util-linux
 * hexdump 2.38 and xxd 2022-01-14 byte for byte, squeezing included.
 *
 * Colours follow hexyl, one per byte class, on the hex pair and on the
 * character alike.  Each area ends in a reset, so offsets, the gutter
 * and "*" lines stay uncoloured.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hexdump.h"

#define LINE_BYTES	16
#define OFFSET_WIDTH	8	/* both tools pad offsets to 8 digits */
#define OFFSET_MAX	16	/* ...and widen them past 4 GiB */
#define TEXT_COLUMN_MAX	51	/* where characters start, after the offset */
#define ESCAPE_LEN	5
#define RESET		"\033[0m"
#define RESET_LEN	4

/*
 * The longest line is a coloured hexdump -C line at a 16-digit offset:
 * offset, 2 separator columns, 51 columns up to the characters, 16
 * characters and "|\n", then an escape before every one of the 16 hex
 * pairs and 16 characters and a reset after each area.
 */
#define OUT_LINE_MAX	(OFFSET_MAX + 2 + TEXT_COLUMN_MAX + LINE_BYTES + 2 + \
    2 * LINE_BYTES * ESCAPE_LEN + 2 * RESET_LEN)

/*
 * A step writes a batch of lines that fits the room it finds, or at
 * most two lines and a "*" line (xxd -a closing a run of zeros).  That
 * much room is made before each, so nothing that formats can fail.
 */
#define OUT_STEP_MAX	(2 * OUT_LINE_MAX + 2)

_Static_assert(HEXDUMP_BUFSIZE >= 2 * OUT_STEP_MAX, "buffer too small");

#define HEX_ROW(h)	h "0  " h "1  " h "2  " h "3  " h "4  " h "5  " h "6  " \
			h "7  " h "8  " h "9  " h "a  " h "b  " h "c  " h "d  " \
			h "e  " h "f  "

/*
 * Byte b is hexquads[4 * b]: two digits and two spaces, so one 4-byte
 * copy per byte also blanks the columns up to the next pair.
 */
static const char hexquads[] =
    HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3")
    HEX_ROW("4") HEX_ROW("5") HEX_ROW("6") HEX_ROW("7")
    HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
    HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");

enum byte_class { CLASS_NUL, CLASS_PRINT, CLASS_SPACE, CLASS_CONTROL,
    CLASS_HIGH, CLASS_NONE };

static const char escapes[][ESCAPE_LEN + 1] = {
	[CLASS_NUL] = "\033[90m",	/* bright black */
	[CLASS_PRINT] = "\033[36m",	/* cyan */
	[CLASS_SPACE] = "\033[32m",	/* green */
	[CLASS_CONTROL] = "\033[35m",	/* magenta */
	[CLASS_HIGH] = "\033[33m",	/* yellow */
};

/* Columns after the offset; both formats fit TEXT_COLUMN_MAX. */
struct layout {
	char		 sep[2];		/* between offset and hex */
	unsigned char	 hex[LINE_BYTES];	/* where each pair starts */
	unsigned char	 text;			/* where characters start */
	bool		 bars;			/* characters framed by | */
};

static const struct layout layouts[] = {
	[HEXDUMP_CANONICAL] = { { ' ', ' ' },
	    { 0, 3, 6, 9, 12, 15, 18, 21, 25, 28, 31, 34, 37, 40, 43, 46 },
	    51, true },
	[HEXDUMP_XXD] = { { ':', ' ' },
	    { 0, 2, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 30, 32, 35, 37 },
	    41, false },
};

/*
 * Eight characters at once, each byte lane on its own (no sum carries
 * out of a lane): keep c where 0x20 <= c < 0x7f, else '.', as xxd does
 * and as hexdump's isprint() does in the C and UTF-8 locales.
 */
static inline uint64_t
text_word(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t low7 = x & 0x7f * ones, keep;

	keep = (low7 + 0x60 * ones) & ~(low7 + ones) & ~x & 0x80 * ones;
	keep = (keep >> 7) * 0xff;
	return (x & keep) | ('.' * ones & ~keep);
}

static inline void
make_text(char *text, const unsigned char *c)
{
	uint64_t w;
	size_t i;

	for (i = 0; i < LINE_BYTES; i += 8) {
		memcpy(&w, c + i, 8);
		w = text_word(w);
		memcpy(text + i, &w, 8);
	}
}

static enum byte_class
byte_class(unsigned char c)
{
	if (c == 0)
		return CLASS_NUL;
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return CLASS_SPACE;
	if (c < 0x20 || c == 0x7f)
		return CLASS_CONTROL;
	return c < 0x80 ? CLASS_PRINT : CLASS_HIGH;
}

/* Hex, at least 8 digits and as many more as the value needs. */
static inline char *
put_offset(char *p, uint64_t off)
{
	char *end;
	int width = OFFSET_WIDTH;

	if (off >> 32 == 0) {	/* the common case, unrolled */
		memcpy(p, hexquads + 4 * (off >> 24), 2);
		memcpy(p + 2, hexquads + 4 * (off >> 16 & 0xff), 2);
		memcpy(p + 4, hexquads + 4 * (off >> 8 & 0xff), 2);
		memcpy(p + 6, hexquads + 4 * (off & 0xff), 2);
		return p + OFFSET_WIDTH;
	}
	while (width < OFFSET_MAX && off >> 4 * width != 0)
		width++;
	end = p + width;
	for (p = end; width >= 2; width -= 2, off >>= 8) {
		p -= 2;
		memcpy(p, hexquads + 4 * (off & 0xff), 2);
	}
	if (width == 1)
		p[-1] = hexquads[4 * (off & 0xf) + 1];
	return end;
}

/* The common case: every pair and character dropped into its column. */
static inline char *
put_plain(char *p, const struct layout *lay, const unsigned char *b)
{
	unsigned char c[LINE_BYTES];
	char text[LINE_BYTES];
	size_t i;

	memcpy(c, b, LINE_BYTES);	/* unaliased, so kept in registers */
	/* Unrolled, the columns are constants; GCC -O2 must be told. */
#pragma GCC unroll 16
	for (i = 0; i < LINE_BYTES; i++)
		memcpy(p + lay->hex[i], hexquads + 4 * c[i], 4);
	make_text(text, c);
	memcpy(p + lay->text, text, LINE_BYTES);
	p += lay->text + LINE_BYTES;
	if (lay->bars) {
		p[-LINE_BYTES - 1] = '|';
		*p++ = '|';
	}
	*p++ = '\n';
	return p;
}

/* A short line is a full one, padded, then blanked past byte n. */
static char *
put_short(char *p, const struct layout *lay, const unsigned char *b,
    size_t n)
{
	unsigned char c[LINE_BYTES] = { 0 };

	memcpy(c, b, n);
	put_plain(p, lay, c);
	memset(p + lay->hex[n], ' ', lay->text - lay->bars - lay->hex[n]);
	p += lay->text + n;
	if (lay->bars)
		*p++ = '|';
	*p++ = '\n';
	return p;
}

/* An escape only where the class changes: fewer bytes to the terminal. */
static char *
put_class(char *p, enum byte_class *cur, unsigned char c)
{
	enum byte_class want = byte_class(c);

	if (want == *cur)
		return p;
	*cur = want;
	memcpy(p, escapes[want], ESCAPE_LEN);
	return p + ESCAPE_LEN;
}

/* Escapes take no columns, so pad by column, not by position. */
static char *
put_color(char *p, const struct layout *lay, const unsigned char *b,
    size_t n)
{
	enum byte_class cur = CLASS_NONE;
	unsigned char c[LINE_BYTES] = { 0 };
	char text[LINE_BYTES];
	size_t col = 0, i;

	memcpy(c, b, n);
	make_text(text, c);
	for (i = 0; i < n; i++, col += 2) {
		for (; col < lay->hex[i]; col++)
			*p++ = ' ';
		p = put_class(p, &cur, c[i]);
		memcpy(p, hexquads + 4 * c[i], 2);
		p += 2;
	}
	memcpy(p, RESET, RESET_LEN);
	p += RESET_LEN;
	for (; col < lay->text; col++)
		*p++ = ' ';
	if (lay->bars)
		p[-1] = '|';
	cur = CLASS_NONE;
	for (i = 0; i < n; i++) {
		p = put_class(p, &cur, c[i]);
		*p++ = text[i];
	}
	memcpy(p, RESET, RESET_LEN);
	p += RESET_LEN;
	if (lay->bars)
		*p++ = '|';
	*p++ = '\n';
	return p;
}

static inline char *
put_head(char *p, const struct layout *lay, uint64_t off)
{
	p = put_offset(p, off);
	memcpy(p, lay->sep, 2);
	return p + 2;
}

struct digits {
	char	 text[OFFSET_MAX];
	size_t	 width;
};

/*
 * Consecutive line offsets differ in the last two digits only, but for
 * every 16th line; formatting each whole took a quarter of the time.
 */
static inline char *
put_next_offset(char *p, struct digits *d, uint64_t off)
{
	if (d->width == 0 || (off & 0xff) < LINE_BYTES)
		d->width = (size_t)(put_offset(d->text, off) - d->text);
	memcpy(p, d->text, OFFSET_MAX);
	memcpy(p + d->width - 2, hexquads + 4 * (off & 0xff), 2);
	return p + d->width;
}

/*
 * The hot loop: n full lines from offset off, into room the caller has
 * made.  Each put_plain() gets a constant layout, so constant columns.
 */
static char *
put_lines(const struct hexdump *h, char *p, uint64_t off,
    const unsigned char *b, size_t n)
{
	const struct layout *lay = &layouts[h->opt.format];
	const bool color = h->opt.color, xxd = h->opt.format == HEXDUMP_XXD;
	struct digits d = { { 0 }, 0 };
	char *start;

	for (; n > 0; n--, off += LINE_BYTES, b += LINE_BYTES) {
		start = p;
		p = put_next_offset(p, &d, off);
		memcpy(p, lay->sep, 2);
		p += 2;
		if (color)
			p = put_color(p, lay, b, LINE_BYTES);
		else if (xxd)
			p = put_plain(p, &layouts[HEXDUMP_XXD], b);
		else
			p = put_plain(p, &layouts[HEXDUMP_CANONICAL], b);
		assert(p - start <= OUT_LINE_MAX);
	}
	return p;
}

/* One line of n bytes, 1 to 16. */
static char *
put_line(const struct hexdump *h, char *p, uint64_t off,
    const unsigned char *b, size_t n)
{
	const struct layout *lay = &layouts[h->opt.format];
	char *start = p;

	if (n == LINE_BYTES)
		return put_lines(h, p, off, b, 1);
	p = put_head(p, lay, off);
	if (h->opt.color)
		p = put_color(p, lay, b, n);
	else
		p = put_short(p, lay, b, n);
	assert(p - start <= OUT_LINE_MAX);
	return p;
}

static char *
put_star(char *p)
{
	memcpy(p, "*\n", 2);
	return p + 2;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* *p is where output goes next; make OUT_STEP_MAX free after it. */
static int
make_room(struct hexdump *h, char **p)
{
	if (*p - h->out <= HEXDUMP_BUFSIZE - OUT_STEP_MAX)
		return 0;
	if (write_all(h->fd, h->out, (size_t)(*p - h->out)) == -1)
		return -1;
	*p = h->out;
	return 0;
}

/*
 * Squeezing may hide a line equal to the one before (hexdump -C) or an
 * all-zero line (xxd -a).
 */
static bool
is_squeezable(const struct hexdump *h, const unsigned char *b,
    const unsigned char *prev)
{
	static const unsigned char zeros[LINE_BYTES];

	if (h->opt.format == HEXDUMP_XXD)
		return memcmp(b, zeros, LINE_BYTES) == 0;
	return prev != NULL && memcmp(b, prev, LINE_BYTES) == 0;
}

/* How many of the n lines at b share the first one's squeezability. */
static size_t
count_alike(const struct hexdump *h, const unsigned char *b, size_t n,
    bool squeezable)
{
	const unsigned char *prev = h->have_prev ? h->prev : NULL;
	size_t i;

	if (!h->opt.squeeze)
		return squeezable ? 0 : n;
	for (i = 0; i < n && is_squeezable(h, b, prev) == squeezable; i++) {
		prev = b;
		b += LINE_BYTES;
	}
	return i;
}

/*
 * xxd -a shows the first line of a run of zeros at once and settles the
 * rest when the run ends: a run of 2 is shown whole, a longer one as
 * "*".  At the end of input a run of 3 is shown whole too, and a longer
 * one as "*" and its last line.  A short last line ends a run as a
 * nonzero line does, even when it is all zeros.
 */
static char *
end_zero_run(struct hexdump *h, char *p, bool at_eof)
{
	static const unsigned char zeros[LINE_BYTES];
	uint64_t run = h->run, end = h->off, off;

	h->run = 0;
	if (run == 2 || (run == 3 && at_eof)) {
		for (off = end - (run - 1) * LINE_BYTES; off < end;
		    off += LINE_BYTES)
			p = put_line(h, p, off, zeros, LINE_BYTES);
	} else if (run >= 3) {
		p = put_star(p);
		if (at_eof)
			p = put_line(h, p, end - LINE_BYTES, zeros, LINE_BYTES);
	}
	return p;
}

/* n squeezable lines: only the first of a run shows, as "*" or itself. */
static int
hide_lines(struct hexdump *h, char **p, const unsigned char *b, size_t n)
{
	if (h->run == 0) {
		if (make_room(h, p) == -1)
			return -1;
		if (h->opt.format == HEXDUMP_XXD)
			*p = put_line(h, *p, h->off, b, LINE_BYTES);
		else
			*p = put_star(*p);
	}
	h->run += n;
	h->off += n * LINE_BYTES;
	return 0;
}

/* n lines squeezing leaves alone, in batches that fit the room made. */
static int
show_lines(struct hexdump *h, char **p, const unsigned char *b, size_t n)
{
	size_t batch;

	if (make_room(h, p) == -1)
		return -1;
	if (h->opt.squeeze && h->opt.format == HEXDUMP_XXD)
		*p = end_zero_run(h, *p, false);
	for (h->run = 0; n > 0; n -= batch, b += batch * LINE_BYTES) {
		if (make_room(h, p) == -1)
			return -1;
		batch = (size_t)(h->out + HEXDUMP_BUFSIZE - *p) / OUT_LINE_MAX;
		batch = batch < n ? batch : n;
		*p = put_lines(h, *p, h->off, b, batch);
		h->off += batch * LINE_BYTES;
	}
	memcpy(h->prev, b - LINE_BYTES, LINE_BYTES);
	h->have_prev = true;
	return 0;
}

static int
feed_lines(struct hexdump *h, char **p, const unsigned char *b,
    size_t nlines)
{
	size_t n;
	int rc;

	for (; nlines > 0; nlines -= n, b += n * LINE_BYTES) {
		if ((n = count_alike(h, b, nlines, true)) > 0)
			rc = hide_lines(h, p, b, n);
		else {
			n = count_alike(h, b, nlines, false);
			rc = show_lines(h, p, b, n);
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

void
hexdump_init(struct hexdump *h, const struct hexdump_options *opt,
    uint64_t start, int fd)
{
	h->opt = *opt;
	h->fd = fd;
	h->off = start;
	h->run = 0;
	h->have_prev = false;
	h->linelen = 0;
	h->outlen = 0;
}

int
hexdump_feed(struct hexdump *h, const unsigned char *buf, size_t len)
{
	char *p = h->out + h->outlen;
	size_t n;

	if (len == 0)	/* buf may then be NULL, which memcpy refuses */
		return 0;
	if (h->linelen > 0) {
		n = LINE_BYTES - h->linelen;
		n = n < len ? n : len;
		memcpy(h->line + h->linelen, buf, n);
		h->linelen += n;
		buf += n;
		len -= n;
		if (h->linelen < LINE_BYTES)
			return 0;
		h->linelen = 0;
		if (feed_lines(h, &p, h->line, 1) == -1)
			return -1;
	}
	n = len / LINE_BYTES;
	if (feed_lines(h, &p, buf, n) == -1)
		return -1;
	h->linelen = len % LINE_BYTES;
	memcpy(h->line, buf + n * LINE_BYTES, h->linelen);
	h->outlen = (size_t)(p - h->out);
	return 0;
}

/*
 * hexdump -C ends with the offset past the data, except when that is
 * 0: an empty dump from offset 0 prints nothing at all.
 */
int
hexdump_finish(struct hexdump *h)
{
	char *p = h->out + h->outlen;

	if (make_room(h, &p) == -1)
		return -1;
	if (h->opt.squeeze && h->opt.format == HEXDUMP_XXD)
		p = end_zero_run(h, p, h->linelen == 0);
	if (h->linelen > 0) {
		p = put_line(h, p, h->off, h->line, h->linelen);
		h->off += h->linelen;
		h->linelen = 0;
	}
	if (h->opt.format == HEXDUMP_CANONICAL && h->off != 0) {
		p = put_offset(p, h->off);
		*p++ = '\n';
	}
	h->outlen = 0;
	return write_all(h->fd, h->out, (size_t)(p - h->out));
}
