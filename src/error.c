/* error.c - the one way shm reports a failure */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shm.h"

const char *shm_cmd = "shm";

/* "shm: CMD: NAME: " - the part every message starts with. */
static void
report_prefix(const char *name)
{
	fputs("shm: ", stderr);
	if (strcmp(shm_cmd, "shm") != 0)
		fprintf(stderr, "%s: ", shm_cmd);
	if (name != NULL)
		fprintf(stderr, "%s: ", name);
}

int
shm_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	report_prefix(name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return SHM_FAIL;
}

int
shm_perror(const char *name)
{
	const char *reason = strerror(errno);

	report_prefix(name);
	fprintf(stderr, "%s\n", reason);
	return SHM_FAIL;
}

int
shm_errno(const char *name, const char *fmt, ...)
{
	const char *reason = strerror(errno);
	va_list ap;

	report_prefix(name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", reason);
	return SHM_FAIL;
}

int
shm_usage_error(const char *fmt, ...)
{
	va_list ap;

	report_prefix(NULL);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'shm %s --help')\n", shm_cmd);
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
