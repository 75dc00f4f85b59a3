/*
 * hexdump.c - show bytes as `hexdump -C` or `xxd` does, at memory speed.
 *
 * shm dump may be asked for gigabytes, so nothing here calls printf:
 * lines are laid out from tables straight into a large buffer that goes
 * out with write(2).  Squeezing is settled by 16-byte compares before
 * any formatting, so a hidden run costs only the compares.  The text
 * matches util-linux hexdump 2.38 and xxd 2022-01-14 byte for byte.
 *
 * Colours follow hexyl: one per byte class, on the hex pair and on the
 * character alike.  Each area ends in a reset, so offsets, the gutter
 * and "*" lines stay plain and no line leaves the terminal coloured.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt/hexdump.h"
#include "util/shm.h"

/* Only this file touches the fields. */
struct hexdump {
	struct hexdump_options	 options;
	hexdump_sink		*sink;
	void			*sink_arg;
	uint64_t		 off;		/* offset of the next line */
	uint64_t		 run;		/* lines squeezed so far */
	bool			 have_last;
	unsigned char		 last[16];	/* last full line, to compare */
	unsigned char		 line[16];	/* a line split across feeds */
	size_t			 line_len;
	bool			 vector;	/* the SSSE3 path: the CPU has it */
	size_t			 out_len, out_size;
	char			 out[];
};

#define LINE_BYTES	16
#define OFFSET_WIDTH	8	/* both tools pad offsets to 8 digits */
#define OFFSET_MAX	16	/* ...and widen them past 4 GiB */
#define TEXT_COLUMN_MAX	51	/* where characters start, past the offset */
#define ESCAPE_LEN	5
#define RESET		"\033[0m"
#define RESET_LEN	4
#define SHOW_AHEAD	64	/* lines checked for squeezing, then shown */

/*
 * The longest line is a coloured hexdump -C line at a 16-digit offset:
 * offset, 2 columns, 51 up to the characters, 16 characters and "|\n";
 * an escape before each of the 16 pairs and 16 characters; 2 resets.
 */
#define OUT_LINE_MAX	(OFFSET_MAX + 2 + TEXT_COLUMN_MAX + LINE_BYTES + 2 + \
    2 * LINE_BYTES * ESCAPE_LEN + 2 * RESET_LEN)

/*
 * A step writes a batch of lines sized to the room it finds, or at most
 * two lines and a "*" (xxd -a closing a run of zeros).  That much room
 * is made before each step, so nothing that formats can fail.
 */
#define OUT_STEP_MAX	(2 * OUT_LINE_MAX + 2)

_Static_assert(HEXDUMP_ROOM_MIN >= 2 * OUT_STEP_MAX, "buffer too small");
_Static_assert(HEXDUMP_RESUME_BYTES % LINE_BYTES == 0 &&
    HEXDUMP_RESUME_BYTES >= 4 * LINE_BYTES, "resume sees too little");

#define HEX_ROW(h)	h "0  " h "1  " h "2  " h "3  " h "4  " h "5  " \
			h "6  " h "7  " h "8  " h "9  " h "a  " h "b  " \
			h "c  " h "d  " h "e  " h "f  "

/*
 * Byte c is hexquads[4 * c]: two digits and two spaces, so one 4-byte
 * copy per byte also blanks the columns up to the next pair.
 */
static const char hexquads[] =
    HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3")
    HEX_ROW("4") HEX_ROW("5") HEX_ROW("6") HEX_ROW("7")
    HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
    HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");

enum byte_class { CLASS_NUL, CLASS_PRINT, CLASS_SPACE, CLASS_CONTROL,
    CLASS_HIGH, CLASS_NONE };

#define CLASS_ROW(k)	k k k k k k k k k k k k k k k k

