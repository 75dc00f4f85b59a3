/*
 * interrupt.c - turning HUP, INT and TERM into a clean stop.
 *
 * The default action would kill us between two system calls of a copy,
 * with no word of how far it got.  Instead the handler only notes the
 * signal; it is installed without SA_RESTART, so a blocked read, flock
 * or pipe write returns EINTR, and every copy loop looks at the note
 * between chunks, stops, and its caller reports the state it leaves.
 * main() then dies of the same signal, so that a shell script sees
 * 130 for ^C, as it would have, and stops as it would have.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>

#include "interrupt.h"

/* The one thing a handler may safely touch. */
static volatile sig_atomic_t caught;
/* While set, copies do not see the signal: see interrupt_hold. */
static bool held;

static void
note(int sig)
{
	caught = sig;
}

void
interrupt_catch(void)
{
	/* PIPE: a --progress reader gone away stops the copy cleanly too. */
	static const int sigs[] = { SIGHUP, SIGINT, SIGPIPE, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* A job started with ^C ignored (cmd &) keeps ignoring it. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int
interrupt_caught(void)
{
	return held ? 0 : caught;
}

void
interrupt_hold(bool hold)
{
	held = hold;
}

const char *
interrupt_name(void)
{
	switch (caught) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGPIPE: return "SIGPIPE";
	case SIGTERM: return "SIGTERM";
	default: return "";
	}
}

void
interrupt_resend(void)
{
	struct sigaction sa;
	sigset_t set;
	int sig = caught;

	if (sig == 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}
