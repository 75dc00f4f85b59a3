/*
 * sysv.c - SysV shared-memory segments: the kind of segment that is
 * attached memory (backend.h's sysv_ops).
 *
 * "sysv:KEY" (decimal, or 0x hex as ipcs prints keys) and "sysvid:ID"
 * name one; it is attached with shmat(2), read-only for the commands
 * that only read.  A SysV segment has no descriptor: no flock, no
 * pread, no holes; it is copied through the attached memory instead,
 * and its size never changes.  Its cursor is kept as a file's is,
 * under the device /proc/PID/maps shows for it and the segment's id.
 */
#define _GNU_SOURCE
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt/facts.h"
#include "fmt/json.h"
#include "fmt/number.h"
#include "seg/backend.h"
#include "seg/layer.h"
#include "seg/sysv.h"
#include "util/shm.h"

bool
sysv_is_name(const char *name)
{
	return strncmp(name, "sysv:", 5) == 0 ||
	    strncmp(name, "sysvid:", 7) == 0;
}

int
sysv_resolve(struct segment *seg, const char *name)
{
	bool by_id = strncmp(name, "sysvid:", 7) == 0, neg;
	const char *text = name + (by_id ? 7 : 5), *err;
	uint64_t v;

	/* Keys as ipcs prints them (0x hex) or /proc does (signed). */
	if ((err = number_integer(text, &neg, &v)) != NULL ||
	    (neg && (by_id || v > (uint64_t)INT32_MAX + 1)) ||
	    v > (by_id ? (uint64_t)INT32_MAX : (uint64_t)UINT32_MAX))
		return shm_error(name, "not a SysV %s: %s", by_id ? "id" :
		    "key", err != NULL ? err : "out of range");
	if (neg)
		v = (uint64_t)(uint32_t)-(int64_t)v;
	if (!by_id && v == 0)
		return shm_error(name, "key 0 is IPC_PRIVATE, which names no "
		    "one segment; name it by sysvid:ID");
	seg->ops = &sysv_ops;
	seg->sysv_key = by_id ? 0 : (long)(int32_t)(uint32_t)v;
	seg->sysv_id = by_id ? (int)v : -1;
	snprintf(seg->path, sizeof(seg->path), "%s", name);
	return SHM_OK;
}

static int
report(const struct segment *seg)
{
	if (errno == ENOENT || errno == EINVAL || errno == EIDRM)
		return shm_error(seg->name, "no such SysV segment");
	return shm_perror(seg->name);
}

/* st as a file's would be: mode, owner, size, times; inode id. */
static void
describe(const struct shmid_ds *ds, int id, dev_t dev, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev;
	st->st_mode = S_IFREG | (ds->shm_perm.mode & 0777);
	st->st_uid = ds->shm_perm.uid;
	st->st_gid = ds->shm_perm.gid;
	st->st_size = (off_t)ds->shm_segsz;
	st->st_ino = (ino_t)id;
	st->st_nlink = (nlink_t)ds->shm_nattch;
	st->st_mtime = ds->shm_dtime > ds->shm_atime ? ds->shm_dtime :
	    ds->shm_atime;
	st->st_ctime = ds->shm_ctime;
}

/*
 * The bytes of memory the kernel has given segment id (rss in
 * /proc/sysvipc/shm): what a file's st_blocks would say.
 */
static blkcnt_t
allocated_blocks(int id)
{
	long long sid, rss;
	char *line = NULL;
	size_t cap = 0;
	blkcnt_t blocks = 0;
	FILE *fp;

	if ((fp = fopen("/proc/sysvipc/shm", "re")) == NULL)
		return 0;
	while (getline(&line, &cap, fp) != -1)
		if (sscanf(line, "%*d %lld %*o %*u %*d %*d %*u %*u %*u %*u "
		    "%*u %*d %*d %*d %lld", &sid, &rss) == 2 && sid == id) {
			blocks = (blkcnt_t)(rss / 512);
			break;
		}
	free(line);
	fclose(fp);
	return blocks;
}

static int
fill_stat(struct segment *seg)
{
	struct shmid_ds ds;
	blkcnt_t blocks;

	if (shmctl(seg->sysv_id, IPC_STAT, &ds) != 0)
		return report(seg);
	/*
	 * The device is known once attached (attached_dev), else 0; its
	 * blocks as of open, which /proc is read for only once.
	 */
	blocks = seg->st.st_blocks;
	describe(&ds, seg->sysv_id, seg->st.st_dev, &seg->st);
	seg->st.st_blocks = blocks;
	seg->size = (uint64_t)ds.shm_segsz;
	return SHM_OK;
}