/* Byte c is of class classes[c] - '0'; random data defeats branches. */
static const char classes[] =
    "0333333332222233" CLASS_ROW("3")	/* NUL, \t \n \v \f \r */
    "2111111111111111"			/* space */
    CLASS_ROW("1") CLASS_ROW("1") CLASS_ROW("1") CLASS_ROW("1")
    "1111111111111113"			/* DEL */
    CLASS_ROW("4") CLASS_ROW("4") CLASS_ROW("4") CLASS_ROW("4")
    CLASS_ROW("4") CLASS_ROW("4") CLASS_ROW("4") CLASS_ROW("4");

static const char escapes[][ESCAPE_LEN + 1] = {
	[CLASS_NUL] = "\033[90m",	/* bright black */
	[CLASS_PRINT] = "\033[36m",	/* cyan */
	[CLASS_SPACE] = "\033[32m",	/* green */
	[CLASS_CONTROL] = "\033[35m",	/* magenta */
	[CLASS_HIGH] = "\033[33m",	/* yellow */
};

/* Columns count from the end of the offset. */
struct layout {
	char		 separator[2];		/* after the offset */
	unsigned char	 pair_column[LINE_BYTES];
	unsigned char	 text_column;
	bool		 bars;			/* text framed by '|' */
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
static inline void
put_text(char *text, const unsigned char *c)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t x, low7, keep;
	size_t i;

	for (i = 0; i < LINE_BYTES; i += 8) {
		memcpy(&x, c + i, 8);
		low7 = x & 0x7f * ones;
		keep = (low7 + 0x60 * ones) & ~(low7 + ones) & ~x & 0x80 * ones;
		keep = (keep >> 7) * 0xff;
		x = (x & keep) | ('.' * ones & ~keep);
		memcpy(text + i, &x, 8);
	}
}

