/* shm.h - what every module shares: exit statuses and the one error helper */
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
/*
 * Answers that are no exit status, each with a value of its own, so
 * that one passed up too far can never pass for another, or for a
 * status.  Each is named in the one header or file that needs it, and
 * the functions that return one say so; the values are given out here:
 *	-1 SHM_DONE		below: all done, exit 0 (after --help)
 *	-2 LOCK_TIMEOUT		seg/lock.h: time ran out, nothing said
 *	-3 TRY_NEXT		seg/backend.h: not this way; try the next
 *	-4 STATE_MISSING	lib/cursor.c: no state directory yet
 *	-5 STATE_REFUSED	lib/cursor.c: unsafe, and quiet was asked
 *	-6 NAME_TAKEN		seg/create.c: the name is someone else's
 *	-7 GUARD_FAULT		seg/map.h: a mapped page was gone
 */
enum shm_sentinel {
	SHM_DONE	= -1,	/* main, opt.c */
};

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

/* The smaller of two sizes or offsets. */
static inline uint64_t
shm_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

struct timespec;
/* Seconds from t (CLOCK_MONOTONIC) to now. */
double	shm_seconds_since(const struct timespec *t);

struct stat;
/* Whether a and b are one file: the same device and inode. */
bool	shm_same_file(const struct stat *a, const struct stat *b);

/* write(2) all of buf, retrying short writes; 0 or -1 with errno. */
int	shm_write_all(int fd, const void *buf, size_t len);

#endif
