/* input.c - opening what create --from and write -i read */
#include <sys/stat.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/input.h"
#include "util/port.h"
#include "util/shm.h"

/*
 * Whether a regular file's st_size is what reading it gives.  Files of
 * /proc, /sys and their kind say 0 or 4096 whatever they hold, so they
 * are read as streams, to their end; an empty file reads the same
 * either way, and any file system may hold such files (FUSE), so size
 * 0 is never trusted.
 */
static bool
size_is_trusted(int fd, const struct stat *st)
{
#if SHM_LINUX
	static const unsigned long pseudo[] = {
		0x9fa0,		/* proc */
		0x62656572,	/* sysfs */
		0x64626720,	/* debugfs */
		0x74726163,	/* tracefs */
		0x73636673,	/* securityfs */
		0x62656570,	/* configfs */
		0x27e0eb,	/* cgroup */
		0x63677270,	/* cgroup2 */
		0xcafe4a11,	/* bpf */
		0xde5e81e4,	/* efivarfs */
		0x6165676c,	/* pstore */
	};
	struct statfs fs;
	size_t i;

	if (st->st_size > 0 && fstatfs(fd, &fs) == 0)
		for (i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
			if ((unsigned long)fs.f_type == pseudo[i])
				return false;
#else
	(void)fd;
#endif
	return st->st_size > 0;
}

int
input_open(struct input *in, const char *path)
{
	bool from_stdin = path == NULL || strcmp(path, "-") == 0;
	struct stat st;
	off_t pos;

	in->name = from_stdin ? "standard input" : path;
	in->sized = false;
	in->len = 0;
	in->fd = -1;
	if (path != NULL && path[0] == '\0')
		return shm_error(NULL, "'': empty file name");
	in->fd = from_stdin ? STDIN_FILENO :
	    open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in->fd < 0 || fstat(in->fd, &st) != 0)
		return shm_perror(in->name);
	if (S_ISDIR(st.st_mode))
		return shm_error(in->name, "is a directory");
	if (!S_ISREG(st.st_mode) || !size_is_trusted(in->fd, &st))
		return SHM_OK;
	/* Standard input may be a file someone has already read into. */
	if ((pos = lseek(in->fd, 0, SEEK_CUR)) < 0)
		pos = 0;
	in->sized = true;
	in->len = st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
	return SHM_OK;
}

void
input_close(struct input *in)
{
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
}
