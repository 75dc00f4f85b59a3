/*
 * cursor.c - the per-user store of segment positions.
 *
 * One small file per segment, named after its device and inode so that
 * every path to the same segment shares one cursor, and holding the
 * position and whose position it is: a segment removed and made again
 * may get the same inode back, but not the same identity
 * (segment_identity), and then starts at 0 as a fresh Python mmap would.
 *
 * The directory is $SHM_STATE_DIR, else $XDG_RUNTIME_DIR/shm, else
 * ${TMPDIR:-/tmp}/shm-UID.  A cursor decides where a write lands, so a
 * directory that someone else could plant files in is refused, not used.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cursor.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

/* What opening the state directory may answer (util/shm.h's sentinels). */
enum {
	STATE_MISSING	= -4,	/* none yet, and none was to be made */
	STATE_REFUSED	= -5,	/* unsafe, and quiet was asked */
};

/*
 * Drops trailing slashes and "." components: "dir/" and "dir/." name
 * what dir points to, and O_NOFOLLOW would then let a planted symlink
 * through.  "/" stays.
 */
static void
trim_state_dir(char *path)
{
	size_t n = strlen(path);

	for (;;) {
		while (n > 1 && path[n - 1] == '/')
			n--;
		if (n > 2 && path[n - 1] == '.' && path[n - 2] == '/')
			n -= 2;
		else
			break;
	}
	path[n] = '\0';
}

static void
state_dir_path(char *buf, size_t size)
{
	const char *dir = getenv("SHM_STATE_DIR");
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *tmp = getenv("TMPDIR");

	if (dir != NULL && *dir != '\0')
		snprintf(buf, size, "%s", dir);
	else if (run != NULL && *run != '\0')
		snprintf(buf, size, "%s/shm", run);
	else
		snprintf(buf, size, "%s/shm-%lu",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp",
		    (unsigned long)geteuid());
	trim_state_dir(buf);
}

static int
check_state_dir(int dfd, const char *path, bool quiet)
{
	struct stat st;

	if (fstat(dfd, &st) != 0)
		return shm_perror(path);
	if (quiet && (st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))))
		return STATE_REFUSED;
	if (st.st_uid != geteuid())
		return shm_error(path, "state directory belongs to another "
		    "user; set SHM_STATE_DIR");
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return shm_error(path, "state directory is writable by "
		    "others; set SHM_STATE_DIR or chmod 700 it");
	return SHM_OK;
}

/*
 * Opens the directory into *dfd; STATE_MISSING if absent and !create.
 * quiet: a refused directory is STATE_REFUSED, with no message.
 */
static int
open_state_dir(bool create, bool quiet, int *dfd)
{
	char path[PATH_MAX];
	int rc;

	state_dir_path(path, sizeof(path));
	if (create && mkdir(path, 0700) != 0 && errno != EEXIST)
		return shm_errno(path, "cannot make the state directory");
	/* O_NOFOLLOW: a symlink planted in /tmp must not be followed. */
	*dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*dfd < 0 && errno == ENOENT && !create)
		return STATE_MISSING;
	if (*dfd < 0 && (errno == ELOOP || errno == ENOTDIR) && quiet)
		return STATE_REFUSED;
	if (*dfd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return shm_error(path, "state directory is a symlink or not "
		    "a directory; refusing it");
	if (*dfd < 0)
		return shm_errno(path, "cannot open the state directory");
	if ((rc = check_state_dir(*dfd, path, quiet)) != SHM_OK)
		close(*dfd);
	return rc;
}

static void
key_of(const struct stat *st, char *buf, size_t size)
{
	snprintf(buf, size, "%llx-%llx", (unsigned long long)st->st_dev,
	    (unsigned long long)st->st_ino);
}

/*
 * The record of the cursor a command uses: "DEV-INO" for the default
 * one, "DEV-INO.NAME" for --cursor NAME (or $SHM_CURSOR).
 */
