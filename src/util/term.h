/*
 * term.h - the whole terminal for a live view, with termios and ANSI
 * escapes only: keys one at a time, the alternate screen, and the one
 * way back to the terminal as it was.
 */
#ifndef SHM_TERM_H
#define SHM_TERM_H

#include <termios.h>
#include <stdbool.h>
#include <stddef.h>

struct term {
	int		 in, out;	/* keys from, the screen */
	struct termios	 saved;		/* in's modes, to give back */
	bool		 raw;		/* in's modes are ours */
	bool		 started;	/* on the alternate screen */
};

/*
 * Takes the terminal out: keys unbuffered and unechoed (^C still a
 * signal), the alternate screen, no cursor, no line wrap.  Keys are
 * read only where in is a terminal.  SHM_OK, or an error.
 */
int	term_start(struct term *, int in, int out);
/* Gives it back: modes, main screen, cursor, wrap.  Safe to repeat. */
void	term_end(struct term *);
/* Rows and columns, or false. */
bool	term_size(const struct term *, int *rows, int *cols);
/* Whether the terminal's size changed since last asked (SIGWINCH). */
bool	term_resized(void);
/* A key pressed (a byte), or -1 if none waits. */
int	term_key(const struct term *);
/* All of buf to the screen: SHM_OK, or an error. */
int	term_write(const struct term *, const char *buf, size_t len);

#endif
