/*
 * screen.c - shm watch's live view.
 *
 * The view draws from the change's copy of the range (change.h), which
 * each look brings up to date, so drawing never touches the segment.
 * Each byte that changes is stamped with the time; a drawing shows it
 * in the mark of its age.  A range of more lines than fit shows the
 * lines most recently changed, kept in a small table of them (the
 * oldest leaves it first), in the order of their offsets.  The screen
 * is drawn a row at a time into a frame, and only the rows whose text
 * is not what the screen shows are written, in one write(2).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt/hexdump.h"
#include "lib/screen.h"
#include "lib/users.h"
#include "lib/watching.h"
#include "util/interrupt.h"
#include "util/shm.h"
#include "util/term.h"

#define LINE		16
#define SEEN_MAX	512		/* lines whose changes are kept */
#define ROWS_MAX	SEEN_MAX	/* rows drawn at the most */
#define FADE_STEP	0.7		/* seconds a mark lasts */
#define FADES		3
#define REDRAW_GAP	0.1		/* seconds between redraws, fading */
/* Reading /proc for every process costs some 20 ms here: not often. */
#define USERS_EVERY	5
#define ROW_MAX		(HEXDUMP_LINE_MAX + 16)

/* From bright to faint; with no colour, reverse video throughout. */
static const char *const fades[2][FADES] = {
	{ "\033[1;41m", "\033[31m", "\033[33m" },
	{ "\033[7m", "\033[7m", "\033[7m" },
};

/* A line that changed: when each of its bytes last did. */
struct seen {
	uint64_t	 line;
	double		 when[LINE];	/* 0: not since the view began */
	double		 last;
};

struct screen {
	struct watching	 v;
	struct term	 t;
	struct segment	*seg;
	bool		 color;
	int		 rows, cols;
	struct seen	 seen[SEEN_MAX];
	size_t		 nseen;
	char		*shown[ROWS_MAX + 1];	/* each row as on screen */
	bool		 changed;	/* since the last drawing */
	bool		 quit;
	bool		 ended;
	enum watching_end why;
	uint64_t	 changes, max, per_second, this_second;
	uint64_t	 lines[ROWS_MAX];	/* those drawn */
	double		 second, drawn, users_at, fading_until;
	int		 users;
	double		 now;
};

static double
seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The line's record, made anew (the oldest's place) if it had none. */
static struct seen *
seen_line(struct screen *s, uint64_t line)
{
	struct seen *oldest = &s->seen[0];
	size_t i;

	for (i = 0; i < s->nseen; i++) {
		if (s->seen[i].line == line)
			return &s->seen[i];
		if (s->seen[i].last < oldest->last)
			oldest = &s->seen[i];
	}
	if (s->nseen < SEEN_MAX)
		oldest = &s->seen[s->nseen++];
	memset(oldest, 0, sizeof(*oldest));
	oldest->line = line;
	return oldest;
}

/* A run that changed: its bytes that differ are stamped now. */
static int
stamp_run(void *ctx, size_t at, const unsigned char *was,
    const unsigned char *now, size_t len)
{
	struct screen *s = ctx;
	struct seen *e = NULL;
	size_t i = 0;

	/* Only the last lines of a long run can stay in the table. */
	if (len > (SEEN_MAX - 1) * LINE)
		i = len - (SEEN_MAX - 1) * LINE;
	s->now = seconds();
	for (; i < len; i++) {
		if (was[i] == now[i])
			continue;
		if (e == NULL || e->line != (at + i) / LINE)
			e = seen_line(s, (at + i) / LINE);
		e->when[(at + i) % LINE] = e->last = s->now;
	}
	s->fading_until = s->now + FADES * FADE_STEP;
	s->this_second++;
	s->changed = true;
	return ++s->changes == s->max ? SHM_DONE : SHM_OK;
}

static int
note_resize(void *ctx, uint64_t from, uint64_t to)
{
	struct screen *s = ctx;

	(void)from;
	(void)to;
	s->changed = true;
	return ++s->changes == s->max ? SHM_DONE : SHM_OK;
}