/* Hex, at least 8 digits and as many more as the value needs. */
static inline char *
put_offset(char *p, uint64_t off)
{
	char *end;
	int width = OFFSET_WIDTH;

	if (off >> 32 == 0) {	/* the usual case, unrolled */
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

/* The usual line: every pair and character dropped into its column. */
static inline char *
put_plain(char *p, const struct layout *layout, const unsigned char *b)
{
	unsigned char c[LINE_BYTES];
	size_t i;

	memcpy(c, b, LINE_BYTES);	/* unaliased, so kept in registers */
	/* Unrolled, the columns are constants; GCC -O2 must be told. */
#pragma GCC unroll 16
	for (i = 0; i < LINE_BYTES; i++)
		memcpy(p + layout->pair_column[i], hexquads + 4 * c[i], 4);
	put_text(p + layout->text_column, c);
	p += layout->text_column + LINE_BYTES;
	if (layout->bars) {
		p[-LINE_BYTES - 1] = '|';
		*p++ = '|';
	}
	*p++ = '\n';
	return p;
}

/*
 * A short line is a full one, padded, then blanked past byte n; what
 * lies past its end is scrap inside the room made for a line.
 */
static char *
put_short(char *p, const struct layout *layout, const unsigned char *b,
    size_t n)
{
	unsigned char c[LINE_BYTES] = { 0 };
	size_t from = layout->pair_column[n];

	memcpy(c, b, n);
	put_plain(p, layout, c);
	memset(p + from, ' ', layout->text_column - layout->bars - from);
	p += layout->text_column + n;
	if (layout->bars)
		*p++ = '|';
	*p++ = '\n';
	return p;
}

/*
 * An escape only where the class changes, for fewer bytes to the
 * terminal; always copied and kept or not, as random data defeats the
 * branch.
 */
static inline char *
put_class(char *p, enum byte_class *current, unsigned char c)
{
	enum byte_class next = (enum byte_class)(classes[c] - '0');

	memcpy(p, escapes[next], ESCAPE_LEN);
	p += next != *current ? ESCAPE_LEN : 0;
	*current = next;
	return p;
}

/* Escapes take no columns, so this pads by column, not by position. */
static char *
put_color(char *p, const struct layout *layout, const unsigned char *b,
    size_t n)
{
	enum byte_class current = CLASS_NONE;
	unsigned char c[LINE_BYTES] = { 0 };
	char text[LINE_BYTES];
	size_t column = 0, i;

	memcpy(c, b, n);
	put_text(text, c);
	for (i = 0; i < n; i++, column += 2) {
		for (; column < layout->pair_column[i]; column++)
			*p++ = ' ';
		p = put_class(p, &current, c[i]);
		memcpy(p, hexquads + 4 * c[i], 2);
		p += 2;
	}
	memcpy(p, RESET, RESET_LEN);
	p += RESET_LEN;
	for (; column < layout->text_column; column++)
		*p++ = ' ';
	if (layout->bars)
		p[-1] = '|';
	for (current = CLASS_NONE, i = 0; i < n; i++) {
		p = put_class(p, &current, c[i]);
		*p++ = text[i];
	}
	memcpy(p, RESET, RESET_LEN);
	p += RESET_LEN;
	if (layout->bars)
		*p++ = '|';
	*p++ = '\n';
	return p;
}

static inline char *
put_head(char *p, const struct layout *layout, uint64_t off)
{
	p = put_offset(p, off);
	memcpy(p, layout->separator, 2);
	return p + 2;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <tmmintrin.h>

#define HAVE_VECTOR	1

/*
 * The usual line again, sixteen bytes at a time with SSSE3: the nibbles
 * become digits in two registers (bytes 0-7, bytes 8-15), and pshufb
 * drops each digit into its column.  A -1 in a shuffle gives a 0 byte,
 * and as no digit is 0, every 0 left after the ORs becomes a space.
 * Each row: the output columns 16n to 16n+15, from the first register,
 * then from the second.
 */
#define SP	-1
static const signed char canonical_shuffles[3][2][16] = {
	{ { 0, 1, SP, 2, 3, SP, 4, 5, SP, 6, 7, SP, 8, 9, SP, 10 },
	  { SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP } },
	{ { 11, SP, 12, 13, SP, 14, 15, SP, SP, SP, SP, SP, SP, SP, SP, SP },
	  { SP, SP, SP, SP, SP, SP, SP, SP, SP, 0, 1, SP, 2, 3, SP, 4 } },
	{ { SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP },
	  { 5, SP, 6, 7, SP, 8, 9, SP, 10, 11, SP, 12, 13, SP, 14, 15 } },
};
static const signed char xxd_shuffles[3][2][16] = {
	{ { 0, 1, 2, 3, SP, 4, 5, 6, 7, SP, 8, 9, 10, 11, SP, 12 },
	  { SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP } },
	{ { 13, 14, 15, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP },
	  { SP, SP, SP, SP, 0, 1, 2, 3, SP, 4, 5, 6, 7, SP, 8, 9 } },
	{ { SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP },
	  { 10, 11, SP, 12, 13, 14, 15, SP, SP, SP, SP, SP, SP, SP, SP, SP } },
};
#undef SP

/* Sixteen output columns from the two registers of digits. */
__attribute__((target("ssse3"))) static inline __m128i
columns(__m128i first, __m128i second, const signed char mask[2][16])
{
	const __m128i *m = (const __m128i *)mask;
	__m128i v = _mm_or_si128(_mm_shuffle_epi8(first, _mm_loadu_si128(m)),
	    _mm_shuffle_epi8(second, _mm_loadu_si128(m + 1)));

	return _mm_or_si128(v, _mm_and_si128(_mm_cmpeq_epi8(v,
	    _mm_setzero_si128()), _mm_set1_epi8(' ')));
}

/* Keep 0x20 to 0x7e, make the rest '.' (signed: >= 0x80 is negative). */
__attribute__((target("ssse3"))) static inline __m128i
printable(__m128i x)
{
	__m128i keep = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x1f)),
	    _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f)));

	return _mm_or_si128(_mm_and_si128(keep, x),
	    _mm_andnot_si128(keep, _mm_set1_epi8('.')));
}