/*
 * The device of the kernel's file behind an attached segment, as
 * /proc/PID/maps shows it (its inode is the id), so that who matches
 * other processes' maps of it, and cursors have a stable key.
 */
static dev_t
attached_dev(const void *addr)
{
	unsigned long long start;
	unsigned maj, min;
	char *line = NULL;
	size_t cap = 0;
	dev_t dev = 0;
	FILE *fp;

	if ((fp = fopen("/proc/self/maps", "re")) == NULL)
		return 0;
	/* getline: a mapped path may be any length. */
	while (getline(&line, &cap, fp) != -1)
		if (sscanf(line, "%llx-%*x %*s %*x %x:%x", &start, &maj,
		    &min) == 3 && start == (unsigned long long)(uintptr_t)
		    addr) {
			dev = makedev(maj, min);
			break;
		}
	free(line);
	fclose(fp);
	return dev;
}

static bool	live(int id, struct stat *st);

/*
 * One marked for removal is no longer there to open, as a file removed
 * is not, though Linux would attach it while others have it attached.
 */
static int
sysv_open(struct segment *seg, enum segment_access acc)
{
	struct stat st;
	void *p;
	int rc;

	if (seg->sysv_id < 0 &&
	    (seg->sysv_id = shmget((key_t)seg->sysv_key, 0, 0)) < 0)
		return report(seg);
	if ((rc = fill_stat(seg)) != SHM_OK)
		return rc;
	if (!live(seg->sysv_id, &st)) {
		errno = EIDRM;
		return report(seg);
	}
	p = shmat(seg->sysv_id, NULL, acc == SEGMENT_WRITE ? 0 : SHM_RDONLY);
	if (p == (void *)-1)
		return report(seg);
	seg->mem = p;
	seg->writable = acc == SEGMENT_WRITE;
	seg->st.st_blocks = allocated_blocks(seg->sysv_id);
	seg->st.st_dev = attached_dev(p);
	return SHM_OK;
}

static int
sysv_lookup(struct segment *seg)
{
	return sysv_open(seg, SEGMENT_READ);
}

static void
sysv_close(struct segment *seg)
{
	if (seg->mem != NULL)
		shmdt(seg->mem);
	seg->mem = NULL;
}

static int
sysv_refresh(struct segment *seg)
{
	return fill_stat(seg);
}

static int
sysv_size_now(const struct segment *seg, uint64_t *size)
{
	struct shmid_ds ds;

	if (shmctl(seg->sysv_id, IPC_STAT, &ds) != 0)
		return report(seg);
	*size = (uint64_t)ds.shm_segsz;
	return SHM_OK;
}

/*
 * The id NAME gives now, or -1: a key finds whichever segment has it
 * (IPC_RMID takes the key away from the one it marks).
 */
static int
named_id(const struct segment *seg)
{
	if (seg->sysv_key == 0)
		return seg->sysv_id;
	return shmget((key_t)seg->sysv_key, 0, 0);
}

/*
 * Whether id is a segment that has not been removed: IPC_RMID only
 * marks one (SHM_DEST) while it is attached, a waiter's included.  One
 * we may not look at (EACCES) is there, and can be told no more of.
 */
static bool
live(int id, struct stat *st)
{
	struct shmid_ds ds;

	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG;
	st->st_ino = (ino_t)id;
	if (id < 0)
		return false;
	if (shmctl(id, IPC_STAT, &ds) != 0)
		return errno == EACCES;
	describe(&ds, id, 0, st);
#ifdef SHM_DEST
	if (ds.shm_perm.mode & SHM_DEST)
		return false;
#endif
	return true;
}

static bool
sysv_present(const struct segment *seg, struct stat *st)
{
	return live(named_id(seg), st);
}

static enum segment_naming
sysv_check_name(struct segment *seg)
{
	struct stat st;
	int id = named_id(seg);

	if (!live(id, &st))
		return SEGMENT_REMOVED;
	if (id != seg->sysv_id)
		return SEGMENT_REPLACED;
	/* Its size never changes: st is left with its device, as attached. */
	return SEGMENT_NAMED;
}

/*
 * Marks it for removal (IPC_RMID): gone once the last detaches.  Its
 * cursors go with its name: *gone is what they are kept under, where
 * it can be attached to learn that (its device, as /proc/PID/maps has
 * it).
 */
