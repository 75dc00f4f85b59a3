/*
 * backend.h - a kind of segment as a table of operations, for the files
 * of the mapping layer only.
 *
 * As sqlite's sqlite3_io_methods: segment_resolve() chooses the table
 * once, from the name, and hangs it off the segment (seg->ops); the
 * layer's functions (map.h) do what all kinds share and call through
 * the table for the rest, so no code asks which kind it holds, and a
 * kind cannot be forgotten: tests/lint.sh checks that every table
 * fills every slot, and tests/kinds.bats runs one set of checks on
 * each kind.
 *
 * Two kinds today:
 * - fd_ops, a regular file reached through a descriptor: a POSIX
 *   object, a file, a memfd through /proc/PID/fd (the fd_* functions,
 *   beside the segment_* ones they serve);
 * - sysv_ops, SysV memory attached with shmat: no descriptor, so no
 *   flock, no holes, and a size that never changes (sysv.c).
 *
 * Each operation prints its own message and returns SHM_FAIL, unless
 * its comment says otherwise.
 */
#ifndef SHM_BACKEND_H
#define SHM_BACKEND_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/lock.h"
#include "seg/map.h"

/* Not this way: try the next (util/shm.h's sentinels). */
enum { TRY_NEXT = -3 };

struct segment_ops {
	/* NULL, or why its size never changes (locking.c says so). */
	const char *fixed_size;

	/* name.c: NAME's segment, without opening it (who). */
	int	(*lookup)(struct segment *);
	/* Whether NAME names a live segment now; no message. */
	bool	(*present)(const struct segment *, struct stat *);
	enum segment_naming (*check_name)(struct segment *);

	/* open.c: resolved, then opened; closed whatever state it is in. */
	int	(*open)(struct segment *, enum segment_access);
	void	(*close)(struct segment *);
	/* seg->st and seg->size again. */
	int	(*refresh)(struct segment *);
	/* Its size now, to say how far it shrank; seg is left alone. */
	int	(*size_now)(const struct segment *, uint64_t *size);

	/* identity.c: "object", "file", "memfd", "sysv". */
	const char *(*kind)(const struct segment *);
	/* What tells it from a later one of the same name and key. */
	void	(*identity)(const struct segment *, char *buf, size_t size);
	/* An error if fd is the segment's own file. */
	int	(*distinct)(const struct segment *, int fd, const char *fdname);

	/* create.c: a new, unnamed segment (resolved already). */
	int	(*create)(struct segment *, mode_t mode);
	/* segment_trust's question (resolved already; *exists false). */
	int	(*trust)(struct segment *, mode_t mode, bool *exists);
	/* A file with no name for scratch space; -1 with errno. */
	int	(*scratch)(const struct segment *);

	/* remove.c: *gone as segment_remove says (resolved already). */
	int	(*remove)(struct segment *, bool missing_ok, struct stat *gone);

	/*
	 * locking.c: lock_acquire's answer (SHM_OK, LOCK_TIMEOUT with no
	 * message, SHM_FAIL); a kind with no lock says so for
	 * LOCK_INNER_HOLD, and takes none (SHM_OK) otherwise.
	 */
	int	(*lock)(struct segment *, bool exclusive, double timeout,
		    enum lock_inner);
	int	(*resize)(struct segment *, uint64_t size);
	void	(*restore_size)(struct segment *, uint64_t size);
	int	(*reserve)(struct segment *, uint64_t off, uint64_t len);

	/* segio.c */
	int	(*write)(struct segment *, uint64_t off, const void *buf,
		    size_t len);
	int	(*read)(struct segment *, uint64_t off, void *buf, size_t len,
		    size_t *got);
	int	(*read_sparse)(struct segment *, uint64_t off, void *buf,
		    size_t len, const unsigned char **data, size_t *got);
	bool	(*in_hole)(const struct segment *, uint64_t off,
		    uint64_t *data);
	uint64_t (*data_end)(const struct segment *, uint64_t off);
	int	(*copy_out)(struct segment *, uint64_t off, uint64_t len,
		    int fd, const char *fdname, uint64_t *copied);
	/*
	 * The in-kernel copies into the segment, from a file (stream
	 * false) or a pipe: TRY_NEXT, with no message, where they cannot
	 * be had, and read and write do the copy instead.
	 */
	int	(*copy_in_kernel)(struct segment *, uint64_t off, int fd,
		    const char *fdname, uint64_t len, bool stream,
		    uint64_t *copied);

