/*
 * lock.c - a segment's lock: where this process stands in it, who holds
 * it, taking it with a bound, and passing it down.
 *
 * Sections: the kernel's lock lines; where we stand; who holds it;
 * taking and letting go; passing it down.
 *
 * Every command takes flock(2) on its own open file description, so a
 * command run inside a lock its parent holds (shm lock, flock(1), a
 * Python fcntl.flock) would wait for it for ever.  Instead, a command
 * that holds the lock through a descriptor it inherited works inside
 * it.  That is asked of the kernel, which lists in /proc/self/fdinfo/FD
 * the locks held by that fd's own open file description, and whether
 * each is READ or WRITE: nothing another process could forge.
 *
 * Commands inside one lock still keep apart from each other: each takes
 * the next level, a record lock of one byte near the end of the largest
 * file there can be, on its own description (an OFD lock, which does
 * not conflict with flock; a process's POSIX lock where OFD locks are
 * missing).  A 'shm lock' inside a lock takes the next level too, and
 * passes it down, so it nests at any depth.
 *
 * A lock that a process running this one holds through a description
 * we were not given (Python's subprocess closes it) is one that process
 * may keep while it waits for us: if it sits idle holding it, that
 * fails at once, naming it (a process at work is waited for).  Holders
 * are named from their descriptors too, since /proc/locks gives the
 * process that took a lock, which may have died and left it to a child.
 */
#define _GNU_SOURCE		/* F_OFD_SETLK, O_CLOEXEC, setitimer */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt/facts.h"
#include "util/interrupt.h"
#include "seg/lock.h"
#include "fmt/number.h"
#include "util/port.h"
#include "util/shm.h"

#if SHM_LINUX
#define SETLK	F_OFD_SETLK
#define SETLKW	F_OFD_SETLKW
#else
#define SETLK	F_SETLK
#define SETLKW	F_SETLKW
#endif

/* The last byte a file can have: level 1's. */
#define OFF_LAST ((off_t)((UINT64_C(1) << (sizeof(off_t) * 8 - 1)) - 1))

struct held {
	int	level;
	bool	write;
};

/* The kernel's lock lines. */

static off_t
level_byte(int level)
{
	return OFF_LAST - (level - 1);
}

/*
 * One lock line on st, of /proc/locks or of an fdinfo ("lock:\t"
 * first): "1: FLOCK  ADVISORY  WRITE 1234 00:1b:4626 0 EOF", or
 * "1: -> FLOCK ..." for a waiter.  Its level, or -1 if it is none of
 * ours; *pid is the process that took it, which may be gone since.
 */
static int
parse_lock_line(const char *line, const struct stat *st, struct held *h,
    long *pid, bool *waits)
{
	char kind[16], mode[16];
	unsigned long long ino;
	unsigned maj, min;
	long long start;
	int n = 0;

	if (strncmp(line, "lock:", 5) == 0)
		line += 5;
	if (sscanf(line, " %*d: %n", &n) < 0 || n == 0)
		return -1;
	line += n;
	if ((*waits = strncmp(line, "->", 2) == 0))
		line += 2;
	if (sscanf(line, "%15s %*s %15s %ld %x:%x:%llu %lld", kind, mode, pid,
	    &maj, &min, &ino, &start) != 7 || ino != st->st_ino ||
	    maj != major(st->st_dev) || min != minor(st->st_dev))
		return -1;
	h->write = strcmp(mode, "WRITE") == 0;
	if (strcmp(kind, "FLOCK") == 0)
		return h->level = 0;
	if ((strcmp(kind, "OFDLCK") != 0 && strcmp(kind, "POSIX") != 0) ||
	    start <= (long long)OFF_LAST - LOCK_LEVELS)
		return -1;
	return h->level = (int)((long long)OFF_LAST - start) + 1;
}

/*
 * The locks of st that pid's (0: our own) descriptor fd holds, as the
 * kernel lists them for that open file description: how many, up to
 * max, or -1 if they cannot be read.
 */
static int
fd_locks(long pid, int fd, const struct stat *st, struct held *v, int max)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool waits;
	long taker;
	FILE *fp;
	int n = 0;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	else
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%d", pid, fd);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	/* getline: the tail of a long line is no line of its own. */
	while (n < max && getline(&line, &cap, fp) != -1)
		if (parse_lock_line(line, st, &v[n], &taker, &waits) >= 0 &&
		    !waits)
			n++;
	if (ferror(fp))
		n = -1;
	free(line);
	fclose(fp);
	return n;
}

