/*
 * map.h - the mapping layer: the only code that opens, creates, maps,
 * resizes, locks or removes a segment.  Commands think in segments and
 * byte offsets; pages, descriptors and signals stay in here.
 *
 * Every function that can fail prints its own "shm: CMD: NAME: reason"
 * line and returns SHM_FAIL, so callers just pass the status up.
 *
 * The layer is one file a concern, and this header has a section for
 * each, in this order: name.c, open.c, identity.c, create.c, remove.c,
 * objects.c, locking.c, segio.c, sparse.c, cost.c, window.c, notify.c.
 * Its
 * private helpers are in layer.h; SysV segments in sysv.h.
 */
#ifndef SHM_MAP_H
#define SHM_MAP_H

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "seg/lock.h"
#include "util/progress.h"
#include "util/watch.h"

struct segment_ops;

/*
 * A segment, open.  Callers read the first group and set progress and
 * cursor_name; the rest is the layer's own (the files of src/seg/), which
 * tests/lint.sh holds it to.
 */
struct segment {
	const char	*name;		/* as the user wrote it */
	char		 path[PATH_MAX];	/* the file, or /dev/shm/NAME */
	uint64_t	 size;		/* as of open, lock or resize */
	struct stat	 st;
	struct timespec	 born;		/* creation time, if has_born */
	bool		 has_born;
	struct progress	*progress;	/* bulk copies count here, if set */
	const char	*cursor_name;	/* --cursor NAME; NULL: SHM_CURSOR */

	/* The layer's own. */
	char		 object[NAME_MAX + 2];	/* "/NAME", "" for a file */
	int		 fd;
	bool		 writable;
	char		*temp;		/* create: the unpublished copy */
	bool		 unnamed;	/* create: an O_TMPFILE, no name yet */
	struct lock_hold lock;		/* what segment_lock took */
	/* Its kind's operations (backend.h), chosen by segment_resolve. */
	const struct segment_ops *ops;
	/* A SysV segment (sysv.c): attached memory, and no descriptor. */
	long		 sysv_key;
	int		 sysv_id;	/* -1 until known */
	unsigned char	*mem;
	/* segment_read_sparse's last answer: [start, end) is data or hole. */
	uint64_t	 extent_start, extent_end;
	bool		 extent_hole;
};

/*
 * The largest size a segment may take: 8 EiB less 1 GiB, below what an
 * off_t holds by more than any page or folio (2 MiB, 512 MiB on 64 KiB
 * pages).  Where the last folio would end past 2^63, tmpfs answers
 * SEEK_DATA wrongly, and data written there is not found.
 */
#define SEGMENT_SIZE_MAX	(((uint64_t)1 << 63) - ((uint64_t)1 << 30))

enum segment_access { SEGMENT_READ, SEGMENT_WRITE };


/* ---- name.c: what NAME names, and whether it still names the segment open */

/* Fill in name, path and object from NAME; no system call. */
int	segment_resolve(struct segment *, const char *name);
/* What NAME is (seg->st), without opening it: for who, as root or not. */
int	segment_lookup(struct segment *, const char *name);
/*
 * Whether the segment's name is there now, as a segment (a regular
 * file; for an object, not a symlink; a SysV segment not marked for
 * removal): *st, whose device and inode tell one from another, and no
 * message.  No lock is taken: it never waits.
 */
bool	segment_present(const struct segment *, struct stat *st);
/* What the name of the segment open in seg names now. */
enum segment_naming {
	SEGMENT_NAMED,		/* still this segment */
	SEGMENT_REPLACED,	/* another: create --force, mv, a key reused */
	SEGMENT_REMOVED,	/* none (a SysV one is marked for removal) */
};
/*
 * For a waiter, which must not watch a file no name reaches: no
 * message.  While the name still names it, the same look refreshes
 * seg's size and st, as segment_refresh would.
 */
enum segment_naming segment_check_name(struct segment *);

/*
 * An offset the user typed (negative: from the end), checked against
 * the segment: else "WHAT TEXT: reason (size N)".  NULL text: *off
 * stays as it is.
 */
int	segment_offset(const struct segment *, const char *what,
	    const char *text, uint64_t *off);