	/* sparse.c: the first data extent in [pos, end), as next_data. */
	bool	(*next_data)(const struct segment *, uint64_t pos,
		    uint64_t end, uint64_t *data, uint64_t *hole);
	/* A hole at [off, off+len); TRY_NEXT: write zeros instead. */
	int	(*punch)(struct segment *, uint64_t off, uint64_t len);

	/* cost.c */
	bool	(*resident)(const struct segment *, uint64_t *bytes);
	void	(*filesystem)(const struct segment *, char *buf, size_t size);

	/* window.c */
	int	(*map)(struct segment *, uint64_t off, uint64_t len,
		    struct window *);
	int	(*sync)(struct segment *, uint64_t off, uint64_t len,
		    bool async);

	/* notify.c: listen to the kernel's reports (fd -1: none). */
	void	(*notify)(const struct segment *, struct segment_notify *);
};

extern const struct segment_ops fd_ops, sysv_ops;

/* The descriptor kind's operations, each in the file its section names. */
int	fd_lookup(struct segment *);
bool	fd_present(const struct segment *, struct stat *);
enum segment_naming fd_check_name(struct segment *);
int	fd_open(struct segment *, enum segment_access);
void	fd_close(struct segment *);
int	fd_refresh(struct segment *);
int	fd_size_now(const struct segment *, uint64_t *size);
const char *fd_kind(const struct segment *);
void	fd_identity(const struct segment *, char *buf, size_t size);
int	fd_distinct(const struct segment *, int fd, const char *fdname);
int	fd_create(struct segment *, mode_t mode);
int	fd_trust(struct segment *, mode_t mode, bool *exists);
int	fd_scratch(const struct segment *);
int	fd_remove(struct segment *, bool missing_ok, struct stat *gone);
int	fd_lock(struct segment *, bool exclusive, double timeout,
	    enum lock_inner);
int	fd_resize(struct segment *, uint64_t size);
void	fd_restore_size(struct segment *, uint64_t size);
int	fd_reserve(struct segment *, uint64_t off, uint64_t len);
int	fd_write(struct segment *, uint64_t off, const void *buf, size_t len);
int	fd_read(struct segment *, uint64_t off, void *buf, size_t len,
	    size_t *got);
int	fd_read_sparse(struct segment *, uint64_t off, void *buf, size_t len,
	    const unsigned char **data, size_t *got);
bool	fd_in_hole(const struct segment *, uint64_t off, uint64_t *data);
uint64_t fd_data_end(const struct segment *, uint64_t off);
int	fd_copy_out(struct segment *, uint64_t off, uint64_t len, int fd,
	    const char *fdname, uint64_t *copied);
int	fd_copy_in_kernel(struct segment *, uint64_t off, int fd,
	    const char *fdname, uint64_t len, bool stream, uint64_t *copied);
bool	fd_next_data(const struct segment *, uint64_t pos, uint64_t end,
	    uint64_t *data, uint64_t *hole);
int	fd_punch(struct segment *, uint64_t off, uint64_t len);
bool	fd_resident(const struct segment *, uint64_t *bytes);
void	fd_filesystem(const struct segment *, char *buf, size_t size);
int	fd_map(struct segment *, uint64_t off, uint64_t len, struct window *);
int	fd_sync(struct segment *, uint64_t off, uint64_t len, bool async);
void	fd_notify(const struct segment *, struct segment_notify *);

/* sysv.c: "sysv:KEY" or "sysvid:ID"? */
bool	sysv_is_name(const char *name);
/* Fills in seg for NAME, sysv_ops included (no system call). */
int	sysv_resolve(struct segment *, const char *name);

#endif
