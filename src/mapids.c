#include "mapids.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "errtext.h"
#include "mapplan.h"
#include "mapsource.h"
#include "repair.h"
#include "str.h"

extern char **environ;

/* How long a lock held by useradd or a BusyBox tool is waited for. */
#define LOCK_WAIT_SECONDS 10

static const char *const paths[MAP_NFILES] = {"/etc/passwd", "/etc/group", "/etc/gshadow"};
/* Renamed in this order: a start stopped before passwd is renamed plans
 * the same move again, and the group lines it finds converge. */
static const int write_order[MAP_NFILES] = {MAP_GROUP, MAP_GSHADOW, MAP_PASSWD};
static const char *const id_kind[2] = {"uid", "gid"};
static const char pwd_lock[] = "/etc/.pwd.lock";

/* File i's name in /etc. */
static const char *base(int i)
{
	return paths[i] + sizeof "/etc/" - 1;
}

/* A name in /etc made of a file's name and a suffix ("passwd.lock",
 * "group+", "gshadow.4194304"): short, and of a known longest length. */
struct etcname {
	char s[32];
};

struct db {
	/* The small members first, in reach of short offsets. */
	int dir; /* /etc */
	int pwd_lock;               /* /etc/.pwd.lock, or -1 */
	int tmp[MAP_NFILES];        /* /etc/<file>+ open for writing, or -1 */
	bool gshadow_hidden;        /* /etc/gshadow exists but cannot be read */
	struct mapplan plan;
	/* /etc/<file><lock_suffix[k]> while it is ours (and, for "+", not
	 * yet renamed), "" otherwise */
	struct etcname lock[2][MAP_NFILES];
	struct buf data[MAP_NFILES];
	struct stat st[MAP_NFILES];
};

/* "--map-ids: OP PATH: ERROR": -1. */
static int fail(struct buf *why, const char *op, const char *path, int err)
{
	buf_fmt(why, "--map-ids: %s %s: %e", op, path, err);
	return -1;
}

/* reason NULL: memory ran out, which main says. */
/* Out of line, as are map_with, unwritable and fill: each smaller so. */
__attribute__((noinline)) static int fail_text(struct buf *why, char *reason)
{
	if (reason)
		buf_fmt(why, "--map-ids: %s", reason);
	else
		why->failed = true;
	free(reason);
	return -1;
}

/* All of a file's bytes: 0, or an errno (ENOENT: no such file). */
static int read_all(int dir, const char *path, struct buf *b, struct stat *st)
{
	int fd = openat(dir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), err = 0;
	char chunk[4096];
	ssize_t n;

	if (fd < 0)
		return errno;
	if (fstat(fd, st))
		err = errno;
	else if (!S_ISREG(st->st_mode))
		err = ERR_NOT_REGULAR;
	buf_add(b, "", 0);
	while (!err && (n = read(fd, chunk, sizeof chunk)))
		if (n > 0)
			buf_add(b, chunk, (size_t)n);
		else if (errno != EINTR)
			err = errno;
	(void)close(fd); /* read-only */
	return err ? err : b->failed ? ENOMEM : 0;
}

/* The number a small file holds: the kernel's ("65534\n"), a
 * shadow-utils lock's ("1234", or "1234\0"); v when it holds none. */
static uint32_t file_number(int dir, const char *path, uint32_t v)
{
	struct buf b = {0};
	struct stat st;
	size_t n;

	if (!read_all(dir, path, &b, &st)) {
		for (n = b.len; n > 0 && (b.s[n - 1] == '\n' || b.s[n - 1] == '\0'); n--)
			;
		(void)target_id(b.s, n, &v);
	}
	buf_free(&b);
	return v;
}

