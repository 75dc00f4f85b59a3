/* cmd/lock.c - run a command holding a segment's lock, as flock(1) does */
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "seg/lock.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm lock [-s] [-w SECONDS] NAME [--] COMMAND [ARG...]\n"
"\n"
"Run COMMAND with the lock of NAME held, exclusive (shared with -s),\n"
"and exit with its status.  shm commands that COMMAND runs on NAME, at\n"
"any depth and by any of its names, work inside this lock instead of\n"
"waiting for it, and still keep apart from each other.  The lock is\n"
"flock(2) on the segment's file: a Python or C peer takes the same one\n"
"with fcntl.flock(fd, LOCK_EX); shm commands that inherit its locked\n"
"descriptor (flock(1), pass_fds) work inside that one too.\n";

static const struct opt options[] = {
	{ 's', "shared", OPT_FLAG, NULL,
	    "share the lock with other readers; nothing run under it may "
	    "change NAME", NULL },
	{ 'w', "timeout", OPT_VALUE, "SECONDS",
	    "wait at most SECONDS (0: not at all), then exit 1", NULL },
	{ 0 },
};

const struct opt_command lock_help = {
	usage, options, NULL, { OPT_SEGMENT, OPT_PROGRAM, OPT_FILE "..." }
};

struct lock_args {
	const char	*name;
	char		**command;
	bool		 shared;
	double		 timeout;	/* negative: SHM_LOCK_TIMEOUT, or none */
	bool		 timed;		/* -w was given */
};

/* Runs the command and waits for it: its status, as a shell gives it. */
static int
run(char **command)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return shm_perror("fork");
	if (pid == 0) {
		execvp(command[0], command);
		/* As a shell says it: 127 not found, 126 not runnable. */
		shm_perror(command[0]);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return shm_perror("waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Takes the lock unless an enclosing 'shm lock' holds it already. */
static int
take(struct segment *seg, const struct lock_args *a)
{
	double timeout = a->timeout;
	int rc;

	if (!a->timed && lock_env_timeout(&timeout) != SHM_OK)
		return SHM_FAIL;
	if ((rc = segment_hold_lock(seg, !a->shared, timeout)) !=
	    LOCK_TIMEOUT)
		return rc;
	(void)segment_lock_timed_out(seg, timeout, !a->timed);
	return a->timed ? SHM_NOMATCH : SHM_FAIL;
}

static int
parse_args(int argc, char **argv, struct lock_args *a)
{
	struct opt_parser p;
	const char *err;
	int c;

	opt_init(&p, argc, argv, &lock_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 's': a->shared = true; break;
		case 'w':
			if ((err = number_seconds(p.arg, &a->timeout)) != NULL)
				return opt_bad_value("-w", p.arg, err);
			a->timed = true;
			break;
		default: return opt_stop(c);
		}
	}
	if (opt_operands(&p, 2, p.npos, "NAME COMMAND") != SHM_OK)
		return SHM_FAIL;
	a->name = p.argv[0];
	a->command = p.argv + 1;
	p.argv[p.npos] = NULL;		/* argv has argc + 1 slots */
	return SHM_OK;
}

int
cmd_lock(int argc, char **argv)
{
	struct lock_args a = { .timeout = -1 };
	struct segment seg;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != SHM_OK)
		return rc;
	/* Read access is enough for flock, and all a reader may have. */
	if ((rc = segment_open(&seg, a.name, SEGMENT_READ)) != SHM_OK)
		return rc;
	if ((rc = take(&seg, &a)) == SHM_OK)
		rc = run(a.command);
	segment_close(&seg);
	return rc;
}