static int
record_name(const struct segment *seg, char *buf, size_t size)
{
	const char *name = seg->cursor_name;
	size_t len;

	if (name == NULL && (name = getenv("SHM_CURSOR")) != NULL &&
	    *name == '\0')
		name = NULL;
	key_of(&seg->st, buf, size);
	if (name == NULL)
		return SHM_OK;
	len = strlen(buf);
	if (cursor_check_name(name) != NULL)
		return shm_error(NULL, "cursor '%s': %s", name,
		    cursor_check_name(name));
	snprintf(buf + len, size - len, ".%s", name);
	return SHM_OK;
}

int
cursor_option(const char *arg, const char **out)
{
	const char *err = cursor_check_name(arg);

	if (err != NULL)
		return opt_bad_value("--cursor", arg, err);
	*out = arg;
	return SHM_OK;
}

const char *
cursor_check_name(const char *name)
{
	size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	if (name[0] == '\0' || name[len] != '\0' || name[0] == '.')
		return "a cursor name is letters, digits, '_', '.' and '-', "
		    "not first '.'";
	if (len > CURSOR_NAME_MAX)
		return "a cursor name is at most 64 bytes";
	return NULL;
}

/* What a record says of the file it is read for. */
enum record_kind {
	RECORD_OURS,		/* its position, for this file */
	RECORD_OTHER,		/* a well-formed record of another file */
	RECORD_GARBAGE,		/* nothing a cursor could have written */
};

/*
 * "POS IDENT\n": the position, and whose position it is; read --follow
 * adds " 0xCHECK", its digest of the bytes before POS.
 */
static enum record_kind
read_kind(char *text, const char *ident, struct cursor *out)
{
	char *space = strchr(text, ' '), *nl = strchr(text, '\n'), *check;

	out->pos = 0;
	out->checked = false;
	if (space == NULL || nl == NULL)
		return RECORD_GARBAGE;
	*space = *nl = '\0';
	if ((check = strchr(space + 1, ' ')) != NULL)
		*check++ = '\0';
	if (number_size(text, &out->pos) != NULL || (check != NULL &&
	    number_size(check, &out->check) != NULL)) {
		out->pos = 0;
		return RECORD_GARBAGE;
	}
	if (strcmp(space + 1, ident) != 0) {
		out->pos = 0;
		return RECORD_OTHER;
	}
	out->checked = check != NULL;
	return RECORD_OURS;
}

/* The record read_kind reads; its length. */
static size_t
format_record(char *text, size_t size, uint64_t pos, const char *ident,
    const uint64_t *check)
{
	if (check == NULL)
		return (size_t)snprintf(text, size, "%020llu %s\n",
		    (unsigned long long)pos, ident);
	return (size_t)snprintf(text, size, "%020llu %s 0x%015llx\n",
	    (unsigned long long)pos, ident, (unsigned long long)*check);
}