/* The database as it is now, and the plan for it. */
static int load(struct db *db, const char *name, const uint32_t id[2], struct buf *why)
{
	char *reason;

	map_plan_free(&db->plan);
	for (int i = 0; i < MAP_NFILES; i++) {
		int err;

		buf_free(&db->data[i]);
		err = read_all(db->dir, base(i), &db->data[i], &db->st[i]);
		db->plan.f[i] = (struct mapfile){.path = paths[i]};
		/* Only root reads gshadow; without it, nothing is written. */
		db->gshadow_hidden |= i == MAP_GSHADOW && err == EACCES;
		if (err == ENOENT || (i == MAP_GSHADOW && err == EACCES))
			continue;
		if (err)
			return fail(why, "read", paths[i], err);
		db->plan.f[i].data = db->data[i].s;
		db->plan.f[i].len = db->data[i].len;
	}
	if (map_plan(&db->plan, name, id[0], id[1], &reason))
		return fail_text(why, reason);
	return 0;
}

/* Why the files cannot be written, or NULL, and in *file the one it is
 * about: each must be a regular file on /etc's own mount (a file
 * bind-mounted over one would be written through to the host's), and
 * /etc must be writable. */
__attribute__((noinline)) static const char *unwritable(const struct db *db, const char **file)
{
	struct statx etc, f;

	*file = "";
	/* The real ids are the effective ones: gosu refuses a setuid install. */
	if (access("/etc", W_OK))
		return errno == EROFS ? "/etc is read-only" : "/etc is not writable";
	if (db->gshadow_hidden)
		return "/etc/gshadow cannot be read";
	if (statx_mnt(db->dir, "", AT_EMPTY_PATH, &etc) || !(etc.stx_mask & STATX_MNT_ID))
		return "the kernel tells no mount ids";
	for (int i = 0; i < MAP_NFILES; i++) {
		if (!db->plan.f[i].data)
			continue;
		*file = paths[i];
		if (statx_mnt(db->dir, base(i), AT_SYMLINK_NOFOLLOW, &f))
			return " cannot be examined";
		if (S_ISLNK(f.stx_mode))
			return " is a symlink";
		if (!S_ISREG(f.stx_mode))
			return " is not a regular file";
		if (f.stx_mnt_id != etc.stx_mnt_id)
			return " is a mount of its own";
	}
	return NULL;
}

/* One more pause of 10 ms, while the waits together stay under the limit. */
static bool wait_more(unsigned *waited)
{
	/* The kernel's own timespec for nanosleep, two longs on every ABI:
	 * a 32-bit libc's struct timespec has a 64-bit tv_sec, which the
	 * system call would read as {0, 0}. */
	const long pause[2] = {0, 10000000};

	if (++*waited > LOCK_WAIT_SECONDS * 100)
		return false;
	return syscall(SYS_nanosleep, pause, NULL) == 0 || errno == EINTR;
}

/* s copied to d; the end of the copy. */
static char *copy(char *d, const char *s)
{
	while ((*d = *s++))
		d++;
	return d;
}

/* n->s, the name of file i with the suffix; the end of it. */
static char *name_of(struct etcname *n, int i, const char *suffix)
{
	return copy(copy(n->s, base(i)), suffix);
}

/* A file's locks besides the fcntl one: shadow-utils' (a link to a file
 * holding the pid) and BusyBox's (the new contents' file, created
 * exclusively), by the suffix of their names. */
enum { SHADOW_LOCK, NEW_FILE };
static const char *const lock_suffix[2] = {".lock", "+"};

/* One lock, tried again while another holds it: 0 or an errno (EAGAIN:
 * not had in time). i is the file, or -1 for the fcntl lock. */
