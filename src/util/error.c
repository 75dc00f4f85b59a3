/* error.c - the one way shm reports a failure */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"
#include "util/shm.h"
#include "util/text.h"

const char *shm_cmd = "shm";

/* Room for a full path and its reason, before escaping. */
#define MESSAGE_MAX	(PATH_MAX + 512)

/* Where this thread's error lines go, if not to standard error. */
static _Thread_local struct error_line *held;

/*
 * Prints "shm: CMD: NAME: " + fmt + tail as one line and one write(2):
 * names and values are the user's bytes, and a name holding a newline
 * or an escape sequence must not forge a second line or drive the
 * terminal, so the whole line is escaped (text.c).  One write keeps
 * the line whole among other processes' output.
 */
static void report(const char *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
report(const char *name, const char *tail, const char *fmt, va_list ap)
{
	char raw[MESSAGE_MAX], line[4 * MESSAGE_MAX + 2];
	size_t len = 0, n;
	int w;

	w = snprintf(raw, sizeof(raw), "shm: ");
	if (strcmp(shm_cmd, "shm") != 0)
		w += snprintf(raw + w, sizeof(raw) - (size_t)w, "%s: ",
		    shm_cmd);
	if (name != NULL)
		w += snprintf(raw + w, sizeof(raw) - (size_t)w, "%s: ", name);
	if ((size_t)w < sizeof(raw))
		vsnprintf(raw + w, sizeof(raw) - (size_t)w, fmt, ap);
	len = strlen(raw);
	if (tail != NULL)
		snprintf(raw + len, sizeof(raw) - len, "%s", tail);
	n = text_escape(line, sizeof(line) - 1, raw, strlen(raw), false);
	line[n++] = '\n';
	if (held != NULL) {
		if (held->len == 0 && n <= sizeof(held->text)) {
			memcpy(held->text, line, n);
			held->len = n;
		}
		return;
	}
	progress_break();
	fflush(stderr);
	/* Nothing to be done if standard error is gone: the line is lost. */
	(void)shm_write_all(STDERR_FILENO, line, n);
}

void
shm_error_hold(struct error_line *line)
{
	held = line;
}

void
shm_error_print(const struct error_line *line)
{
	if (line->len == 0)
		return;
	progress_break();
	fflush(stderr);
	(void)shm_write_all(STDERR_FILENO, line->text, line->len);
}

int
shm_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(name, NULL, fmt, ap);
	va_end(ap);
	return SHM_FAIL;
}

int
shm_perror(const char *name)
{
	return shm_error(name, "%s", strerror(errno));
}

int
shm_errno(const char *name, const char *fmt, ...)
{
	char tail[256];
	va_list ap;

	snprintf(tail, sizeof(tail), ": %s", strerror(errno));
	va_start(ap, fmt);
	report(name, tail, fmt, ap);
	va_end(ap);
	return SHM_FAIL;
}

int
shm_usage_error(const char *fmt, ...)
{
	char tail[64];
	va_list ap;

	snprintf(tail, sizeof(tail), " (see 'shm %s --help')", shm_cmd);
	va_start(ap, fmt);
	report(NULL, tail, fmt, ap);
	va_end(ap);
	return SHM_FAIL;
}

int
shm_flush_output(void)
{
	/* Said once: main flushes again at exit, to the same failure. */
	static bool said;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return SHM_OK;
	if (!said)
		shm_perror("standard output");
	said = true;
	return SHM_FAIL;
}

int
shm_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

double
shm_seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

bool
shm_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}