/* How much of len bytes from off lies inside the segment (off in it). */
uint64_t segment_clamp(const struct segment *, uint64_t off, uint64_t len);

/* ---- open.c: opening and closing */

int	segment_open(struct segment *, const char *name,
	    enum segment_access);
void	segment_close(struct segment *);

/* ---- identity.c: what the segment is, beyond its name */

/* "object", "file", or "memfd" for one reached through /proc/PID/fd. */
const char *segment_kind(const struct segment *);
/* A memfd's seals, "shrink,grow,write"; "" for none or no memfd. */
void	segment_seals(const struct segment *, char *buf, size_t size);
/*
 * What tells this file from a later one on the same inode, as text
 * for a record (a cursor's): its birth time, else the inode's
 * generation, else ("c...") its ctime, which changes with every write.
 */
void	segment_identity(const struct segment *, char *buf, size_t size);
/* Whether an identity is only the ctime: then trusted while unchanged. */
bool	segment_identity_weak(const char *ident);
/* An error if fd (fdname, for the message) is the segment's own file. */
int	segment_distinct(const struct segment *, int fd, const char *fdname);

/* ---- create.c: making a segment, and giving it its name */

/*
 * Creation is in two steps so that no reader ever sees a half-filled
 * segment: segment_create() makes a file with no name (or a hidden
 * one) in the directory NAME goes in, the caller fills it, and
 * segment_publish() gives it its name.
 */
int	segment_create(struct segment *, const char *name, mode_t mode);
enum segment_publish {
	PUBLISH_NEW,		/* NAME taken: an error */
	PUBLISH_REPLACE,	/* replace NAME's segment in one rename */
	PUBLISH_KEEP,		/* NAME taken: keep it, if segment_trust does */
};
int	segment_publish(struct segment *, enum segment_publish);
/*
 * Whether NAME is a segment create --exist-ok may keep: a regular file
 * of the caller's, with no permission beyond mode.  *exists is false
 * if there is none; one there that fails the test is an error.
 */
int	segment_trust(const char *name, mode_t mode, bool *exists);
/*
 * A file with no name for scratch space, on the segment's file system
 * where it can be (else in /tmp): a descriptor, or -1 with errno.
 */
int	segment_scratch(const struct segment *);

/* ---- remove.c: taking the name away */

/*
 * Remove NAME (a symlink itself, not what it points to); a missing one
 * is an error unless missing_ok.  *gone is the file whose last name
 * went (st_ino 0 if none), so its cursor can go too.
 */
int	segment_remove(const char *name, bool missing_ok, struct stat *gone);
/*
 * For gc: open the POSIX object ("/NAME") and take its exclusive lock
 * without waiting.  SHM_OK: open, locked, seg->st fresh; LOCK_TIMEOUT,
 * no message: someone holds its lock, or it is gone or no longer a
 * regular file (nothing open then); else SHM_FAIL after a message.
 */
int	segment_claim(struct segment *, const char *object);
/*
 * Then remove its name if the name still names the file claimed:
 * *removed false, no message, if it is gone or names another file.
 */
int	segment_remove_claimed(struct segment *, bool *removed);

/* ---- objects.c: the POSIX objects there are */

/* The POSIX objects there are, sorted by name (segment_list). */
struct segment_entry {
	char		*name;
	struct stat	 st;
};
struct segment_listing {
	struct segment_entry	*v;
	size_t			 n, cap;
};
/*
 * Lists the objects: regular files only; with all, hidden names too
 * (a create's unfinished temporaries, POSIX semaphores, dot files).
 */
int	segment_list(struct segment_listing *, bool all);
void	segment_list_free(struct segment_listing *);
/*
 * Whether a hidden name is a temporary of shm's own, which a command
 * killed while it made a segment may have left behind.
 */
bool	segment_is_temporary(const char *name);
/* The objects' file system, in bytes. */
struct segment_space {
	uint64_t	 size, used, avail;
};
int	segment_space(struct segment_space *);
/* The objects' file system's device, for telling its files from others. */
int	segment_objects_device(dev_t *);

/* ---- locking.c: the lock, and the size it guards */