static int
sysv_remove(struct segment *seg, bool missing_ok, struct stat *gone)
{
	struct shmid_ds ds;
	struct stat st;
	void *p;

	if (seg->sysv_id < 0)
		seg->sysv_id = shmget((key_t)seg->sysv_key, 0, 0);
	/* Marked already (and still attached): removed, as an unlinked file. */
	if (seg->sysv_id >= 0 && !live(seg->sysv_id, &st)) {
		seg->sysv_id = -1;
		errno = EIDRM;
	}
	if (seg->sysv_id >= 0 && shmctl(seg->sysv_id, IPC_STAT, &ds) == 0 &&
	    (p = shmat(seg->sysv_id, NULL, SHM_RDONLY)) != (void *)-1) {
		describe(&ds, seg->sysv_id, attached_dev(p), gone);
		shmdt(p);
	}
	if (seg->sysv_id >= 0 && shmctl(seg->sysv_id, IPC_RMID, NULL) == 0)
		return SHM_OK;
	memset(gone, 0, sizeof(*gone));
	if (missing_ok && (errno == ENOENT || errno == EINVAL ||
	    errno == EIDRM))
		return SHM_OK;
	return report(seg);
}

static const char *
sysv_kind(const struct segment *seg)
{
	(void)seg;
	return "sysv";
}

/*
 * Its ctime (creation's, or the last IPC_SET's), as a file's weakest
 * identity is: an id comes back only once the kernel has gone round
 * all of them, and a record is trusted only while this is unchanged.
 */
static void
sysv_identity(const struct segment *seg, char *buf, size_t size)
{
	snprintf(buf, size, "c%lld.%09ld", (long long)seg->st.st_ctim.tv_sec,
	    (long)seg->st.st_ctim.tv_nsec);
}

/* No descriptor can be open on attached memory. */
static int
sysv_distinct(const struct segment *seg, int fd, const char *fdname)
{
	(void)seg, (void)fd, (void)fdname;
	return SHM_OK;
}

static int
sysv_create(struct segment *seg, mode_t mode)
{
	(void)mode;
	return shm_error(seg->name, "SysV segments are made with ipcmk -M "
	    "SIZE or shmget(2); create makes POSIX objects and files");
}

/* None is made here, so none is kept: create says why. */
static int
sysv_trust(struct segment *seg, mode_t mode, bool *exists)
{
	(void)exists;
	return sysv_create(seg, mode);
}

/* Memory, as the segment is: in the objects' directory, else /tmp. */
static int
sysv_scratch(const struct segment *seg)
{
	int fd = segment_scratch_beside(SEGMENT_DIR "/x");

	(void)seg;
	return fd >= 0 ? fd : segment_scratch_beside("/tmp/x");
}

/* No descriptor, no flock: see shm(1) on SysV segments. */
static int
sysv_lock(struct segment *seg, bool exclusive, double timeout,
    enum lock_inner how)
{
	(void)exclusive, (void)timeout;
	if (how == LOCK_INNER_TAKE)
		return SHM_OK;
	return shm_error(seg->name, "a SysV segment has no descriptor to "
	    "flock, so no lock");
}

/* To the size it has: nothing to do, as for a file. */
static int
sysv_resize(struct segment *seg, uint64_t size)
{
	return size == seg->size ? SHM_OK : segment_resizable(seg,
	    "be resized");
}

/* It never grew: nothing to put back. */
static void
sysv_restore_size(struct segment *seg, uint64_t size)
{
	(void)seg, (void)size;
}

/* Attached memory is all there: only the range is checked. */
static int
sysv_reserve(struct segment *seg, uint64_t off, uint64_t len)
{
	if (off > seg->size || len > seg->size - off)
		return segment_resizable(seg, "grow");
	return SHM_OK;
}

static int
sysv_write(struct segment *seg, uint64_t off, const void *buf, size_t len)
{
	if (off > seg->size || len > seg->size - off)
		return segment_resizable(seg, "grow");
	memcpy(seg->mem + off, buf, len);
	if (seg->progress != NULL)
		progress_add(seg->progress, len);
	return SHM_OK;
}

static int
sysv_read(struct segment *seg, uint64_t off, void *buf, size_t len,
    size_t *got)
{
	*got = (size_t)segment_clamp(seg, off, len);
	memcpy(buf, seg->mem + off, *got);
	return SHM_OK;
}

