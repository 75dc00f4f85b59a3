/*
 * waitfloor.c - the least a waiter can do: the floor of bench/wait.
 *
 * usage: waitfloor FILE LENGTH BUDGET
 *
 * Maps the first LENGTH bytes of FILE, keeps a copy, and exits 0 as
 * soon as they differ from it.  It sleeps in ppoll on an inotify watch
 * of FILE, so a write(2) wakes it at once, and compares the whole range
 * at each wake-up and each time the interval runs out: nothing else.
 * The interval is the one that keeps an idle waiter within BUDGET
 * percent of a core: the time one compare takes (measured as it
 * starts), times 100 / BUDGET, and never under a millisecond, shm's
 * own pace.  So its latency and idle cost are what any waiter that
 * compares, and exits on a change, can reach on this machine within
 * that budget; bench/wait times it as it times shm wait.  It prints
 * nothing but errors.
 */
#define _GNU_SOURCE		/* ppoll */
#include <sys/inotify.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct timespec pace;
	struct pollfd pfd;
	char ev[4096];
	unsigned char *map, *was;
	double t, budget, interval;
	size_t len;
	int fd, i;

	if (argc != 4) {
		fprintf(stderr, "usage: waitfloor FILE LENGTH BUDGET\n");
		return 2;
	}
	len = strtoull(argv[2], NULL, 10);
	budget = atof(argv[3]);
	if ((fd = open(argv[1], O_RDONLY)) == -1)
		die(argv[1]);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	if ((was = malloc(len)) == NULL)
		die("malloc");
	memcpy(was, map, len);
	/* The cost of a look: the fastest of a few, caches warm. */
	interval = 1;
	for (i = 0; i < 5; i++) {
		t = now();
		if (memcmp(was, map, len) != 0)
			return 0;
		if (now() - t < interval)
			interval = now() - t;
	}
	interval *= 100 / budget;
	if (interval < 1e-3)
		interval = 1e-3;
	pace.tv_sec = (time_t)interval;
	pace.tv_nsec = (long)((interval - pace.tv_sec) * 1e9);
	if ((pfd.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		die("inotify_init1");
	if (inotify_add_watch(pfd.fd, argv[1], IN_MODIFY) == -1)
		die("inotify_add_watch");
	pfd.events = POLLIN;
	for (;;) {
		if (ppoll(&pfd, 1, &pace, NULL) == -1)
			die("ppoll");
		while (read(pfd.fd, ev, sizeof(ev)) > 0)
			continue;
		if (memcmp(was, map, len) != 0)
			return 0;
	}
}