/* Where we stand. */

struct within {
	int	level;		/* the innermost held; -1: outside */
	bool	shared;		/* some level held is shared */
	int	fd;		/* holds that level */
};

struct env_entry {
	int	fd;
	char	kind;		/* 's' or 'x' */
};

/*
 * The next entry of LOCK_ENV ("FD:DEV:INO:KIND ...", hexadecimal device
 * and inode) at *env that is about st, moving *env past it.
 */
static bool
next_entry(const char **env, const struct stat *st, struct env_entry *e)
{
	unsigned long long dev, ino;
	int n;

	while (*env != NULL && **env != '\0') {
		n = 0;
		if (sscanf(*env, " %d:%llx:%llx:%c%n", &e->fd, &dev, &ino,
		    &e->kind, &n) != 4 || n == 0)
			return false;
		*env += n;
		if (dev == (unsigned long long)st->st_dev &&
		    ino == (unsigned long long)st->st_ino)
			return true;
	}
	return false;
}

/* Whether LOCK_ENV narrows fd's lock of st to a shared one. */
static bool
env_narrows(int fd, const struct stat *st)
{
	const char *env = getenv(LOCK_ENV);
	struct env_entry e;

	while (next_entry(&env, st, &e))
		if (e.fd == fd && e.kind == 's')
			return true;
	return false;
}

/* Counts in what fd, a descriptor of ours on st, holds; -1 if unknown. */
static int
add_fd(struct within *w, int fd, const struct stat *st)
{
	struct held v[8];
	int i, n = fd_locks(0, fd, st, v, 8);

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i].level > w->level) {
			w->level = v[i].level;
			w->fd = fd;
		}
		w->shared |= !v[i].write || env_narrows(fd, st);
	}
	return 0;
}

/*
 * Without /proc there is no asking the kernel: an entry of LOCK_ENV
 * whose descriptor is open on st must do, as a level 0 lock.
 */
static void
within_by_env(const struct stat *st, struct within *w)
{
	const char *env = getenv(LOCK_ENV);
	struct env_entry e;
	struct stat fst;

	while (next_entry(&env, st, &e)) {
		if (e.fd < 0 || fstat(e.fd, &fst) != 0 ||
		    !shm_same_file(&fst, st))
			continue;
		w->level = 0;
		w->fd = e.fd;
		w->shared |= e.kind != 'x';
	}
}

/*
 * The locks of st held through our descriptors, all but own.  Not to
 * know (out of descriptors) fails: taking the lock then could wait for
 * our own parent's.
 */
static int
find_within(const struct stat *st, int own, struct within *w,
    const char *name)
{
	struct dirent *d;
	struct stat fst;
	int fd, rc = 0;
	DIR *dir;

	w->level = w->fd = -1;
	w->shared = false;
	if ((dir = opendir("/proc/self/fd")) == NULL) {
		if (errno != ENOENT || access("/proc/self", F_OK) == 0)
			return shm_errno(name, "cannot tell which locks "
			    "this process holds");
		within_by_env(st, w);
		return SHM_OK;
	}
	while (rc == 0 && (d = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		fd = atoi(d->d_name);
		if (fd != own && fd != dirfd(dir) && fstat(fd, &fst) == 0 &&
		    shm_same_file(&fst, st))
			rc = add_fd(w, fd, st);
	}
	closedir(dir);
	if (rc != 0)
		return shm_errno(name, "cannot tell which locks this process "
		    "holds");
	return SHM_OK;
}

/* Who holds it. */

/* Whether some descriptor of pid holds st's lock of level. */
static bool
pid_holds(long pid, const struct stat *st, int level)
{
	char path[64], fdpath[64 + 256];
	struct held v[8];
	struct dirent *d;
	struct stat fst;
	bool holds = false;
	DIR *dir;
	int i, n;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	if ((dir = opendir(path)) == NULL)
		return false;
	while (!holds && (d = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, d->d_name);
		if (stat(fdpath, &fst) != 0 || !shm_same_file(&fst, st))
			continue;
		n = fd_locks(pid, atoi(d->d_name), st, v, 8);
		for (i = 0; i < n; i++)
			holds |= v[i].level == level;
	}
	closedir(dir);
	return holds;
}

/*
 * The fields of a /proc stat file after "PID (comm) ", in line: comm
 * may hold spaces and parentheses, so they start after the last ')'.
 */
static const char *
stat_fields(const char *path, char *line, size_t size)
{
	const char *p = NULL;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return NULL;
	if (fgets(line, (int)size, fp) != NULL && (p = strrchr(line, ')')))
		p += 2;
	fclose(fp);
	return p;
}

/* pid's parent, from /proc/PID/stat; 0 if not known. */
static long
parent_of(long pid)
{
	char path[64], line[512];
	const char *f;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = stat_fields(path, line, sizeof(line))) == NULL ||
	    sscanf(f, "%*c %ld", &ppid) != 1)
		return 0;
	return ppid;
}