/* All of it is there to be read in place: no copy, and no holes. */
static int
sysv_read_sparse(struct segment *seg, uint64_t off, void *buf, size_t len,
    const unsigned char **data, size_t *got)
{
	(void)buf;
	*data = seg->mem + off;
	*got = len;
	return SHM_OK;
}

static bool
sysv_in_hole(const struct segment *seg, uint64_t off, uint64_t *data)
{
	(void)seg, (void)off, (void)data;
	return false;
}

static uint64_t
sysv_data_end(const struct segment *seg, uint64_t off)
{
	(void)off;
	return seg->size;
}

static int
sysv_copy_out(struct segment *seg, uint64_t off, uint64_t len, int fd,
    const char *fdname, uint64_t *copied)
{
	size_t n;

	for (*copied = 0; *copied < len; *copied += n) {
		n = len - *copied < (1U << 20) ? (size_t)(len - *copied) :
		    (1U << 20);
		if (shm_write_all(fd, seg->mem + off + *copied, n) != 0)
			return shm_perror(fdname);
		if (seg->progress != NULL)
			progress_add(seg->progress, n);
	}
	return SHM_OK;
}

/* No descriptor for the kernel to copy into: read and write it is. */
static int
sysv_copy_in_kernel(struct segment *seg, uint64_t off, int fd,
    const char *fdname, uint64_t len, bool stream, uint64_t *copied)
{
	(void)seg, (void)off, (void)fd, (void)fdname, (void)len, (void)stream;
	(void)copied;
	return TRY_NEXT;
}

static bool
sysv_next_data(const struct segment *seg, uint64_t pos, uint64_t end,
    uint64_t *data, uint64_t *hole)
{
	(void)seg;
	*data = pos;
	*hole = end;
	return pos < end;
}

/* No holes to be had: zeros, as a hole reads. */
static int
sysv_punch(struct segment *seg, uint64_t off, uint64_t len)
{
	memset(seg->mem + off, 0, (size_t)len);
	return SHM_OK;
}

/* Attached already: mincore over that memory, which touches no page. */
static bool
sysv_resident(const struct segment *seg, uint64_t *bytes)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), i, n;
	unsigned char *vec;

	*bytes = 0;
	n = (seg->size + page - 1) / page;
	if ((vec = malloc(n + 1)) == NULL)
		return false;
	if (mincore(seg->mem, (size_t)seg->size, vec) != 0) {
		free(vec);
		return false;
	}
	for (i = 0; i < n; i++)
		*bytes += (vec[i] & 1) ? page : 0;
	free(vec);
	if (*bytes > seg->size)
		*bytes = seg->size;
	return true;
}

static void
sysv_filesystem(const struct segment *seg, char *buf, size_t size)
{
	(void)seg;
	snprintf(buf, size, "sysvipc");
}

/* Attached already: the window is the memory itself, no munmap. */
static int
sysv_map(struct segment *seg, uint64_t off, uint64_t len, struct window *w)
{
	w->data = seg->mem + off;
	w->len = (size_t)len;
	return SHM_OK;
}

/* Memory with no file behind it: nothing to write back. */
static int
sysv_sync(struct segment *seg, uint64_t off, uint64_t len, bool async)
{
	(void)seg, (void)off, (void)len, (void)async;
	return SHM_OK;
}

/* No file: the kernel reports nothing of it. */
static void
sysv_notify(const struct segment *seg, struct segment_notify *n)
{
	(void)seg;
	n->fd = -1;
}

const struct segment_ops sysv_ops = {
	.fixed_size = "a SysV segment keeps the size it was made with",
	.lookup = sysv_lookup,
	.present = sysv_present,
	.check_name = sysv_check_name,
	.open = sysv_open,
	.close = sysv_close,
	.refresh = sysv_refresh,
	.size_now = sysv_size_now,
	.kind = sysv_kind,
	.identity = sysv_identity,
	.distinct = sysv_distinct,
	.create = sysv_create,
	.trust = sysv_trust,
	.scratch = sysv_scratch,
	.remove = sysv_remove,
	.lock = sysv_lock,
	.resize = sysv_resize,
	.restore_size = sysv_restore_size,
	.reserve = sysv_reserve,
	.write = sysv_write,
	.read = sysv_read,
	.read_sparse = sysv_read_sparse,
	.in_hole = sysv_in_hole,
	.data_end = sysv_data_end,
	.copy_out = sysv_copy_out,
	.copy_in_kernel = sysv_copy_in_kernel,
	.next_data = sysv_next_data,
	.punch = sysv_punch,
	.resident = sysv_resident,
	.filesystem = sysv_filesystem,
	.map = sysv_map,
	.sync = sysv_sync,
	.notify = sysv_notify,
};

