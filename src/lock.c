/*
 * lock.c - waiting for a segment's lock, and passing it down.
 *
 * Every command takes flock(2) on its own open file description, so a
 * command run inside 'shm lock Q -- ...' would wait for the lock its
 * own parent holds, for ever.  'shm lock' therefore passes the held
 * descriptor down, with its device, inode and kind in SHM_LOCKED, and
 * a command on the same file (by any of its names) that finds it there
 * works inside that lock instead of taking one.  The claim is checked:
 * the descriptor must be open on that very file and the kernel must
 * list an flock on it (/proc/self/fdinfo), so a stale or forged
 * variable makes a command lock as usual, never skip the lock.
 */
#define _GNU_SOURCE		/* O_CLOEXEC flags, setitimer */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "facts.h"
#include "interrupt.h"
#include "lock.h"
#include "number.h"
#include "shm.h"

/* Whether the kernel shows an flock held through fd. */
static bool
fd_holds_flock(int fd)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool held = false, readable;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	/* Without /proc there is no telling: the fstat check must do. */
	if ((fp = fopen(path, "re")) == NULL)
		return errno == ENOENT && access("/proc/self", F_OK) != 0;
	/* getline: the tail of a long line is no line of its own. */
	while (!held && getline(&line, &cap, fp) != -1)
		held = strncmp(line, "lock:", 5) == 0 &&
		    strstr(line, "FLOCK") != NULL;
	readable = !ferror(fp);
	free(line);
	fclose(fp);
	return held && readable;
}

int
lock_inherited(const struct stat *st, int *held_fd)
{
	const char *env = getenv(LOCK_ENV);
	unsigned long long dev, ino;
	struct stat fst;
	char kind;
	int fd, n, held = 0;

	for (; env != NULL && *env != '\0'; env += n) {
		n = 0;
		if (sscanf(env, " %d:%llx:%llx:%c%n", &fd, &dev, &ino, &kind,
		    &n) != 4 || n == 0)
			break;
		if (dev != (unsigned long long)st->st_dev ||
		    ino != (unsigned long long)st->st_ino ||
		    (kind != 's' && kind != 'x'))
			continue;
		if (fd < 0 || fstat(fd, &fst) != 0 ||
		    fst.st_dev != st->st_dev || fst.st_ino != st->st_ino ||
		    !fd_holds_flock(fd))
			continue;
		/* Entries are outermost first: the last one found counts. */
		held = kind;
		if (held_fd != NULL)
			*held_fd = fd;
	}
	return held;
}

static volatile sig_atomic_t ticked;

static void
tick(int sig)
{
	(void)sig;
	ticked = 1;
}

/*
 * A timer that interrupts the blocked flock: SIGALRM without
 * SA_RESTART.  It fires at the deadline and every 10 ms after, so a
 * tick that lands just before flock is entered cannot be missed.
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

int
lock_take(int fd, const char *name, bool exclusive, double timeout)
{
	int op = exclusive ? LOCK_EX : LOCK_SH, rc = SHM_OK;
	struct sigaction old;

	if (flock(fd, op | LOCK_NB) == 0)
		return SHM_OK;
	if (errno != EWOULDBLOCK && errno != EINTR)
		return shm_errno(name, "cannot lock");
	if (timeout == 0)
		return LOCK_TIMEOUT;
	ticked = 0;
	if (timeout > 0 && arm_timer(timeout, &old) != 0)
		return shm_errno(name, "cannot set a timer");
	while (flock(fd, op) != 0) {
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

/* One line of /proc/locks that holds (not waits for) an flock on st. */
static long
holder_in(const char *line, const struct stat *st)
{
	unsigned maj, min;
	unsigned long long ino;
	char kind[16];
	long pid;

	/* "1: FLOCK  ADVISORY  WRITE 1234 00:1b:4626 0 EOF"; "1: ->" waits. */
	if (strstr(line, "->") != NULL || sscanf(line, "%*d: %15s %*s %*s "
	    "%ld %x:%x:%llu", kind, &pid, &maj, &min, &ino) != 5)
		return 0;
	if (strcmp(kind, "FLOCK") != 0 || ino != st->st_ino ||
	    maj != major(st->st_dev) || min != minor(st->st_dev))
		return 0;
	return pid;
}

void
lock_holders(const struct stat *st, char *buf, size_t size)
{
	char *line = NULL, cmd[128];
	size_t len = 0, cap = 0;
	int shown = 0;
	FILE *fp;
	long pid;

	buf[0] = '\0';
	if ((fp = fopen("/proc/locks", "re")) == NULL)
		return;
	while (len < size && getline(&line, &cap, fp) != -1) {
		if ((pid = holder_in(line, st)) == 0)
			continue;
		if (shown++ == 3) {
			snprintf(buf + len, size - len, ", ...");
			break;
		}
		facts_command(cmd, sizeof(cmd), pid);
		len += (size_t)snprintf(buf + len, size - len, "%spid %ld%s%s%s",
		    len > 0 ? ", " : "", pid, cmd[0] ? " (" : "", cmd,
		    cmd[0] ? ")" : "");
	}
	free(line);
	fclose(fp);
}

int
lock_pass_on(int fd, const struct stat *st, bool exclusive)
{
	const char *old = getenv(LOCK_ENV);
	char *env;
	int rc;

	if (fcntl(fd, F_SETFD, 0) != 0)
		return shm_perror("fcntl");
	if (asprintf(&env, "%s%s%d:%llx:%llx:%c", old != NULL ? old : "",
	    old != NULL && *old != '\0' ? " " : "", fd,
	    (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	    exclusive ? 'x' : 's') < 0)
		return shm_perror(LOCK_ENV);
	rc = setenv(LOCK_ENV, env, 1) == 0 ? SHM_OK : shm_perror(LOCK_ENV);
	free(env);
	return rc;
}