__attribute__((target("ssse3"))) static inline char *
put_vector(char *p, enum hexdump_format format, const unsigned char *b)
{
	const signed char (*s)[2][16] = format == HEXDUMP_XXD ?
	    xxd_shuffles : canonical_shuffles;
	const struct layout *layout = &layouts[format];
	const __m128i hex = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6',
	    '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
	const __m128i nibble = _mm_set1_epi8(0x0f);
	__m128i x = _mm_loadu_si128((const __m128i *)b);
	__m128i hi = _mm_shuffle_epi8(hex,
	    _mm_and_si128(_mm_srli_epi16(x, 4), nibble));
	__m128i lo = _mm_shuffle_epi8(hex, _mm_and_si128(x, nibble));
	__m128i first = _mm_unpacklo_epi8(hi, lo);
	__m128i second = _mm_unpackhi_epi8(hi, lo);

	_mm_storeu_si128((__m128i *)p, columns(first, second, s[0]));
	_mm_storeu_si128((__m128i *)(p + 16), columns(first, second, s[1]));
	_mm_storeu_si128((__m128i *)(p + 32), columns(first, second, s[2]));
	/* hexdump's two blanks past column 48; xxd's came with row 2. */
	if (layout->bars)
		memcpy(p + 48, "  ", 2);
	_mm_storeu_si128((__m128i *)(p + layout->text_column), printable(x));
	p += layout->text_column + LINE_BYTES;
	if (layout->bars) {
		p[-LINE_BYTES - 1] = '|';
		*p++ = '|';
	}
	*p++ = '\n';
	return p;
}

/* put_lines for plain lines on an SSSE3 CPU: one function, all inline. */
__attribute__((target("ssse3"))) static char *
put_vector_lines(enum hexdump_format format, char *p, uint64_t off,
    const unsigned char *b, size_t n)
{
	const struct layout *layout = &layouts[format];

	for (; n > 0; n--, off += LINE_BYTES, b += LINE_BYTES)
		p = put_vector(put_head(p, layout, off), format, b);
	return p;
}
#endif

/*
 * The hot loop: n full lines from offset off, into room already made.
 * Options are read once, not per line, and each put_plain() copy gets
 * a constant layout, so constant columns: a sixth faster.
 */