/* Opens the record: to read (-1 if there is none), or to save too. */
static int
open_record(const struct segment *seg, enum cursor_use use, int *fd)
{
	char key[64 + CURSOR_NAME_MAX + 2];
	int dfd, rc, flags = use == CURSOR_LOOK ? O_RDONLY :
	    O_RDWR | O_CREAT;

	*fd = -1;
	if ((rc = record_name(seg, key, sizeof(key))) != SHM_OK)
		return rc;
	rc = open_state_dir(use != CURSOR_LOOK, false, &dfd);
	if (rc != SHM_OK)
		return rc == STATE_MISSING ? SHM_OK : rc;
	*fd = openat(dfd, key, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (*fd >= 0 || (errno == ENOENT && use == CURSOR_LOOK))
		return SHM_OK;
	return shm_errno(seg->name, use == CURSOR_LOOK ?
	    "cannot read the cursor" : "cannot save the cursor");
}

static int
read_record(struct cursor *cur, char *text, size_t size, ssize_t *n)
{
	while ((*n = pread(cur->fd, text, size - 1, 0)) < 0 && errno == EINTR)
		;
	if (*n < 0)
		return shm_errno(cur->seg->name, "cannot read the cursor");
	text[*n] = '\0';
	return SHM_OK;
}

/*
 * Overwritten in place with one pwrite of a record under 64 bytes,
 * while the caller holds the segment's lock: no reader can see it half
 * written.  (A rename of a fresh file was safer against a crash in the
 * middle of those bytes, but on ext4 every rename-over starts a disk
 * write, a third of the time of a small append through the cursor.)
 * The position is padded to 20 digits so the record's length stays
 * the same: once it has been written, rewriting it needs no new space.
 * (read --follow's longer record claims its space when it starts.)
 */
static int
write_record(struct cursor *cur, uint64_t pos, const uint64_t *check,
    bool resize)
{
	char text[128];
	size_t len;
	ssize_t n;

	len = format_record(text, sizeof(text), pos, cur->ident, check);
	while ((n = pwrite(cur->fd, text, len, 0)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)len || (resize && ftruncate(cur->fd, (off_t)len)))
		return shm_errno(cur->seg->name, "cannot save the cursor");
	return SHM_OK;
}

int
cursor_open(const struct segment *seg, struct cursor *cur,
    enum cursor_use use)
{
	enum record_kind kind;
	char text[128];
	bool ours;
	ssize_t n;
	int rc;

	memset(cur, 0, sizeof(*cur));
	cur->seg = seg;
	segment_identity(seg, cur->ident, sizeof(cur->ident));
	if ((rc = open_record(seg, use, &cur->fd)) != SHM_OK ||
	    cur->fd < 0 || (rc = read_record(cur, text, sizeof(text), &n)) !=
	    SHM_OK)
		return rc;
	kind = read_kind(text, cur->ident, cur);
	cur->found = ours = kind == RECORD_OURS;
	cur->held = cur->pos;
	/* Without an identity, a changed file might be another file. */
	if (kind == RECORD_OTHER && segment_identity_weak(cur->ident) &&
	    use != CURSOR_SET)
		return shm_error(seg->name, "cursor not trusted: the file "
		    "changed since it was saved, and its file system keeps "
		    "no birth time or generation to tell whether it is the "
		    "same file; 'shm seek NAME POS' sets it");
	if (cur->pos > seg->size) {
		cur->pos = seg->size;
		cur->cut = true;
	}
	if (use == CURSOR_LOOK) {
		close(cur->fd);
		cur->fd = -1;
		return SHM_OK;
	}
	/* Claim the record's space now, with the position it already has. */
	if (ours && (size_t)n == 22 + strlen(cur->ident))
		return SHM_OK;
	cur->held = cur->pos;
	return write_record(cur, cur->pos, NULL, true);
}

int
cursor_save(struct cursor *cur, uint64_t pos)
{
	if (segment_identity_weak(cur->ident))
		segment_identity(cur->seg, cur->ident, sizeof(cur->ident));
	return write_record(cur, pos, NULL, false);
}

int
cursor_save_after(struct cursor *cur, uint64_t pos, uint64_t check)
{
	struct cursor now;
	char text[128];
	ssize_t n;
	int rc;

	if (segment_identity_weak(cur->ident))
		segment_identity(cur->seg, cur->ident, sizeof(cur->ident));
	if ((rc = read_record(cur, text, sizeof(text), &n)) != SHM_OK)
		return rc;
	/*
	 * Moved since by another command, and not behind pos: that move
	 * stands.  cur->held stays what this command saved, so a later
	 * save still goes only past the other's move.  (A record gone bad,
	 * or another file's, was moved by nobody.)
	 */
	if (read_kind(text, cur->ident, &now) == RECORD_OURS &&
	    now.pos != cur->held && now.pos >= pos)
		return SHM_OK;
	if ((rc = write_record(cur, pos, &check, false)) == SHM_OK)
		cur->held = pos;
	return rc;
}

void
cursor_close(struct cursor *cur)
{
	if (cur->fd >= 0)
		close(cur->fd);
	cur->fd = -1;
}

int
cursor_or_offset(const struct segment *seg, const char *offset,
    struct cursor *cur, uint64_t *pos)
{
	int rc;

	if (offset != NULL) {
		memset(cur, 0, sizeof(*cur));
		cur->fd = -1;
		return segment_offset(seg, "offset", offset, pos);
	}
	rc = cursor_open(seg, cur, CURSOR_MOVE);
	*pos = cur->pos;
	return rc;
}

int
cursor_lock_at(struct segment *seg, bool exclusive, const char *offset,
    struct cursor *cur, uint64_t *pos)
{
	int rc;

	if ((rc = segment_lock(seg, exclusive || offset == NULL)) != SHM_OK)
		return rc;
	return cursor_or_offset(seg, offset, cur, pos);
}

/* Whether entry is the record of a cursor of the file whose key it is. */
static bool
is_record_of(const char *entry, const char *key)
{
	size_t len = strlen(key);

	return strncmp(entry, key, len) == 0 &&
	    (entry[len] == '\0' || entry[len] == '.');
}

/*
 * Calls fn for each record of the file st describes, the default
 * cursor's and each named one's, until fn fails.  A missing or (with
 * quiet) a refused state directory has none.
 */
static int
each_record(const struct stat *st, bool quiet, int (*fn)(int dfd,
    const char *entry, size_t keylen, void *ctx), void *ctx)
{
	struct dirent *d;
	char key[64];
	DIR *dir;
	int dfd, rc;

	if ((rc = open_state_dir(false, quiet, &dfd)) != SHM_OK)
		return rc == STATE_MISSING || rc == STATE_REFUSED ? SHM_OK : rc;
	key_of(st, key, sizeof(key));
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return shm_errno(key, "cannot read the state directory");
	}
	while (rc == SHM_OK && (d = readdir(dir)) != NULL)
		if (is_record_of(d->d_name, key))
			rc = fn(dirfd(dir), d->d_name, strlen(key), ctx);
	closedir(dir);
	return rc;
}