static int
note_end(void *ctx, enum watching_end why)
{
	struct screen *s = ctx;

	s->ended = true;
	s->why = why;
	return SHM_DONE;
}

static const struct seen *
find_seen(const struct screen *s, uint64_t line)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		if (s->seen[i].line == line)
			return &s->seen[i];
	return NULL;
}

static int
by_line(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
by_recent(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return x->last > y->last ? -1 : x->last < y->last;
}

/*
 * The lines to show in n rows, in order: all, if they fit; else those
 * changed most recently, then the first of the range.
 */
static size_t
pick_lines(struct screen *s, uint64_t nlines, uint64_t *lines, size_t n)
{
	size_t k = 0, i;
	uint64_t l;

	if (nlines <= n) {
		for (l = 0; l < nlines; l++)
			lines[k++] = l;
		return k;
	}
	qsort(s->seen, s->nseen, sizeof(s->seen[0]), by_recent);
	for (i = 0; i < s->nseen && k < n; i++)
		if (s->seen[i].line < nlines)
			lines[k++] = s->seen[i].line;
	qsort(lines, k, sizeof(lines[0]), by_line);
	for (l = 0, i = k; l < nlines && k < n; l++)
		if (bsearch(&l, lines, i, sizeof(lines[0]), by_line) == NULL)
			lines[k++] = l;
	qsort(lines, k, sizeof(lines[0]), by_line);
	return k;
}

/* Line l of the range, each byte in the mark of its age. */
static size_t
draw_line(const struct screen *s, const struct change *c, uint64_t l,
    char *out)
{
	const struct seen *e = find_seen(s, l);
	const char *marks[LINE] = { NULL };
	size_t n = c->len - l * LINE < LINE ? c->len - l * LINE : LINE, i;
	double age;

	for (i = 0; e != NULL && i < n; i++) {
		age = s->now - e->when[i];
		if (e->when[i] > 0 && age < FADES * FADE_STEP)
			marks[i] = fades[!s->color][(int)(age / FADE_STEP)];
	}
	n = hexdump_line_marked(out, ' ', c->off + l * LINE,
	    c->was + l * LINE, n, marks);
	/* Not the prefix, nor the newline. */
	memmove(out, out + 1, n - 2);
	return n - 2;
}

static size_t
draw_header(const struct screen *s, const struct change *c, char *out)
{
	int n;

	n = snprintf(out, ROW_MAX, "\033[7m shm watch %.40s  size %" PRIu64
	    "  users %d  %" PRIu64 " changes/s%s  (q quits, space pauses) "
	    "\033[0m", s->seg->name, c->size, s->users, s->per_second,
	    s->v.paused ? "  PAUSED" : "");
	return n < 0 ? 0 : (size_t)n < ROW_MAX ? (size_t)n : ROW_MAX - 1;
}

/* Adds row r to the frame if it is not what the screen shows. */
static void
put_row(struct screen *s, int r, const char *text, size_t len, FILE *frame)
{
	char *was = s->shown[r];

	if (was != NULL && strlen(was) == len && memcmp(was, text, len) == 0)
		return;
	fprintf(frame, "\033[%d;1H%.*s\033[0m\033[K", r + 1, (int)len, text);
	free(was);
	if ((s->shown[r] = malloc(len + 1)) != NULL) {
		memcpy(s->shown[r], text, len);
		s->shown[r][len] = '\0';
	}
}

static int
draw(struct screen *s, const struct change *c)
{
	char row[ROW_MAX], *buf = NULL;
	size_t n, len = 0, i, k;
	FILE *frame;
	int rc;

	if ((frame = open_memstream(&buf, &len)) == NULL)
		return shm_perror(NULL);
	put_row(s, 0, row, draw_header(s, c, row), frame);
	n = (size_t)(s->rows - 1);
	k = pick_lines(s, (c->len + LINE - 1) / LINE, s->lines, n);
	for (i = 0; i < k; i++)
		put_row(s, (int)i + 1, row, draw_line(s, c, s->lines[i], row),
		    frame);
	for (; i < n; i++)
		put_row(s, (int)i + 1, "", 0, frame);
	if (fclose(frame) != 0) {
		free(buf);
		return shm_perror(NULL);
	}
	rc = term_write(&s->t, buf, len);
	free(buf);
	s->drawn = s->now;
	s->changed = false;
	return rc;
}

static void
forget_rows(struct screen *s)
{
	int r;

	for (r = 0; r <= ROWS_MAX; r++) {
		free(s->shown[r]);
		s->shown[r] = NULL;
	}
}

/* The terminal's size, anew: all rows drawn again. */
static int
fit(struct screen *s)
{
	if (!term_size(&s->t, &s->rows, &s->cols))
		s->rows = 24;
	if (s->rows > ROWS_MAX)
		s->rows = ROWS_MAX;
	if (s->rows < 2)
		s->rows = 2;
	forget_rows(s);
	s->changed = true;
	return term_write(&s->t, "\033[2J", 4);
}

/*
 * Once a second: the changes of the second past; and the users, every
 * USERS_EVERY seconds.
 */
static void
count(struct screen *s)
{
	struct users_missed missed;

	if (s->now - s->second < 1)
		return;
	s->per_second = s->this_second;
	s->this_second = 0;
	s->second = s->now;
	s->changed = true;
	if (s->now - s->users_at < USERS_EVERY)
		return;
	s->users_at = s->now;
	memset(&missed, 0, sizeof(missed));
	if (users_count(&s->seg->st, &s->users, &missed) != SHM_OK)
		s->users = -1;
}

static void
read_keys(struct screen *s)
{
	int key;

	while ((key = term_key(&s->t)) != -1) {
		if (key == 'q' || key == 'Q')
			s->quit = true;
		else if (key == ' ')
			s->v.paused = !s->v.paused;
		s->changed = true;
	}
}

/* After each look: keys, signals, the size, then a drawing if due. */
static int
looked(void *ctx, const struct change *c)
{
	struct screen *s = ctx;
	int rc;

	s->now = seconds();
	read_keys(s);
	if (s->quit || interrupt_caught())
		return SHM_DONE;
	if (term_resized() && (rc = fit(s)) != SHM_OK)
		return rc;
	count(s);
	/* Fading needs drawing again now and then, till all have faded. */
	if (s->changed || (s->now - s->drawn >= REDRAW_GAP &&
	    s->drawn <= s->fading_until))
		return draw(s, c);
	return SHM_OK;
}

/* The last line, once the terminal is back, as the log has it. */
static void
say_end(const struct screen *s)
{
	char t[WATCHING_TIME_LEN];

	watching_format_time(&s->v.time, t);
	printf("%s\t%s\n", t, s->why == WATCHING_REMOVED ? "removed" :
	    "replaced");
	fflush(stdout);
}

int
screen_run(struct segment *seg, const char *offset, uint64_t length,
    double timeout, long interval_ns, uint64_t max, bool color,
    bool *changed)
{
	struct watching_sink sink = { stamp_run, note_resize, note_end, looked,
	    NULL };
	struct error_line held = { .len = 0 };
	struct screen *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return shm_perror(seg->name);
	sink.ctx = s;
	s->seg = seg;
	s->color = color;
	s->max = max;
	s->now = s->second = seconds();
	/* The first look counts them all. */
	s->second = s->now - 1;
	s->users_at = s->now - USERS_EVERY;
	interrupt_catch();
	shm_error_hold(&held);
	if ((rc = term_start(&s->t, STDIN_FILENO, STDOUT_FILENO)) == SHM_OK &&
	    (rc = fit(s)) == SHM_OK)
		rc = watching_run(&s->v, seg, offset, length, timeout,
		    interval_ns, &sink);
	term_end(&s->t);
	shm_error_hold(NULL);
	shm_error_print(&held);
	if (rc == SHM_OK && s->ended)
		say_end(s);
	*changed = s->changes > 0 || s->quit || s->ended;
	forget_rows(s);
	free(s);
	interrupt_resend();
	return rc;
}