/* The nearest process that runs this one and holds st's lock, or 0. */
static long
ancestor_holding(const struct stat *st, int level)
{
	long pid = (long)getppid();
	int depth;

	for (depth = 0; pid > 1 && depth < 256; depth++) {
		if (pid_holds(pid, st, level))
			return pid;
		pid = parent_of(pid);
	}
	return 0;
}

/* The holders named so far: "pid 12 (cmd), pid 34 (cmd), ..." */
struct names {
	char	*buf;
	size_t	 size, len;
	int	 shown;
};

/* Appends "pid 123 (command)"; false once no more are to be shown. */
static bool
add_holder(struct names *nm, long pid)
{
	char cmd[128];

	if (nm->len >= nm->size)
		return false;
	if (nm->shown++ == 3) {
		snprintf(nm->buf + nm->len, nm->size - nm->len, ", ...");
		return false;
	}
	facts_command(cmd, sizeof(cmd), pid);
	nm->len += (size_t)snprintf(nm->buf + nm->len, nm->size - nm->len,
	    "%spid %ld%s%s%s", nm->len > 0 ? ", " : "", pid,
	    cmd[0] ? " (" : "", cmd, cmd[0] ? ")" : "");
	return true;
}

/*
 * Where the descriptors cannot be read (another user's process), the
 * pid /proc/locks gives for the flock, the one that took it, must do.
 */
static void
holders_by_proc_locks(const struct stat *st, struct names *nm)
{
	char *line = NULL;
	size_t cap = 0;
	struct held h;
	bool waits;
	long pid;
	FILE *fp;

	if ((fp = fopen("/proc/locks", "re")) == NULL)
		return;
	while (getline(&line, &cap, fp) != -1)
		if (parse_lock_line(line, st, &h, &pid, &waits) == 0 &&
		    !waits && !add_holder(nm, pid))
			break;
	free(line);
	fclose(fp);
}

void
lock_holders(const struct stat *st, int level, char *buf, size_t size)
{
	struct names nm = { buf, size, 0, 0 };
	struct dirent *d;
	DIR *dir;
	long pid;
	char *end;

	buf[0] = '\0';
	if ((dir = opendir("/proc")) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end == '\0' && pid > 0 && pid != (long)getpid() &&
		    pid_holds(pid, st, level) && !add_holder(&nm, pid))
			break;
	}
	closedir(dir);
	if (nm.shown == 0 && level == 0)
		holders_by_proc_locks(st, &nm);
}

const char *
lock_kind_held(long pid, int fd, const struct stat *st)
{
	struct held v[8];
	int i, n = fd_locks(pid, fd, st, v, 8);

	for (i = 0; i < n; i++)
		if (v[i].level == 0)
			return v[i].write ? "exclusive" : "shared";
	return NULL;
}

/* Taking and letting go. */

/* One attempt at h's lock; 0, or -1 with errno (EWOULDBLOCK: busy). */
static int
try_lock(const struct lock_hold *h, bool wait)
{
	struct flock fl;
	int rc;

	if (h->level == 0)
		return flock(h->fd, (h->exclusive ? LOCK_EX : LOCK_SH) |
		    (wait ? 0 : LOCK_NB));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = h->exclusive ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = level_byte(h->level);
	fl.l_len = 1;
	rc = fcntl(h->fd, wait ? SETLKW : SETLK, &fl);
	if (rc != 0 && (errno == EACCES || errno == EAGAIN))
		errno = EWOULDBLOCK;
	return rc;
}

static volatile sig_atomic_t ticked;

static void
tick(int sig)
{
	(void)sig;
	ticked = 1;
}

/*
 * A timer that interrupts the blocked wait: SIGALRM without
 * SA_RESTART.  It fires at the deadline and every 10 ms after, so a
 * tick that lands just before the wait is entered cannot be missed.
 */