static int take(struct db *db, int kind, int i, const char *pidfile, unsigned *waited)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	struct etcname *n = i >= 0 ? &db->lock[kind][i] : NULL;
	int r, err = 0;

	if (n)
		name_of(n, i, lock_suffix[kind]);
	while (!err) {
		if (i < 0)
			r = (int)syscall(SYS_fcntl, db->pwd_lock, F_SETLK, &fl);
		else if (kind == SHADOW_LOCK)
			r = (int)syscall(SYS_linkat, db->dir, pidfile, db->dir, n->s, 0);
		else
			r = db->tmp[i] = openat(db->dir, n->s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (r >= 0)
			return 0;
		if (errno != EEXIST && errno != EAGAIN && errno != EINTR && (i >= 0 || errno != EACCES))
			err = errno;
		/* A lock whose holder is gone: removed, tried again at once. One
		 * with this process's pid is an earlier start's that died with
		 * the same pid (PID 1 of a restarted container). */
		else if (i >= 0 && kind == SHADOW_LOCK && (r = (int)file_number(db->dir, n->s, 0)) &&
		         (r == getpid() || (kill(r, 0) && errno == ESRCH))) {
			struct etcname plus;

			/* And the new file that holder never renamed: a start
			 * killed between two renames converges on the next. */
			(void)syscall(SYS_unlinkat, db->dir, n->s, 0);
			name_of(&plus, i, "+");
			(void)syscall(SYS_unlinkat, db->dir, plus.s, 0);
		} else if (!wait_more(waited))
			err = EAGAIN;
	}
	if (n)
		n->s[0] = '\0'; /* not ours: never removed */
	return err;
}

