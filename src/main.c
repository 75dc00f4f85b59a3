/*
 * main.c - shm: shared memory from the shell.
 *
 * One binary, many commands.  "shm CMD ARGS" and a link named "shm-CMD"
 * run the same row of the table below, as busybox and git do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "util/interrupt.h"
#include "util/port.h"
#include "util/shm.h"

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
	const struct opt_command *help;
};

static int cmd_help(int, char **);

/* For the completions: help takes a command. */
static const struct opt no_options[] = { { 0 } };
static const struct opt_command help_help = {
	"usage: shm help COMMAND\n", no_options, NULL, { OPT_COMMAND }
};

#define SHM_COMMAND_ROW(name, summary) \
	{ #name, cmd_##name, summary, &name##_help },
static const struct command commands[] = {
	SHM_COMMANDS(SHM_COMMAND_ROW)
	{ "help", cmd_help, "show help for a command", &help_help },
	{ NULL, NULL, NULL, NULL },
};
#undef SHM_COMMAND_ROW

static const char main_usage[] =
"usage: shm COMMAND [ARGS...]\n"
"       shm-COMMAND [ARGS...]\n"
"       shm help COMMAND | shm COMMAND --help | shm --version\n"
"\n"
"Shared memory from the shell: put files and strings into a POSIX\n"
"shared-memory object (NAME or /NAME) or a mapped file (a path with\n"
"a '/'), read them back, search, dump and resize.\n"
"\n"
"Commands:\n";

static void
print_main_usage(FILE *fp)
{
	const struct command *c;

	fputs(main_usage, fp);
	for (c = commands; c->name != NULL; c++)
		fprintf(fp, "  %-8s %s\n", c->name, c->summary);
	fputs("\n"
	    "Exit status: 0 done; 2 error; 1 an answer of no: find found no\n"
	    "match, diff found a difference, wait or read --follow timed\n"
	    "out, watch saw no change in time, who found no process, lock\n"
	    "-w did not get the lock.  lock exits with its command's status\n"
	    "once it has run one.  See shm(1) and shm-COMMAND(1).\n",
	    fp);
}

static const struct command *
find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int
run_command(const char *name, int argc, char **argv)
{
	const struct command *c = find_command(name);
	int rc;

	if (c == NULL) {
		shm_error(NULL, "'%s' is not a command; see 'shm --help'",
		    name);
		return SHM_FAIL;
	}
	shm_cmd = c->name;
	rc = c->run(argc, argv);
	return rc == SHM_DONE ? SHM_OK : rc;
}

/*
 * What the completions ask, as git's --git-completion-helper: "help
 * --options" prints for each command a line "NAME command SUMMARY",
 * then those of its options and operands (util/opt.h: opt_print_table);
 * "help --options CMD" those of one.  A new command or option thus
 * needs no completion of its own.
 */
static int
print_tables(int argc, char **argv)
{
	const struct command *c;

	if (argc > 3)
		return shm_usage_error("help --options takes one command");
	if (argc == 3 && find_command(argv[2]) == NULL)
		return shm_error(NULL, "no help for '%s'; see 'shm --help'",
		    argv[2]);
	for (c = commands; c->name != NULL; c++) {
		if (argc == 3 && strcmp(c->name, argv[2]) != 0)
			continue;
		printf("%s\tcommand\t%s\n", c->name, c->summary);
		opt_print_table(stdout, c->name, c->help);
	}
	return SHM_OK;
}

/* "shm help CMD" is "shm CMD --help", as in git. */
static int
cmd_help(int argc, char **argv)
{
	char *args[] = { argv[1], "--help", NULL };

	if (argc >= 2 && strcmp(argv[1], "--options") == 0)
		return print_tables(argc, argv);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		print_main_usage(stdout);
		return SHM_OK;
	}
	if (argc > 2)
		return shm_usage_error("help takes one command");
	if (find_command(argv[1]) == NULL)
		return shm_error(NULL, "no help for '%s'; see 'shm --help'",
		    argv[1]);
	return run_command(argv[1], 2, args);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * Started with descriptor 0, 1 or 2 closed, the next open() would get
 * that number: a segment opened as fd 2 would receive our own error
 * messages, one opened as fd 0 would be read as the input.  Each
 * closed one is filled with the end of a pipe that fails every use
 * with EBADF: fd 0 gets a write end (a read of standard input fails as
 * it would have), 1 and 2 a read end (output to them is lost, as it
 * would have been).
 */
static int
fill_closed_fd(int fd)
{
	int p[2], keep;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return 0;
	if (pipe(p) != 0)
		return -1;
	/* The lower ones are open, so the pipe's read end is fd itself. */
	keep = fd == STDIN_FILENO ? p[1] : p[0];
	if (keep != fd && dup2(keep, fd) < 0)
		return -1;
	if (p[0] != fd)
		close(p[0]);
	if (p[1] != fd)
		close(p[1]);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *self = argc > 0 ? base_name(argv[0]) : "shm";
	int fd, status;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (fill_closed_fd(fd) != 0)
			return SHM_FAIL;
	if (strncmp(self, "shm-", 4) == 0)
		status = run_command(self + 4, argc, argv);
	else if (argc < 2) {
		print_main_usage(stderr);
		status = SHM_FAIL;
	} else if (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		print_main_usage(stdout);
		status = SHM_OK;
	} else if (strcmp(argv[1], "--version") == 0) {
		/* A build of POSIX ways only says so: tests skip by it. */
		printf("shm %s%s\n", SHM_VERSION, SHM_LINUX ? "" :
		    " (portable)");
		status = SHM_OK;
	} else
		status = run_command(argv[1], argc - 1, argv + 1);
	if (shm_flush_output() != SHM_OK)
		status = SHM_FAIL;
	interrupt_resend();
	return status;
}