static int
arm_timer(double timeout, struct sigaction *old)
{
	struct itimerval it;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tick;
	sigemptyset(&sa.sa_mask);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)timeout;
	it.it_value.tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout)
	    * 1e6) + 1;
	it.it_interval.tv_usec = 10000;
	if (sigaction(SIGALRM, &sa, old) != 0 ||
	    setitimer(ITIMER_REAL, &it, NULL) != 0)
		return -1;
	return 0;
}

static void
disarm_timer(const struct sigaction *old)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	sigaction(SIGALRM, old, NULL);
}

/* Waits for h's lock, at most timeout seconds (negative: no bound). */
static int
wait_lock(const struct lock_hold *h, const char *name, double timeout)
{
	struct sigaction old;
	int rc = SHM_OK;

	ticked = 0;
	if (timeout > 0 && arm_timer(timeout, &old) != 0)
		return shm_errno(name, "cannot set a timer");
	while (try_lock(h, true) != 0) {
		if (errno != EINTR) {
			rc = shm_errno(name, "cannot lock");
			break;
		}
		if (interrupt_caught()) {
			rc = shm_error(name, "interrupted by %s while waiting "
			    "for the lock; nothing changed", interrupt_name());
			break;
		}
		if (ticked) {
			rc = LOCK_TIMEOUT;
			break;
		}
	}
	if (timeout > 0)
		disarm_timer(&old);
	return rc;
}

/*
 * A process that runs this one holds the lock without having passed
 * its descriptor down (Python's subprocess closes it; so does flock
 * -o): it waits for us, we would wait for it, for ever.
 */
static int
report_ancestor(const char *name, long pid)
{
	char cmd[128];

	facts_command(cmd, sizeof(cmd), pid);
	return shm_error(name, "locked by pid %ld (%s), which runs this "
	    "command and would wait for it for ever; pass the locked "
	    "descriptor down (Python: pass_fds) or unlock first", pid, cmd);
}

/*
 * A sample of pid: its CPU time, in ticks, and whether any of its
 * threads is running.  False if it cannot be read.
 */
static bool
sample_activity(long pid, unsigned long long *ticks, bool *running)
{
	char path[320], line[512];
	unsigned long long user, sys;
	const char *f;
	struct dirent *d;
	DIR *dir;

	*running = false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	/* State, then fields 4-13, then utime and stime. */
	if ((f = stat_fields(path, line, sizeof(line))) == NULL ||
	    sscanf(f, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &user, &sys) != 2)
		return false;
	*ticks = user + sys;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if ((dir = opendir(path)) == NULL)
		return false;
	while (!*running && (d = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/stat", pid,
		    d->d_name);
		*running = (f = stat_fields(path, line, sizeof(line))) != NULL &&
		    *f == 'R';
	}
	closedir(dir);
	return true;
}

/* How long a holder that runs us is watched before it is judged. */
#define IDLE_LOOK_NS	50000000L

/*
 * Whether pid, a process that runs this one and holds the lock, sits
 * idle holding it: no thread of its ran, at either end of a short look,
 * it used no CPU between, and it holds the lock still.  A parent that
 * waits for us (in wait4, or in poll on our output) looks so; one whose
 * other thread holds the lock for a moment of work does not, and is
 * waited for as any holder is.
 */
static bool
holder_idle(long pid, const struct stat *st, int level)
{
	struct timespec look = { 0, IDLE_LOOK_NS };
	unsigned long long before, after;
	bool ran_before, ran_after;

	if (!sample_activity(pid, &before, &ran_before) || ran_before)
		return false;
	while (nanosleep(&look, &look) != 0 && errno == EINTR &&
	    !interrupt_caught())
		;
	return sample_activity(pid, &after, &ran_after) && !ran_after &&
	    after == before && pid_holds(pid, st, level);
}

/* How often a wait looks again at a holder that runs this process. */
#define ANCESTOR_LOOK_S	0.25

/*
 * Waits for a lock that a process running this one holds: in slices,
 * judging the holder between them, so that one that comes to wait for
 * us is seen, and one that lets go is waited for.
 */
static int
wait_beside(const struct lock_hold *h, const struct stat *st,
    const char *name, double timeout)
{
	struct timespec t0;
	double left;
	long pid;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		left = timeout < 0 ? -1 : timeout - shm_seconds_since(&t0);
		if (timeout >= 0 && left <= 0)
			return LOCK_TIMEOUT;
		if ((pid = ancestor_holding(st, h->level)) == 0)
			return wait_lock(h, name, left);
		if (holder_idle(pid, st, h->level))
			return report_ancestor(name, pid);
		rc = wait_lock(h, name, left >= 0 && left < ANCESTOR_LOOK_S ?
		    left : ANCESTOR_LOOK_S);
		if (rc != LOCK_TIMEOUT)
			return rc;
	}
}