/* Let the lock go, between two steps that each take it. */
int	segment_unlock(struct segment *);
/* Re-read the size, which another process may have changed. */
int	segment_refresh(struct segment *);
/*
 * Lock the segment (lock.h: inside a lock this process inherited, the
 * next level of it) and re-read its size, which may have changed.
 */
int	segment_lock(struct segment *, bool exclusive);
/*
 * For inspecting: the shared lock if it is free now, else none, so a
 * holder never makes a look wait; then re-read the size.
 */
int	segment_lock_if_free(struct segment *);
/*
 * For 'shm lock': takes the lock within timeout seconds (negative: as
 * long as it takes), or the next level of one it is inside, and hands
 * it down to the commands about to be run (lock.h).  LOCK_TIMEOUT,
 * with no message, if the time ran out.
 */
int	segment_hold_lock(struct segment *, bool exclusive, double timeout);
/*
 * The one message for a lock not had within timeout seconds, with who
 * holds it where that can be known; from_env: the time was
 * SHM_LOCK_TIMEOUT's.  Returns SHM_FAIL.
 */
int	segment_lock_timed_out(const struct segment *, double timeout,
	    bool from_env);
/* "pid 123 (cmd)": who holds the lock last waited for in vain, or "". */
void	segment_lock_holders(const struct segment *, char *buf, size_t size);
/*
 * NULL, or why its size never changes, whatever is asked ("a SysV
 * segment keeps the size it was made with"): no --grow, no resize.
 */
const char *segment_fixed_size(const struct segment *);
/*
 * An error, "...; it cannot WHAT" ("grow", "be resized"), for a segment
 * of fixed size; else SHM_OK.
 */
int	segment_resizable(const struct segment *, const char *what);
/* Set the size; new bytes read as zero. */
int	segment_resize(struct segment *, uint64_t size);
/*
 * After a failed write: cut the segment back to size if the write made
 * it larger.  (The write held the exclusive lock, so nothing of anyone
 * else's lies beyond size.)
 */
void	segment_restore_size(struct segment *, uint64_t size);
/* Allocate [off, off+len) now, so a write cannot run out of space. */
int	segment_reserve(struct segment *, uint64_t off, uint64_t len);

/* ---- segio.c: copies through the descriptor (or attached memory) */

/* Zero bytes to copy from, *len of them; never written. */
const unsigned char *segment_zeros(size_t *len);

/* Descriptor I/O: faster than a fresh mapping for one pass of bulk data. */
int	segment_write(struct segment *, uint64_t off, const void *buf,
	    size_t len);
int	segment_read(struct segment *, uint64_t off, void *buf, size_t len,
	    size_t *got);
/* The same, but fewer than len bytes means the segment shrank: an error. */
int	segment_read_all(struct segment *, uint64_t off, void *buf,
	    size_t len);
/* Reports that the segment is now smaller than when it was locked. */
int	segment_shrank(struct segment *);
/*
 * Like segment_read_all, but where the segment has a hole (a sparse
 * range never written) *data points at shared zeros and nothing is
 * read: a dump of a fresh 1 GiB object touches no memory.  *got may be
 * less than len at the edge of a hole; it is 0 only when len is.
 */
int	segment_read_sparse(struct segment *, uint64_t off, void *buf,
	    size_t len, const unsigned char **data, size_t *got);
/*
 * Whether off lies in a hole (a range never written, reading as zeros);
 * if so, *data is where data starts again (or the end).  No message:
 * false where the file system cannot tell.
 */
bool	segment_in_hole(const struct segment *, uint64_t off, uint64_t *data);
/* Where the data that off lies in ends: the next hole, or the end. */
uint64_t segment_data_end(const struct segment *, uint64_t off);
/* Copy len bytes of the segment at off to fd; fewer if it shrank. */
int	segment_copy_out(struct segment *, uint64_t off, uint64_t len,
	    int fd, const char *fdname, uint64_t *copied);
int	segment_copy_out_sparse(struct segment *, uint64_t off, uint64_t len,
	    int fd, const char *fdname, uint64_t *copied);
