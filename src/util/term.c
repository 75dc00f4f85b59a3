/*
 * term.c - the terminal for a live view.
 *
 * Only termios and the escapes every terminal emulator in use knows
 * (xterm's alternate screen, 1049; cursor, 25; wrap, 7): no curses.
 * ^C and TERM stay signals (interrupt.h catches them), so a view ends
 * through its one way out, which gives the terminal back.
 */
#define _DEFAULT_SOURCE		/* TIOCGWINSZ */
#include <sys/ioctl.h>

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/shm.h"
#include "util/term.h"

#define ENTER	"\033[?1049h\033[?25l\033[?7l\033[2J"
#define LEAVE	"\033[0m\033[?7h\033[?25h\033[?1049l"

static volatile sig_atomic_t resized;

static void
note_resize(int sig)
{
	(void)sig;
	resized = 1;
}

int
term_start(struct term *t, int in, int out)
{
	struct sigaction sa;
	struct termios raw;

	memset(t, 0, sizeof(*t));
	t->in = in;
	t->out = out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_resize;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGWINCH, &sa, NULL) != 0)
		return shm_perror(NULL);
	if (isatty(in) && tcgetattr(in, &t->saved) == 0) {
		raw = t->saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(in, TCSAFLUSH, &raw) != 0)
			return shm_perror(NULL);
		t->raw = true;
	}
	t->started = true;
	return term_write(t, ENTER, sizeof(ENTER) - 1);
}

void
term_end(struct term *t)
{
	if (t->started)
		(void)term_write(t, LEAVE, sizeof(LEAVE) - 1);
	if (t->raw)
		(void)tcsetattr(t->in, TCSAFLUSH, &t->saved);
	t->started = t->raw = false;
}

bool
term_size(const struct term *t, int *rows, int *cols)
{
	struct winsize ws;

	if (ioctl(t->out, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 ||
	    ws.ws_col == 0)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

bool
term_resized(void)
{
	bool was = resized != 0;

	resized = 0;
	return was;
}

int
term_key(const struct term *t)
{
	struct pollfd p = { t->in, POLLIN, 0 };
	unsigned char c;

	if (!t->raw || poll(&p, 1, 0) != 1 || read(t->in, &c, 1) != 1)
		return -1;
	return c;
}

int
term_write(const struct term *t, const char *buf, size_t len)
{
	if (shm_write_all(t->out, buf, len) != 0)
		return shm_perror("standard output");
	return SHM_OK;
}
