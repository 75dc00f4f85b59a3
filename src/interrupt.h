/*
 * interrupt.h - HUP, INT, PIPE and TERM during a change: stop at the next
 * chunk, say how far the change got, then die of the same signal so
 * the shell sees what happened (status 128 + N), as cp and dd do.
 */
#ifndef SHM_INTERRUPT_H
#define SHM_INTERRUPT_H

#include <stdbool.h>

/* Catch HUP, INT, PIPE and TERM from now on (not those ignored). */
void	interrupt_catch(void);
/*
 * The signal caught so far, or 0.  A loop that sees EINTR tries again
 * only while this is 0.
 */
int	interrupt_caught(void);
/*
 * While held, interrupt_caught() answers 0 (the signal is still
 * noted): for undoing a change, which must finish.  Only for copies
 * that cannot block on another process.
 */
void	interrupt_hold(bool);
/* "SIGINT", for messages ("" if none was caught). */
const char *interrupt_name(void);
/* Dies of the signal caught, if any, with its default action. */
void	interrupt_resend(void);

#endif