/* Takes h's lock: at once, or within timeout, unless that is hopeless. */
static int
take(const struct lock_hold *h, const struct stat *st, const char *name,
    double timeout)
{
	if (try_lock(h, false) == 0)
		return SHM_OK;
	if (errno != EWOULDBLOCK && errno != EINTR)
		return shm_errno(name, "cannot lock");
	if (timeout == 0)
		return LOCK_TIMEOUT;
	return wait_beside(h, st, name, timeout);
}

/*
 * An exclusive record lock needs a descriptor open for writing, which
 * a reader (a cursor's mover) has not: it opens one, if it may.
 */
static bool
open_for_lock(struct lock_hold *h)
{
	char path[64];
	int flags = fcntl(h->fd, F_GETFL), fd;

	if (!h->exclusive || h->level == 0 ||
	    (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY))
		return true;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", h->fd);
	if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		return false;
	h->fd = fd;
	h->own = true;
	return true;
}

int
lock_acquire(struct lock_hold *h, int fd, const struct stat *st,
    const char *name, bool exclusive, double timeout, enum lock_inner inner)
{
	struct within w;
	int rc;

	memset(h, 0, sizeof(*h));
	if (find_within(st, fd, &w, name) != SHM_OK)
		return SHM_FAIL;
	h->exclusive = exclusive;
	h->level = w.level + 1;
	h->fd = fd;
	if (w.level >= 0 && w.shared && exclusive)
		return shm_error(name, "under a shared lock, which allows no "
		    "change; lock it without -s");
	if (w.level + 1 >= LOCK_LEVELS)
		return shm_error(name, "locks nested more than %d deep",
		    LOCK_LEVELS - 1);
	if (w.level >= 0 && inner == LOCK_INNER_NONE) {
		h->fd = w.fd;
		return SHM_OK;
	}
	/*
	 * One that may not write the file cannot take an exclusive inner
	 * lock: a command keeps apart from writers at least; a 'shm lock'
	 * only passes down the lock it is inside, whose kind it keeps.
	 */
	if (!open_for_lock(h)) {
		if (inner == LOCK_INNER_HOLD) {
			h->fd = w.fd;
			return SHM_OK;
		}
		h->exclusive = false;
	}
	if ((rc = take(h, st, name, timeout)) == SHM_OK)
		h->held = true;
	else if (h->own) {
		close(h->fd);
		h->own = false;
	}
	return rc;
}

int
lock_release(struct lock_hold *h, const char *name)
{
	struct flock fl;
	int rc = 0;

	if (h->held && h->level == 0)
		rc = flock(h->fd, LOCK_UN);
	else if (h->held && !h->own) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_UNLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = level_byte(h->level);
		fl.l_len = 1;
		rc = fcntl(h->fd, SETLK, &fl);
	}
	/* Closing its own description lets its record lock go with it. */
	if (h->own)
		close(h->fd);
	h->held = h->own = false;
	return rc == 0 ? SHM_OK : shm_errno(name, "cannot unlock");
}

int
lock_env_timeout(double *timeout)
{
	const char *env = getenv("SHM_LOCK_TIMEOUT"), *err;

	*timeout = -1;
	if (env == NULL || *env == '\0')
		return SHM_OK;
	if ((err = number_seconds(env, timeout)) != NULL)
		return shm_error(NULL, "SHM_LOCK_TIMEOUT '%s': %s", env, err);
	return SHM_OK;
}

/* Passing it down. */

int
lock_pass_on(const struct lock_hold *h, const struct stat *st)
{
	const char *old = getenv(LOCK_ENV);
	char *env;
	int rc;

	if (fcntl(h->fd, F_SETFD, 0) != 0)
		return shm_perror("fcntl");
	if (asprintf(&env, "%s%s%d:%llx:%llx:%c", old != NULL ? old : "",
	    old != NULL && *old != '\0' ? " " : "", h->fd,
	    (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	    h->exclusive ? 'x' : 's') < 0)
		return shm_perror(LOCK_ENV);
	rc = setenv(LOCK_ENV, env, 1) == 0 ? SHM_OK : shm_perror(LOCK_ENV);
	free(env);
	return rc;
}
