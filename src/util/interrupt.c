/*
 * interrupt.c - turning every signal that would kill us into a clean
 * stop.
 *
 * The default action would kill us between two system calls of a copy,
 * with no word of how far it got and a stream half-written.  Instead
 * the handler only notes the signal; it is installed without
 * SA_RESTART, so a blocked read, flock or pipe write returns EINTR, and
 * every copy loop looks at the note between chunks, stops, and its
 * caller puts back what it changed and says so.  main() then dies of
 * the same signal, so that a shell script sees 130 for ^C, as it would
 * have, and stops as it would have.
 *
 * Which signals: every one whose default ends the process, but
 * - SIGKILL and SIGSTOP, which cannot be caught;
 * - SIGXFSZ, which is ignored instead: ulimit -f then fails the write
 *   with EFBIG, and the usual way out of a failed write puts it back;
 * - SIGBUS, which window.c's segment_guard owns: it is how a mapping
 *   learns that its file was cut short;
 * - the faults (SEGV, FPE, ILL, TRAP, SYS, ABRT) only when another
 *   process sends them (si_code <= 0): raised by our own code they are
 *   a bug, and the action we found (the default, or a sanitizer's) is
 *   put back to take them, as if we had never been there.
 * lock.c borrows SIGALRM while it times a lock wait, and gives it back.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/interrupt.h"

/* The one thing a handler may safely touch. */
static volatile sig_atomic_t caught;
/* While above 0, copies do not see the signal: see interrupt_hold. */
static unsigned held;

/* Those whose default ends the process, and are asynchronous. */
static const int async_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2,
	SIGVTALRM, SIGPROF, SIGXCPU,
#ifdef SIGPOLL
	SIGPOLL,
#endif
#if defined(SIGIO) && (!defined(SIGPOLL) || SIGIO != SIGPOLL)
	SIGIO,
#endif
#ifdef SIGPWR
	SIGPWR,
#endif
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
#ifdef SIGLOST
	SIGLOST,
#endif
#ifdef SIGEMT
	SIGEMT,
#endif
};

/* Faults: caught only when sent; raised by us, the old action's. */
static const int fault_sigs[] = {
	SIGSEGV, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT,
};
#define NFAULTS	(sizeof(fault_sigs) / sizeof(fault_sigs[0]))
static struct sigaction fault_old[NFAULTS];

/* A fault of ours goes back to the action we found, and happens again. */
static void
unhook(int sig)
{
	size_t i;

	for (i = 0; i < NFAULTS; i++)
		if (fault_sigs[i] == sig)
			sigaction(sig, &fault_old[i], NULL);
	/* These do not happen again by returning: the instruction is past. */
	if (sig == SIGTRAP || sig == SIGSYS || sig == SIGABRT)
		raise(sig);
}

static bool
is_fault(int sig)
{
	size_t i;

	for (i = 0; i < NFAULTS; i++)
		if (fault_sigs[i] == sig)
			return true;
	return false;
}

static void
note(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	/* Sent by kill, sigqueue or tgkill from another process: noted. */
	if (is_fault(sig) && (si == NULL || si->si_code > 0 ||
	    si->si_pid == getpid())) {
		unhook(sig);
		return;
	}
	caught = sig;
}

/* A job started with ^C ignored (cmd &) keeps ignoring it. */
static void
hook(int sig, struct sigaction *old)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, old) != 0 || old->sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = note;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
interrupt_catch(void)
{
	struct sigaction old;
	size_t i;
	int sig;

	for (i = 0; i < sizeof(async_sigs) / sizeof(async_sigs[0]); i++)
		hook(async_sigs[i], &old);
#ifdef SIGRTMIN
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		hook(sig, &old);
#else
	(void)sig;
#endif
	for (i = 0; i < NFAULTS; i++)
		hook(fault_sigs[i], &fault_old[i]);
	signal(SIGXFSZ, SIG_IGN);
}

int
interrupt_caught(void)
{
	return held > 0 ? 0 : caught;
}

void
interrupt_hold(bool hold)
{
	/* Nested: a put-back holds around copies that hold in turn. */
	if (hold)
		held++;
	else if (held > 0)
		held--;
}

static const struct {
	int		 sig;
	const char	*name;
} names[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGUSR1, "SIGUSR1" },
	{ SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" }, { SIGPIPE, "SIGPIPE" },
	{ SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" }, { SIGXCPU, "SIGXCPU" },
	{ SIGXFSZ, "SIGXFSZ" }, { SIGVTALRM, "SIGVTALRM" },
	{ SIGPROF, "SIGPROF" }, { SIGSYS, "SIGSYS" },
#ifdef SIGIO
	{ SIGIO, "SIGIO" },
#endif
#ifdef SIGPOLL
	{ SIGPOLL, "SIGPOLL" },
#endif
#ifdef SIGPWR
	{ SIGPWR, "SIGPWR" },
#endif
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "SIGSTKFLT" },
#endif
#ifdef SIGLOST
	{ SIGLOST, "SIGLOST" },
#endif
#ifdef SIGEMT
	{ SIGEMT, "SIGEMT" },
#endif
};

const char *
interrupt_name(void)
{
	static char buf[32];
	int sig = caught;
	size_t i;

	if (sig == 0)
		return "";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
#ifdef SIGRTMIN
	/* As kill -l names them: the lower half from RTMIN, the rest back. */
	if (sig == SIGRTMIN || sig == SIGRTMAX)
		return sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMAX";
	if (sig > SIGRTMIN && sig < SIGRTMAX) {
		if (sig - SIGRTMIN <= (SIGRTMAX - SIGRTMIN) / 2)
			snprintf(buf, sizeof(buf), "SIGRTMIN+%d",
			    sig - SIGRTMIN);
		else
			snprintf(buf, sizeof(buf), "SIGRTMAX-%d",
			    SIGRTMAX - sig);
		return buf;
	}
#endif
	snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
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