/* Copy len bytes from fd (a regular file at its offset) into the segment. */
int	segment_copy_in(struct segment *, uint64_t off, int fd,
	    const char *fdname, uint64_t len);
/*
 * Copy a stream (a pipe) into the segment, its byte 0 at off: on from
 * *copied, until *copied is len or the stream ends.  An interrupt stops
 * it quietly, short of len: interrupt_caught() tells the two apart.
 */
int	segment_copy_stream(struct segment *, uint64_t off, int fd,
	    const char *fdname, uint64_t len, uint64_t *copied);

/* ---- sparse.c: copies that keep holes */

/*
 * The same two copies, keeping holes (sparse.c): only the source's data
 * is copied, and its holes are holes in the copy, read as zeros.  In,
 * the data's space is claimed first; out, holes are left only in a
 * regular file being written past its end.
 */
int	segment_copy_in_sparse(struct segment *, uint64_t off, int fd,
	    const char *fdname, uint64_t len);
/* Make [off, off+len) a hole (zeros where there are no holes). */
int	segment_punch(struct segment *, uint64_t off, uint64_t len);

/* ---- cost.c: what a segment costs */

/*
 * Bytes of the segment in memory now (cost.c); no page is touched.
 * False, and no message, where that cannot be known: a file the caller
 * neither owns nor may write, a mapping refused.
 */
bool	segment_resident(const struct segment *, uint64_t *bytes);
/* The type of file system it lives on ("tmpfs", "ext4"), or "". */
void	segment_filesystem(const struct segment *, char *buf, size_t size);

/* ---- window.c: mapped windows, and the SIGBUS guard */

/* A mapped window of a segment. */
struct window {
	unsigned char	*data;		/* the first byte asked for */
	size_t		 len;
	void		*base;		/* page-aligned, for munmap */
	size_t		 map_len;
};

/* Map [off, off+len); writable if the segment was opened to write. */
int	segment_map(struct segment *, uint64_t off, uint64_t len,
	    struct window *);
void	window_unmap(struct window *);
/*
 * msync [off, off+len): for a file, the data is on disk after.  With
 * async, only start the writing back, and return at once.
 */
int	segment_sync(struct segment *, uint64_t off, uint64_t len,
	    bool async);

/*
 * Runs fn(arg), turning a SIGBUS from touching mapped memory (the file
 * was truncated under us, or tmpfs is full) into an error line and
 * SHM_FAIL.  Every access to a window must happen inside fn.
 */
int	segment_guard(struct segment *, int (*fn)(void *), void *arg);
/* The same, but a fault is GUARD_FAULT, with no message. */
enum { GUARD_FAULT = -7 };
int	segment_guard_quiet(struct segment *, int (*fn)(void *), void *arg);

/* ---- notify.c: what the kernel reports of a segment */

/*
 * For a segment with a file (a POSIX object, a file), the kernel
 * reports every write(2) to it (shm's own, pwrite, >>), its truncation,
 * and its name removed or given to another file, through inotify: on
 * tmpfs and most file systems, not on network ones.  A store through a
 * mapping is reported to nobody, and nothing of a SysV segment is.
 */
enum segment_report {
	REPORT_NONE	= 0,	/* nothing came: the look was due */
	REPORT_WRITTEN	= 1,	/* written to, or its size changed */
	REPORT_NAME	= 2,	/* its name may name another or none */
};
struct segment_notify {
	int		 fd;		/* -1: nothing is reported */
	unsigned	 pending;	/* reports for the next sleep */
	char		 base[NAME_MAX + 1];	/* the name's last part */
};
/* Listens to the kernel's reports, where there are any; no message. */
void	segment_notify_start(const struct segment *, struct segment_notify *);
/* Whether reports come: if not, only looking again sees a change. */
bool	segment_notified(const struct segment_notify *);
/*
 * Sleeps until the next look (watch.h): when it is due, or at a report,
 * as soon as the pace allows.  *what is the reports that came, as
 * enum segment_report bits.  False once the time is up.
 */
bool	segment_notify_sleep(struct segment_notify *, struct watch *,
	    unsigned *what);
void	segment_notify_stop(struct segment_notify *);

#endif
