/* input.c - opening what create --from and write -i read */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "shm.h"

int
input_open(struct input *in, const char *path)
{
	bool from_stdin = path == NULL || strcmp(path, "-") == 0;
	struct stat st;
	off_t pos;

	in->name = from_stdin ? "standard input" : path;
	in->fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	in->sized = false;
	in->len = 0;
	if (in->fd < 0 || fstat(in->fd, &st) != 0)
		return shm_perror(in->name);
	if (S_ISDIR(st.st_mode))
		return shm_error(in->name, "is a directory");
	if (!S_ISREG(st.st_mode))
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

int
input_slurp(struct input *in, uint64_t limit, unsigned char **buf,
    size_t *len)
{
	size_t cap = 0;
	ssize_t n;
	void *p;

	*buf = NULL;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(*buf, cap)) == NULL)
				return shm_perror(in->name);
			*buf = p;
		}
		n = read(in->fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return shm_perror(in->name);
		if (n == 0 || (*len += (size_t)n) > limit)
			return SHM_OK;
	}
}
