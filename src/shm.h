/* shm.h - what every command shares: errors, options, the command table */
#ifndef SHM_SHM_H
#define SHM_SHM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_VERSION	"0.1.0"

/* Exit statuses, as grep has them. */
#define SHM_OK		0
#define SHM_NOMATCH	1
#define SHM_FAIL	2
/* Not an exit status: "all done, exit 0" (after --help). */
#define SHM_DONE	(-1)

/* The command being run, for messages; set once by main. */
extern const char *shm_cmd;

/*
 * The one error helper: prints "shm: CMD: NAME: reason" (no NAME when
 * it is NULL) and returns SHM_FAIL, so a failure is one line:
 * return shm_error(name, "...").
 */
int	shm_error(const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "shm: CMD: NAME: strerror(errno)" */
int	shm_perror(const char *name);
/* The same with ": strerror(errno)" after the message. */
int	shm_errno(const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A usage mistake: the message, then where to find the usage. */
int	shm_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * A worker thread's first error line, held for the main thread to
 * print or drop: two threads failing at one cause say it once.
 */
struct error_line {
	char	text[4 * (PATH_MAX + 512) + 2];	/* as error.c builds it */
	size_t	len;
};
/* This thread's error lines go to line (the first is kept); NULL: stderr. */
void	shm_error_hold(struct error_line *);
/* Prints a held line, if one was. */
void	shm_error_print(const struct error_line *);

/*
 * Flushes standard output: SHM_OK, or SHM_FAIL after the message.  A
 * command that moves the cursor past what it printed flushes first, so
 * output that could not be written moves nothing.
 */
int	shm_flush_output(void);

/* write(2) all of buf, retrying short writes; 0 or -1 with errno. */
int	shm_write_all(int fd, const void *buf, size_t len);

/*
 * Options.  A command lists what it takes in a table; opt_next() walks
 * argv the way getopt_long does (clusters, --long=value, "--"), but an
 * argument that looks like a negative number is a value, not an option,
 * so "seek seg -16" and "write --as '<h' -2" work.
 */
struct opt {
	int		 key;	/* opt_next returns it; the short letter */
	const char	*name;	/* long name, or NULL */
	int		 arg;	/* takes a value: false, true or OPT_MAYBE */
};

/* A long option whose value is optional, given only as --name=value. */
#define OPT_MAYBE	2

#define OPT_END		0	/* no more options */
#define OPT_HELP	1	/* --help: the usage was printed */
#define OPT_ERROR	2	/* a usage message was printed */
#define OPT_LONG	256	/* first key for long-only options */

/*
 * Non-option arguments are moved, in order, to argv[0 .. npos): the
 * command name in argv[0] is not needed once parsing starts.
 */
struct opt_parser {
	int		 argc;
	char		**argv;
	int		 index;		/* next argv element to look at */
	int		 npos;		/* positional arguments so far */
	const char	*cluster;	/* rest of a "-abc" cluster */
	bool		 options_done;	/* after "--" */
	int		 stop_after;	/* operands after which all are; 0: none */
	const char	*usage;
	char		*arg;		/* value of the option just returned */
};

void	opt_init(struct opt_parser *, int argc, char **argv,
	    const char *usage);
int	opt_next(struct opt_parser *, const struct opt *opts);
/*
 * Checks there are min to max operands, named by the words of names
 * ("NAME SIZE"): "missing SIZE", "too many arguments".
 */
int	opt_operands(const struct opt_parser *, int min, int max,
	    const char *names);

/* Commands: each returns its exit status. */
int	cmd_create(int, char **);
int	cmd_dump(int, char **);
int	cmd_find(int, char **);
int	cmd_flush(int, char **);
int	cmd_list(int, char **);
int	cmd_lock(int, char **);
int	cmd_move(int, char **);
int	cmd_read(int, char **);
int	cmd_resize(int, char **);
int	cmd_rm(int, char **);
int	cmd_seek(int, char **);
int	cmd_stat(int, char **);
int	cmd_wait(int, char **);
int	cmd_who(int, char **);
int	cmd_write(int, char **);

#endif
