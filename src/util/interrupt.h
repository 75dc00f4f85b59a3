/*
 * interrupt.h - any signal that would kill us during a change: stop at
 * the next chunk, put back or finish, say so once, then die of the same
 * signal so the shell sees what happened (status 128 + N), as cp and dd
 * do.  Only SIGKILL (and a crash or power loss) still kills mid-change.
 */
#ifndef SHM_INTERRUPT_H
#define SHM_INTERRUPT_H

#include <stdbool.h>

/*
 * Catch from now on every signal whose default is to end the process
 * (not those ignored), and ignore SIGXFSZ so that a write past
 * ulimit -f fails with EFBIG instead.  For commands that change a
 * segment only: a command run by "shm lock" would inherit the ignore.
 */
void	interrupt_catch(void);
/*
 * The signal caught so far, or 0.  A loop that sees EINTR tries again
 * only while this is 0.
 */
int	interrupt_caught(void);
/*
 * While held, interrupt_caught() answers 0 (the signal is still
 * noted): for undoing a change, or finishing one, which must finish.
 * Only for copies that cannot block on another process.  Holds nest:
 * each hold(true) is ended by its own hold(false).
 */
void	interrupt_hold(bool);
/* "SIGINT", "SIGRTMIN+3", for messages ("" if none was caught). */
const char *interrupt_name(void);
/* Dies of the signal caught, if any, with its default action. */
void	interrupt_resend(void);

#endif
