/*
 * readlimit.c - the memory-read limit: read a file and do nothing else.
 *
 * usage: readlimit FILE THREADS
 *
 * bench/run compiles this at run time and times it beside shm find:
 * pread of 256 KiB chunks into one reused buffer a thread (it stays
 * in L2), the file split in THREADS parts, no search.  A search that
 * reads its data cannot go faster than this copy; see bench/README.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK	(256 * 1024)

struct part {
	int	fd;
	off_t	start, end;
	int	rc;
};

static void *
read_part(void *arg)
{
	struct part *p = arg;
	char *buf = malloc(CHUNK);
	off_t off = p->start;
	ssize_t n;

	p->rc = buf == NULL;
	while (buf != NULL && off < p->end) {
		n = pread(p->fd, buf, p->end - off < CHUNK ?
		    (size_t)(p->end - off) : CHUNK, off);
		if (n <= 0) {
			p->rc = 1;
			break;
		}
		off += n;
	}
	free(buf);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct part parts[64];
	pthread_t threads[64];
	struct stat st;
	int fd, i, n, rc = 0;

	if (argc != 3 || (n = atoi(argv[2])) < 1 || n > 64) {
		fprintf(stderr, "usage: readlimit FILE THREADS\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		parts[i].fd = fd;
		parts[i].start = st.st_size / n * i;
		parts[i].end = i == n - 1 ? st.st_size :
		    st.st_size / n * (i + 1);
		if (i > 0 && pthread_create(&threads[i], NULL, read_part,
		    &parts[i]) != 0) {
			perror("pthread_create");
			return 2;
		}
	}
	read_part(&parts[0]);
	for (i = 1; i < n; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < n; i++)
		rc |= parts[i].rc;
	if (rc != 0)
		fprintf(stderr, "readlimit: %s: read failed\n", argv[1]);
	return rc ? 2 : 0;
}