/* One line of /proc/sysvipc/shm, as list --sysv prints it. */
static void
print_line(const char *line, bool json, bool first)
{
	long long key, id, size, nattch;
	unsigned perms, uid;
	char owner[64];

	if (sscanf(line, "%lld %lld %o %lld %*d %*d %lld %u", &key, &id,
	    &perms, &size, &nattch, &uid) != 6)
		return;
	facts_user(owner, sizeof(owner), (uid_t)uid);
	if (!json) {
		printf("0x%08x\t%lld\t%lld\t%s\t%04o\t%lld\n",
		    (unsigned)(int)key, id, size, owner, perms & 07777, nattch);
		return;
	}
	printf("%s\n  {\"key\": \"0x%08x\", \"id\": %lld, \"size\": %lld, "
	    "\"owner\": ", first ? "[" : ",", (unsigned)(int)key, id, size);
	json_string(stdout, owner);
	printf(", \"mode\": \"%04o\", \"attached\": %lld}", perms & 07777,
	    nattch);
}

int
sysv_list(bool json, bool header)
{
	char *line = NULL;
	size_t cap = 0;
	bool first = true;
	FILE *fp;

	if ((fp = fopen("/proc/sysvipc/shm", "re")) == NULL)
		return shm_perror("/proc/sysvipc/shm");
	if (header && !json)
		puts("KEY\tID\tSIZE\tOWNER\tMODE\tATTACHED");
	/* The first line names the columns. */
	if (getline(&line, &cap, fp) != -1)
		while (getline(&line, &cap, fp) != -1) {
			print_line(line, json, first);
			first = false;
		}
	free(line);
	fclose(fp);
	if (json)
		puts(first ? "[]" : "\n]");
	return SHM_OK;
}

/*
 * An orphan, for gc: nothing attached, its creator gone (no process of
 * that id here: kill(2) says ESRCH), untouched since before, and the
 * caller's (cuid or uid) unless all.
 */
static bool
orphan(const struct shmid_ds *ds, time_t before, bool all)
{
	time_t last = ds->shm_ctime;
	uid_t me = getuid();

	if (ds->shm_atime > last)
		last = ds->shm_atime;
	if (ds->shm_dtime > last)
		last = ds->shm_dtime;
	if (ds->shm_nattch != 0 || last > before ||
	    (!all && ds->shm_perm.uid != me && ds->shm_perm.cuid != me))
		return false;
	return kill(ds->shm_cpid, 0) != 0 && errno == ESRCH;
}

int
sysv_orphans(time_t before, bool all, int (*fn)(void *,
    const struct sysv_orphan *), void *ctx)
{
	struct sysv_orphan o;
	struct shmid_ds ds;
	char *line = NULL;
	size_t cap = 0;
	long long key, id;
	int rc = SHM_OK;
	FILE *fp;

	if ((fp = fopen("/proc/sysvipc/shm", "re")) == NULL)
		return shm_perror("/proc/sysvipc/shm");
	/* The first line names the columns. */
	if (getline(&line, &cap, fp) != -1)
		while (rc == SHM_OK && getline(&line, &cap, fp) != -1) {
			if (sscanf(line, "%lld %lld", &key, &id) != 2 ||
			    shmctl((int)id, IPC_STAT, &ds) != 0 ||
			    !orphan(&ds, before, all))
				continue;
			o.id = (int)id;
			o.key = (long)(int)key;
			o.size = (uint64_t)ds.shm_segsz;
			o.allocated = (uint64_t)allocated_blocks((int)id) * 512;
			rc = fn(ctx, &o);
		}
	free(line);
	fclose(fp);
	return rc;
}

/*
 * The same tests again just before IPC_RMID: an id is never reused
 * while its segment lives, so a new segment under the key is left.
 */
int
sysv_remove_orphan(int id, time_t before, bool all, bool *removed)
{
	struct shmid_ds ds;
	char name[32];

	*removed = false;
	if (shmctl(id, IPC_STAT, &ds) != 0 || !orphan(&ds, before, all))
		return SHM_OK;
	if (shmctl(id, IPC_RMID, NULL) != 0) {
		if (errno == EINVAL || errno == EIDRM)
			return SHM_OK;
		snprintf(name, sizeof(name), "sysvid:%d", id);
		return shm_errno(name, "cannot remove");
	}
	*removed = true;
	return SHM_OK;
}