static char *
put_lines(const struct hexdump *h, char *p, uint64_t off,
    const unsigned char *b, size_t n)
{
	const struct layout *layout = &layouts[h->options.format];
	const bool color = h->options.color;
	const bool xxd = h->options.format == HEXDUMP_XXD;
	char *start;

#ifdef HAVE_VECTOR
	if (h->vector && !color)
		return put_vector_lines(h->options.format, p, off, b, n);
#endif
	for (; n > 0; n--, off += LINE_BYTES, b += LINE_BYTES) {
		start = p;
		p = put_head(p, layout, off);
		if (color)
			p = put_color(p, layout, b, LINE_BYTES);
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
	const struct layout *layout = &layouts[h->options.format];
	char *start = p;

	if (n == LINE_BYTES)
		return put_lines(h, p, off, b, 1);
	p = put_head(p, layout, off);
	if (h->options.color)
		p = put_color(p, layout, b, n);
	else
		p = put_short(p, layout, b, n);
	assert(p - start <= OUT_LINE_MAX);
	return p;
}

/* Starts or ends a mark where byte i's differs from the last one's. */
static char *
put_mark(char *p, const char **on, const char *want)
{
	size_t len = want != NULL ? strlen(want) : RESET_LEN;

	if (*on == want)
		return p;
	if (*on != NULL && want != NULL) {
		memcpy(p, RESET, RESET_LEN);
		p += RESET_LEN;
	}
	memcpy(p, want != NULL ? want : RESET, len);
	*on = want;
	return p + len;
}

/* A line with each byte i in marks[i], if not NULL. */
static char *
put_marked(char *p, const unsigned char *b, size_t n,
    const char *const *marks)
{
	const struct layout *layout = &layouts[HEXDUMP_CANONICAL];
	unsigned char c[LINE_BYTES] = { 0 };
	char text[LINE_BYTES];
	const char *on = NULL;
	size_t column = 0, i;

	memcpy(c, b, n);
	put_text(text, c);
	for (i = 0; i < n; i++, column += 2) {
		for (; column < layout->pair_column[i]; column++) {
			p = put_mark(p, &on, NULL);
			*p++ = ' ';
		}
		p = put_mark(p, &on, marks[i]);
		memcpy(p, hexquads + 4 * c[i], 2);
		p += 2;
	}
	p = put_mark(p, &on, NULL);
	for (; column < layout->text_column; column++)
		*p++ = ' ';
	p[-1] = '|';
	for (i = 0; i < n; i++) {
		p = put_mark(p, &on, marks[i]);
		*p++ = text[i];
	}
	p = put_mark(p, &on, NULL);
	memcpy(p, "|\n", 2);
	return p + 2;
}

size_t
hexdump_line_marked(char *out, char prefix, uint64_t off,
    const unsigned char *b, size_t n, const char *const *marks)
{
	const struct layout *layout = &layouts[HEXDUMP_CANONICAL];
	char *p = out;
	size_t i;

	assert(n > 0 && n <= LINE_BYTES);
	for (i = 0; i < n; i++)
		assert(marks[i] == NULL || strlen(marks[i]) <= ESCAPE_LEN + 3);
	*p++ = prefix;
	p = put_head(p, layout, off);
	p = put_marked(p, b, n, marks);
	return (size_t)(p - out);
}

size_t
hexdump_line(char *out, char prefix, uint64_t off, const unsigned char *b,
    size_t n, const unsigned char *other, size_t other_len,
    const char *mark)
{
	const struct layout *layout = &layouts[HEXDUMP_CANONICAL];
	const char *marks[LINE_BYTES];
	char *p = out;
	size_t i;

	/* A byte differs from other's where other has ended too. */
	if (mark != NULL) {
		for (i = 0; i < n; i++)
			marks[i] = i >= other_len || b[i] != other[i] ? mark :
			    NULL;
		return hexdump_line_marked(out, prefix, off, b, n, marks);
	}
	assert(n > 0 && n <= LINE_BYTES);
	*p++ = prefix;
	p = put_head(p, layout, off);
	if (n == LINE_BYTES)
		p = put_plain(p, layout, b);
	else
		p = put_short(p, layout, b, n);
	return (size_t)(p - out);
}

/* *p is where output goes next; make OUT_STEP_MAX free after it. */
static int
make_room(struct hexdump *h, char **p)
{
	if ((size_t)(*p - h->out) <= h->out_size - OUT_STEP_MAX)
		return 0;
	if (h->sink(h->sink_arg, h->out, (size_t)(*p - h->out)) == -1)
		return -1;
	*p = h->out;
	return 0;
}

/*
 * How many of the n lines at b squeezing would hide (when hide is set)
 * or show, counting from the first: hexdump -C hides a line equal to
 * the one before, xxd -a an all-zero line.
 */
static size_t
count_lines(const struct hexdump *h, const unsigned char *b, size_t n,
    bool hide)
{
	static const unsigned char zeros[LINE_BYTES];
	const unsigned char *last = h->have_last ? h->last : NULL, *like;
	const bool xxd = h->options.format == HEXDUMP_XXD;
	size_t i;

	if (!h->options.squeeze)
		return hide ? 0 : n;
	for (i = 0; i < n; i++, b += LINE_BYTES) {
		like = xxd ? zeros : i > 0 ? b - LINE_BYTES : last;
		if ((like != NULL && memcmp(b, like, LINE_BYTES) == 0) != hide)
			break;
	}
	return i;
}

/*
 * xxd -a shows the first line of a run of zeros at once and settles the
 * rest when the run ends: a run of 2 is shown whole, a longer one as
 * "*".  At the end of input a run of 3 is shown whole too, and a longer
 * one as "*" and its last line.  A short last line ends a run as other
 * lines do, even when it is all zeros.
 */
static char *
end_zero_run(struct hexdump *h, char *p, bool at_end)
{
	static const unsigned char zeros[LINE_BYTES];
	uint64_t run = h->run, end = h->off, off;

	h->run = 0;
	if (run == 2 || (run == 3 && at_end)) {
		for (off = end - (run - 1) * LINE_BYTES; off < end;
		    off += LINE_BYTES)
			p = put_line(h, p, off, zeros, LINE_BYTES);
	} else if (run >= 3) {
		memcpy(p, "*\n", 2);
		p += 2;
		if (at_end)
			p = put_line(h, p, end - LINE_BYTES, zeros, LINE_BYTES);
	}
	return p;
}

/* Of n hidden lines only the first of a run shows, as "*" or itself. */
static int
hide_lines(struct hexdump *h, char **p, const unsigned char *b, size_t n)
{
	if (h->run == 0) {
		if (make_room(h, p) == -1)
			return -1;
		if (h->options.format == HEXDUMP_XXD) {
			*p = put_line(h, *p, h->off, b, LINE_BYTES);
		} else {
			memcpy(*p, "*\n", 2);
			*p += 2;
		}
	}
	h->run += n;
	h->off += n * LINE_BYTES;
	return 0;
}

/* n lines shown, in batches that fit the room made for each. */
static int
show_lines(struct hexdump *h, char **p, const unsigned char *b, size_t n)
{
	size_t batch;

	if (make_room(h, p) == -1)
		return -1;
	if (h->options.squeeze && h->options.format == HEXDUMP_XXD)
		*p = end_zero_run(h, *p, false);
	for (h->run = 0; n > 0; n -= batch, b += batch * LINE_BYTES) {
		if (make_room(h, p) == -1)
			return -1;
		batch = (size_t)(h->out + h->out_size - *p) / OUT_LINE_MAX;
		batch = batch < n ? batch : n;
		*p = put_lines(h, *p, h->off, b, batch);
		h->off += batch * LINE_BYTES;
	}
	memcpy(h->last, b - LINE_BYTES, LINE_BYTES);
	h->have_last = true;
	return 0;
}

/*
 * Shown lines are counted at most SHOW_AHEAD at a time, so that they are
 * still in the L1 cache when formatted, not fetched twice from memory.
 */
static int
feed_lines(struct hexdump *h, char **p, const unsigned char *b,
    size_t nlines)
{
	size_t n;
	int rc;

	for (; nlines > 0; nlines -= n, b += n * LINE_BYTES) {
		if ((n = count_lines(h, b, nlines, true)) > 0)
			rc = hide_lines(h, p, b, n);
		else {
			n = nlines < SHOW_AHEAD ? nlines : SHOW_AHEAD;
			n = count_lines(h, b, n, false);
			rc = show_lines(h, p, b, n);
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

size_t
hexdump_room(size_t len)
{
	return (len / LINE_BYTES + 1) * OUT_LINE_MAX + 2 * OUT_STEP_MAX;
}

struct hexdump *
hexdump_new(const struct hexdump_options *options, uint64_t start,
    size_t room, hexdump_sink *sink, void *arg)
{
	struct hexdump *h;

	room = room > HEXDUMP_ROOM_MIN ? room : HEXDUMP_ROOM_MIN;
	if ((h = malloc(sizeof(*h) + room)) == NULL)
		return NULL;
	h->options = *options;
	h->sink = sink;
	h->sink_arg = arg;
	h->out_size = room;
	h->off = start;
	h->run = 0;
	h->have_last = false;
	h->line_len = 0;
	h->out_len = 0;
#ifdef HAVE_VECTOR
	h->vector = !options->scalar && __builtin_cpu_supports("ssse3");
#else
	h->vector = false;
#endif
	return h;
}

void
hexdump_free(struct hexdump *h)
{
	free(h);
}

int
hexdump_feed(struct hexdump *h, const unsigned char *buf, size_t len)
{
	char *p = h->out + h->out_len;
	size_t n;

	if (len == 0)	/* buf may be NULL, which memcpy refuses */
		return 0;
	if (h->line_len > 0) {
		n = LINE_BYTES - h->line_len;
		n = n < len ? n : len;
		memcpy(h->line + h->line_len, buf, n);
		h->line_len += n;
		buf += n;
		len -= n;
		if (h->line_len < LINE_BYTES)
			return 0;
		h->line_len = 0;
		if (feed_lines(h, &p, h->line, 1) == -1)
			return -1;
	}
	n = len / LINE_BYTES;
	if (feed_lines(h, &p, buf, n) == -1)
		return -1;
	h->line_len = len % LINE_BYTES;
	memcpy(h->line, buf + n * LINE_BYTES, h->line_len);
	h->out_len = (size_t)(p - h->out);
	return 0;
}

/*
 * hexdump -C ends with the offset past the data, unless that is 0: an
 * empty dump from offset 0 prints nothing at all.
 */
int
hexdump_feed_zeros(struct hexdump *h, const unsigned char *zeros,
    size_t len)
{
	const bool xxd = h->options.format == HEXDUMP_XXD;
	size_t n = len / LINE_BYTES;

	/*
	 * In a squeezed run that zero lines continue (xxd -a's runs are of
	 * zero lines; hexdump -C's of lines equal to the last shown), more
	 * zero lines only lengthen it: hide_lines' count, without a look.
	 */
	if (h->line_len > 0 || h->run == 0 ||
	    (!xxd && memcmp(h->last, zeros, LINE_BYTES) != 0))
		return hexdump_feed(h, zeros, len);
	h->run += n;
	h->off += n * LINE_BYTES;
	return hexdump_feed(h, zeros + n * LINE_BYTES, len % LINE_BYTES);
}

int
hexdump_finish(struct hexdump *h)
{
	char *p = h->out + h->out_len;

	if (make_room(h, &p) == -1)
		return -1;
	if (h->options.squeeze && h->options.format == HEXDUMP_XXD)
		p = end_zero_run(h, p, h->line_len == 0);
	if (h->line_len > 0) {
		p = put_line(h, p, h->off, h->line, h->line_len);
		h->off += h->line_len;
		h->line_len = 0;
	}
	if (h->options.format == HEXDUMP_CANONICAL && h->off != 0) {
		p = put_offset(p, h->off);
		*p++ = '\n';
	}
	h->out_len = (size_t)(p - h->out);
	return hexdump_flush(h);
}

int
hexdump_flush(struct hexdump *h)
{
	size_t len = h->out_len;

	h->out_len = 0;
	return len > 0 ? h->sink(h->sink_arg, h->out, len) : 0;
}

/* How many of the n lines at b, counting back from the last, are zeros. */
static size_t
count_zero_lines(const unsigned char *b, size_t n)
{
	static const unsigned char zeros[LINE_BYTES];
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(b + (n - 1 - i) * LINE_BYTES, zeros, LINE_BYTES))
			break;
	return i;
}

/*
 * Why the last few lines tell all: the squeeze state at a line boundary
 * is last, have_last and run.  last is always the line before (a hidden
 * line equals the last one shown).  hexdump -C asks of run only whether
 * it is 0, and it is not just when the line before was hidden: equal to
 * the one before it.  xxd -a's run is the count of zero lines before,
 * and end_zero_run tells apart only 1, 2, 3 and more, so four lines
 * back is far enough.  The lines are those of the dump: none before
 * start, so have_last is false at start and a run begins no earlier.
 */
void
hexdump_resume(struct hexdump *h, uint64_t off, const unsigned char *before,
    size_t before_len)
{
	size_t n = before_len / LINE_BYTES;
	const unsigned char *line;

	assert(h->out_len == 0 && before_len % LINE_BYTES == 0 &&
	    before_len <= HEXDUMP_RESUME_BYTES);
	h->off = off;
	h->line_len = 0;
	h->run = 0;
	h->have_last = n > 0;
	if (n == 0)
		return;
	line = before + (n - 1) * LINE_BYTES;
	memcpy(h->last, line, LINE_BYTES);
	if (!h->options.squeeze)
		return;
	if (h->options.format == HEXDUMP_XXD)
		h->run = count_zero_lines(before, n);
	else
		h->run = n >= 2 && memcmp(line - LINE_BYTES, line,
		    LINE_BYTES) == 0;
}