/* n bytes at p to fd: 0 or an errno. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno != EINTR)
			return errno;
		if (w > 0)
			p += w, n -= (size_t)w;
	}
	return 0;
}

/* shadow-utils' lock, linked from a file holding the pid. */
static int shadow_lock(struct db *db, int i, unsigned *waited)
{
	struct etcname pidfile;
	char digits[12], *d = digits + sizeof digits, *pid = name_of(&pidfile, i, ".");
	unsigned v = (unsigned)getpid();
	int fd, err;

	*--d = '\0';
	do
		*--d = (char)('0' + v % 10);
	while (v /= 10);
	copy(pid, d);
	/* Named by this pid, so one already there is a dead start's (as
	 * shadow-utils, which truncates it too). */
	if ((fd = openat(db->dir, pidfile.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return errno;
	err = write_all(fd, d, strlen(d));
	if (close(fd) && !err)
		err = errno;
	if (!err)
		err = take(db, SHADOW_LOCK, i, pidfile.s, waited);
	if (syscall(SYS_unlinkat, db->dir, pidfile.s, 0) && !err)
		err = errno;
	return err;
}

static void unlock(struct db *db)
{
	for (int i = 0; i < MAP_NFILES; i++) {
		if (db->tmp[i] >= 0)
			(void)close(db->tmp[i]); /* unfinished: thrown away */
		db->tmp[i] = -1;
		for (int k = 0; k < 2; k++) {
			char *name = db->lock[k][i].s;

			if (*name)
				(void)syscall(SYS_unlinkat, db->dir, name, 0);
			*name = '\0';
		}
	}
	if (db->pwd_lock >= 0)
		(void)close(db->pwd_lock); /* releases the fcntl lock */
	db->pwd_lock = -1;
}

/* One new file, complete on disk, with the original's owner and mode. */
__attribute__((noinline)) static int fill(struct db *db, int i)
{
	int fd = db->tmp[i], err = write_all(fd, db->plan.f[i].out.s, db->plan.f[i].out.len);

	if (err)
		return err;
	if (fchownat(fd, "", db->st[i].st_uid, db->st[i].st_gid, AT_EMPTY_PATH) ||
	    syscall(SYS_fchmod, fd, db->st[i].st_mode & 07777) || syscall(SYS_fsync, fd))
		return errno;
	db->tmp[i] = -1;
	return close(fd) ? errno : 0;
}

static int write_files(struct db *db, const char *name, const uint32_t id[2], struct buf *why)
{
	unsigned deadline = 0;
	char *tmp;
	const char *op = "lock", *path = pwd_lock;
	int err, i;

	/* The fcntl lock of lckpwdf(), taken directly: musl's lckpwdf() does
	 * nothing. */
	db->pwd_lock = openat(db->dir, pwd_lock + sizeof "/etc/" - 1, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	err = db->pwd_lock < 0 ? errno : take(db, 0, -1, NULL, &deadline);
	/* Every file, changed or not: useradd may change any meanwhile. */
	for (i = 0; i < MAP_NFILES && !err; i++)
		if (db->plan.f[i].data && !(err = shadow_lock(db, i, &deadline)))
			err = take(db, NEW_FILE, i, NULL, &deadline);
	if (err && i > 0)
		path = paths[i - 1];
	/* Under the locks: what useradd may have changed meanwhile. */
	if (!err && load(db, name, id, why))
		err = -1;
	/* All new files complete before the first is renamed. */
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < MAP_NFILES && !err; k++) {
			i = write_order[k];
			op = "write", path = paths[i];
			tmp = db->lock[NEW_FILE][i].s;
			if (!db->plan.f[i].changed || !*tmp)
				continue;
			if (!pass)
				err = fill(db, i);
			else if (renameat(db->dir, tmp, db->dir, base(i)))
				err = errno;
			else
				*tmp = '\0';
		}
	if (!err && syscall(SYS_fsync, db->dir))
		err = errno;
	unlock(db);
	return err > 0 ? fail(why, op, path, err) : err;
}

/* A 32-bit kernel's fstatfs fails with EOVERFLOW on a file system of
 * more than 2^32 blocks or inodes: fstatfs64 there, as musl's fstatfs. */
#ifdef SYS_fstatfs64
#define FSTATFS(fd, fs) syscall(SYS_fstatfs64, fd, sizeof *(fs), fs)
#else
#define FSTATFS(fd, fs) syscall(SYS_fstatfs, fd, fs)
#endif

/* The owner of path: an ordinary directory or file, not on proc, sysfs,
 * devtmpfs or devpts. An owner of 0 or of an overflow id (what an
 * unmapped one reads as) is not mapped: MAP_KEEP, with a warning. */
static int path_ids(const char *path, uint32_t id[2], struct buf *why)
{
	static const char *const overflow[2] = {"/proc/sys/kernel/overflowuid",
	                                        "/proc/sys/kernel/overflowgid"};
	int fd = open_nofollow(path, O_PATH), err;
	struct statx st;
	struct statfs fs;
	struct buf b = {0};
	/* fstat on an O_PATH fd fails only for want of memory: one message
	 * for all three. */
	bool seen = fd >= 0 && !statx_mnt(fd, "", AT_EMPTY_PATH, &st) && !FSTATFS(fd, &fs), odd;

	err = errno;
	if (fd >= 0)
		(void)close(fd); /* O_PATH */
	if (!seen)
		return fail(why, "open", path, err);
	odd = !(S_ISDIR(st.stx_mode) || S_ISREG(st.stx_mode)) || fs.f_type == PROC_SUPER_MAGIC ||
	      fs.f_type == SYSFS_MAGIC || fs.f_type == DEVPTS_SUPER_MAGIC;
	/* devtmpfs says it is tmpfs; only the mount table tells them apart. */
	if (!odd && fs.f_type == TMPFS_MAGIC && (st.stx_mask & STATX_MNT_ID)) {
		struct stat ist;

		odd = !read_all(AT_FDCWD, "/proc/self/mountinfo", &b, &ist) &&
		      on_devtmpfs(b.s, b.len, st.stx_mnt_id);
		buf_free(&b);
	}
	if (odd) {
		buf_fmt(why, "--map-ids: %s is not an ordinary directory or file", path);
		return -1;
	}
	id[0] = st.stx_uid, id[1] = st.stx_gid;
	for (int k = 0; k < 2; k++)
		if (id[k] == 0 || id[k] == file_number(AT_FDCWD, overflow[k], 65534)) {
			buf_fmt(&b, "warning: --map-ids: %s has %s %u, not mapped: that id stays the template's",
			        path, id_kind[k], id[k]);
			map_notice(&b);
			id[k] = MAP_KEEP;
		}
	return 0;
}

/* U and G must exist in this user namespace before anything changes: a
 * later chown or setresuid would fail half-way. */
static int check_mapped(const struct mapplan *plan, struct buf *why)
{
	static const char *const maps[2] = {"/proc/self/uid_map", "/proc/self/gid_map"};
	const uint32_t want[2] = {plan->uid, plan->gid};
	struct buf b = {0};
	struct stat st;
	int k, err = 0;

	for (k = 0; k < 2 && !err; k++) {
		err = read_all(AT_FDCWD, maps[k], &b, &st);
		if (!err && !id_mapped(b.s, b.len, want[k]))
			err = -1;
		buf_free(&b);
	}
	if (err < 0)
		buf_fmt(why, "--map-ids: %s %u is not mapped in this user namespace (%s)", id_kind[k - 1],
		        want[k - 1], maps[k - 1]);
	return err > 0 ? fail(why, "read", maps[k - 1], err) : err;
}

__attribute__((noinline)) static int map_with(struct db *db, const char *name, const uint32_t id[2],
                    const struct chown_dirs *dirs, struct target *t, struct buf *why)
{
	struct dbfile pf, gf;
	struct buf b = {0};
	const char *reason, *file;
	char *text;
	bool changed = false;

	if ((db->dir = openat(AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail(why, "open", "/etc", errno);
	if (load(db, name, id, why))
		return -1;
	for (int i = 0; i < MAP_NFILES; i++)
		changed |= db->plan.f[i].changed;
	if (changed) {
		if (check_mapped(&db->plan, why))
			return -1;
		if (db->plan.notice.len) {
			buf_fmt(&b, "notice: --map-ids: %s shares %b", name, db->plan.notice.s, db->plan.notice.len);
			map_notice(&b);
		}
		if ((reason = unwritable(db, &file))) {
			buf_fmt(&b, "warning: --map-ids: the user database could not be updated (%s%s): "
			        "whoami, ssh and initdb will not know uid %u", file, reason, db->plan.uid);
			map_notice(&b);
		} else if (write_files(db, name, id, why)) {
			return -1;
		}
	}
	pf = map_dbfile(&db->plan.f[MAP_PASSWD]);
	gf = map_dbfile(&db->plan.f[MAP_GROUP]);
	if (resolve(name, &pf, &gf, 0, 0, t, &text))
		return fail_text(why, text);
	repair(t, db->plan.old_uid, db->plan.old_gid, dirs);
	return 1;
}

int map_ids(const char *source, char *const *opts, int nopts, const char *spec,
            struct target *t, struct buf *why)
{
	struct db db = {.dir = -1, .pwd_lock = -1, .tmp = {-1, -1, -1}};
	const char *colon = str_find(spec, ':');
	struct buf user = {0}, note = {0};
	struct chown_dirs dirs = {.n = 0};
	char *name;
	uint32_t id[2];
	int r = source_ids(source, environ, id, &note, why);

	if (note.len)
		map_notice(&note);
	if (r == SOURCE_PATH)
		r = path_ids(source, id, why) ? -1 : SOURCE_IDS;
	if (r != SOURCE_IDS)
		return r; /* -1, or 0: no ids, no mapping */
	if (*colon && colon[1]) {
		buf_adds(why, "--map-ids: name only the account, not a group");
		return -1;
	}
	buf_add(&user, spec, (size_t)(colon - spec));
	if (!(name = buf_str(&user)))
		return fail_text(why, NULL);
	if (!(r = repair_open(opts, nopts, &dirs, why)))
		r = map_with(&db, name, id, &dirs, t, why);
	repair_close(&dirs);
	free(name);
	map_plan_free(&db.plan);
	for (int i = 0; i < MAP_NFILES; i++)
		buf_free(&db.data[i]);
	if (db.dir >= 0)
		(void)close(db.dir); /* read-only */
	return r;
}