static int
forget_one(int dfd, const char *entry, size_t keylen, void *ctx)
{
	(void)keylen, (void)ctx;
	if (unlinkat(dfd, entry, 0) != 0 && errno != ENOENT)
		return shm_errno(entry, "cannot forget the cursor");
	return SHM_OK;
}

int
cursor_forget(const struct stat *st)
{
	/* A refused directory is never read, so it holds nothing to drop. */
	return each_record(st, true, forget_one, NULL);
}

struct named {
	struct segment	 seg;
	int		(*fn)(void *, const char *, uint64_t);
	void		*ctx;
};

static int
each_named(int dfd, const char *entry, size_t keylen, void *ctx)
{
	struct named *n = ctx;
	struct cursor cur;

	(void)dfd;
	if (entry[keylen] != '.')
		return SHM_OK;
	n->seg.cursor_name = entry + keylen + 1;
	/* A stale record (another file's) is not this file's cursor. */
	if (cursor_check_name(n->seg.cursor_name) != NULL ||
	    cursor_open(&n->seg, &cur, CURSOR_LOOK) != SHM_OK || !cur.found)
		return SHM_OK;
	return n->fn(n->ctx, n->seg.cursor_name, cur.pos);
}

int
cursor_each(const struct segment *seg, int (*fn)(void *, const char *,
    uint64_t), void *ctx)
{
	struct named n = { *seg, fn, ctx };

	return each_record(&seg->st, false, each_named, &n);
}

/* What keep_up rewrites: records saved under was, to be saved under now. */
struct restamp {
	const char	*was, *now;
};

static int
restamp_one(int dfd, const char *entry, size_t keylen, void *ctx)
{
	const struct restamp *r = ctx;
	char text[128], out[128];
	struct cursor rec;
	ssize_t n;
	size_t len;
	int fd;

	(void)keylen;
	if ((fd = openat(dfd, entry, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return SHM_OK;
	if ((n = pread(fd, text, sizeof(text) - 1, 0)) > 0) {
		text[n] = '\0';
		/* A follower's digest stays: it is checked against the file. */
		if (read_kind(text, r->was, &rec) == RECORD_OURS) {
			len = format_record(out, sizeof(out), rec.pos, r->now,
			    rec.checked ? &rec.check : NULL);
			if (pwrite(fd, out, len, 0) == (ssize_t)len)
				(void)!ftruncate(fd, (off_t)len);
		}
	}
	close(fd);
	return SHM_OK;
}

void
cursor_keep_up(const struct segment *seg, const char *was)
{
	struct restamp r = { was, NULL };
	char now[64];

	if (!segment_identity_weak(was))
		return;
	segment_identity(seg, now, sizeof(now));
	if (strcmp(now, was) == 0)
		return;
	r.now = now;
	(void)each_record(&seg->st, true, restamp_one, &r);
}
