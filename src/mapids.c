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

extern char **environ;

/* How long a lock held by useradd or a BusyBox tool is waited for. */
#define LOCK_WAIT_SECONDS 10

static const char *const names[MAP_NFILES] = {"passwd", "group", "gshadow"};
static const char *const paths[MAP_NFILES] = {"/etc/passwd", "/etc/group", "/etc/gshadow"};
/* Renamed in this order: a start stopped before passwd is renamed plans
 * the same move again, and the group lines it finds converge. */
static const int write_order[MAP_NFILES] = {MAP_GROUP, MAP_GSHADOW, MAP_PASSWD};

struct db {
	int dir; /* /etc */
	struct mapplan plan;
	struct buf data[MAP_NFILES];
	struct stat st[MAP_NFILES];
	int pwd_lock;               /* /etc/.pwd.lock, or -1 */
	int tmp[MAP_NFILES];        /* /etc/<file>+ open for writing, or -1 */
	/* /etc/<file><lock_suffix[k]> is ours (and, for "+", not yet renamed) */
	bool held[2][MAP_NFILES];
	bool gshadow_hidden;        /* /etc/gshadow exists but cannot be read */
};

static int fail_err(struct buf *why, const char *what, const char *path, int err)
{
	buf_adds(why, "--map-ids: ");
	buf_adds(why, what);
	if (path) {
		buf_adds(why, path);
		buf_adds(why, ": ");
	}
	buf_adderr(why, err);
	return -1;
}

static int fail_text(struct buf *why, char *reason)
{
	buf_adds(why, "--map-ids: ");
	buf_adds(why, reason ? reason : "cannot allocate memory");
	free(reason);
	return -1;
}

/* All of a file's bytes: 0, or an errno (ENOENT: no such file). */
static int read_all(int dir, const char *path, struct buf *b, struct stat *st)
{
	int fd = openat(dir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	if (fstat(fd, st))
		err = errno;
	else if (!S_ISREG(st->st_mode))
		err = S_ISDIR(st->st_mode) ? EISDIR : ERR_NOT_REGULAR;
	buf_add(b, "", 0);
	while (!err && !b->failed) {
		char chunk[4096];

		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		buf_add(b, chunk, (size_t)n);
	}
	(void)close(fd); /* read-only */
	return b->failed && !err ? ENOMEM : err;
}

/* The database as it is now, and the plan for it. */
static int load(struct db *db, const char *name, uint32_t u, uint32_t g, struct buf *why)
{
	char *reason;

	map_plan_free(&db->plan);
	for (int i = 0; i < MAP_NFILES; i++) {
		int err;

		buf_free(&db->data[i]);
		err = read_all(db->dir, names[i], &db->data[i], &db->st[i]);
		db->plan.f[i] = (struct mapfile){.path = paths[i]};
		/* Only root reads gshadow; without it, nothing is written. */
		db->gshadow_hidden |= i == MAP_GSHADOW && err == EACCES;
		if (err == ENOENT || (i == MAP_GSHADOW && err == EACCES))
			continue;
		if (err)
			return fail_err(why, "read /etc/", names[i], err);
		db->plan.f[i].data = db->data[i].s;
		db->plan.f[i].len = db->data[i].len;
	}
	if (map_plan(&db->plan, name, u, g, &reason))
		return fail_text(why, reason);
	return 0;
}

static bool changed(const struct db *db)
{
	for (int i = 0; i < MAP_NFILES; i++)
		if (db->plan.f[i].changed)
			return true;
	return false;
}

/* Why the files cannot be written, or NULL: each must be a regular file
 * on /etc's own mount (a file bind-mounted over one would be written
 * through to the host's), and /etc must be writable. */
static const char *unwritable(const struct db *db, struct buf *what)
{
	struct statx etc, f;

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
		buf_adds(what, "/etc/");
		buf_adds(what, names[i]);
		if (statx_mnt(db->dir, names[i], AT_SYMLINK_NOFOLLOW, &f))
			return " cannot be examined";
		if (S_ISLNK(f.stx_mode))
			return " is a symlink";
		if (!S_ISREG(f.stx_mode))
			return " is not a regular file";
		if (f.stx_mnt_id != etc.stx_mnt_id)
			return " is a mount of its own";
		buf_free(what);
	}
	return NULL;
}

/* One more pause of 10 ms, while the waits together stay under the limit. */
static bool wait_more(unsigned *waited)
{
	struct timespec pause = {0, 10000000};

	if (++*waited > LOCK_WAIT_SECONDS * 100)
		return false;
	return syscall(SYS_nanosleep, &pause, NULL) == 0 || errno == EINTR;
}

/* A name in /etc made of a file's name and a suffix ("passwd.lock",
 * "group+", "gshadow.4194304"): short, and of a known longest length. */
struct etcname {
	char s[32];
};

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
	return copy(copy(n->s, names[i]), suffix);
}

/* The decimal digits of v at p, NUL-terminated; their end. */
static char *digits(char *p, unsigned long v)
{
	char *end = p, c;

	do
		*end++ = (char)('0' + v % 10);
	while (v /= 10);
	*end = '\0';
	for (char *a = p, *b = end - 1; a < b; a++, b--)
		c = *a, *a = *b, *b = c;
	return end;
}

/* Whether the pid a shadow-utils lock file holds is gone. */
static bool stale(int dir, const char *lock)
{
	struct buf b = {0};
	struct stat st;
	uint32_t pid;
	bool gone = false;

	if (!read_all(dir, lock, &b, &st)) {
		size_t n = b.len;

		while (n > 0 && (b.s[n - 1] == '\n' || b.s[n - 1] == '\0'))
			n--;
		gone = target_id(b.s, n, &pid) && syscall(SYS_kill, (pid_t)pid, 0) && errno == ESRCH;
	}
	buf_free(&b);
	return gone;
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
	struct etcname n;
	int r;

	if (i >= 0)
		name_of(&n, i, lock_suffix[kind]);
	for (;;) {
		if (i < 0)
			r = (int)syscall(SYS_fcntl, db->pwd_lock, F_SETLK, &fl);
		else if (kind == SHADOW_LOCK)
			r = (int)syscall(SYS_linkat, db->dir, pidfile, db->dir, n.s, 0);
		else
			r = db->tmp[i] = openat(db->dir, n.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (r >= 0) {
			if (i >= 0)
				db->held[kind][i] = true;
			return 0;
		}
		if (errno != EEXIST && errno != EAGAIN && errno != EINTR && (i >= 0 || errno != EACCES))
			return errno;
		if (i >= 0 && kind == SHADOW_LOCK && stale(db->dir, n.s))
			(void)unlinkat(db->dir, n.s, 0); /* tried again at once */
		else if (!wait_more(waited))
			return EAGAIN;
	}
}

/* shadow-utils' lock, linked from a file holding the pid. */
static int shadow_lock(struct db *db, int i, unsigned *waited)
{
	struct etcname pidfile;
	char *pid = name_of(&pidfile, i, "."), *end = digits(pid, (unsigned long)getpid());
	int fd = openat(db->dir, pidfile.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, pid, (size_t)(end - pid)) != end - pid)
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	if (!err)
		err = take(db, SHADOW_LOCK, i, pidfile.s, waited);
	if (unlinkat(db->dir, pidfile.s, 0) && !err)
		err = errno;
	return err;
}

static void unlock(struct db *db)
{
	struct etcname name;

	for (int i = 0; i < MAP_NFILES; i++) {
		if (db->tmp[i] >= 0)
			(void)close(db->tmp[i]); /* unfinished: thrown away */
		db->tmp[i] = -1;
		for (int k = 0; k < 2; k++)
			if (db->held[k][i]) {
				name_of(&name, i, lock_suffix[k]);
				(void)unlinkat(db->dir, name.s, 0);
			}
	}
	memset(db->held, 0, sizeof db->held);
	if (db->pwd_lock >= 0)
		(void)close(db->pwd_lock); /* releases the fcntl lock */
	db->pwd_lock = -1;
}

/* One new file, complete on disk, with the original's owner and mode. */
static int fill(struct db *db, int i)
{
	const struct buf *out = &db->plan.f[i].out;
	const char *p = out->s;
	size_t n = out->len;
	int fd = db->tmp[i];

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w, n -= (size_t)w;
	}
	if (fchownat(fd, "", db->st[i].st_uid, db->st[i].st_gid, AT_EMPTY_PATH) ||
	    syscall(SYS_fchmod, fd, db->st[i].st_mode & 07777) || syscall(SYS_fsync, fd))
		return errno;
	db->tmp[i] = -1;
	return close(fd) ? errno : 0;
}

static int write_files(struct db *db, const char *name, uint32_t u, uint32_t g, struct buf *why)
{
	unsigned deadline = 0;
	struct etcname tmp;
	int err = 0, i;

	/* The fcntl lock of lckpwdf(), taken directly: musl's lckpwdf() does
	 * nothing. */
	db->pwd_lock = openat(db->dir, ".pwd.lock", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if ((err = db->pwd_lock < 0 ? errno : take(db, 0, -1, NULL, &deadline)))
		return unlock(db), fail_err(why, "lock /etc/", ".pwd.lock", err);
	/* Every file, changed or not: useradd may change any meanwhile. */
	for (i = 0; i < MAP_NFILES && !err; i++)
		if (db->plan.f[i].data && !(err = shadow_lock(db, i, &deadline)))
			err = take(db, NEW_FILE, i, NULL, &deadline);
	if (err)
		return unlock(db), fail_err(why, "lock /etc/", names[i - 1], err);
	/* Under the locks: what useradd may have changed meanwhile. */
	if (load(db, name, u, g, why))
		return unlock(db), -1;
	for (int k = 0; k < MAP_NFILES && !err; k++) {
		i = write_order[k];
		if (db->plan.f[i].changed && db->held[NEW_FILE][i])
			err = fill(db, i);
	}
	for (int k = 0; k < MAP_NFILES && !err; k++) {
		i = write_order[k];
		if (!db->plan.f[i].changed || !db->held[NEW_FILE][i])
			continue;
		name_of(&tmp, i, lock_suffix[NEW_FILE]);
		if (renameat(db->dir, tmp.s, db->dir, names[i]))
			err = errno;
		db->held[NEW_FILE][i] = err != 0;
	}
	if (!err && syscall(SYS_fsync, db->dir))
		err = errno;
	unlock(db);
	return err ? fail_err(why, "write /etc/", names[i], err) : 0;
}

static uint32_t overflow_id(const char *path)
{
	struct buf b = {0};
	struct stat st;
	uint32_t id = 65534;

	if (!read_all(AT_FDCWD, path, &b, &st) && b.len && b.s[b.len - 1] == '\n')
		(void)target_id(b.s, b.len - 1, &id);
	buf_free(&b);
	return id;
}

/* A device file system, or one the kernel makes up: not an owner to map. */
static bool kernel_fs(int fd, const struct statx *stx, struct buf *why)
{
	struct statfs fs;
	struct buf info = {0};
	struct stat st;
	const char *type;
	size_t n = 0;
	bool dev = false;

	if (syscall(SYS_fstatfs, fd, &fs))
		return fail_err(why, "statfs ", NULL, errno), true;
	if (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC || fs.f_type == DEVPTS_SUPER_MAGIC)
		return true;
	if (fs.f_type != TMPFS_MAGIC)
		return false;
	/* devtmpfs says it is tmpfs; only the mount table tells them apart. */
	if ((stx->stx_mask & STATX_MNT_ID) && !read_all(AT_FDCWD, "/proc/self/mountinfo", &info, &st) &&
	    (type = mount_type(info.s, info.len, stx->stx_mnt_id, &n)))
		dev = n == 8 && !memcmp(type, "devtmpfs", 8);
	buf_free(&info);
	return dev;
}

static void not_mapped(const char *path, const char *what, uint32_t id)
{
	struct buf b = {0};

	buf_adds(&b, "warning: --map-ids: ");
	buf_adds(&b, path);
	buf_adds(&b, what);
	buf_addu(&b, id);
	buf_adds(&b, ", which is not mapped: that id stays the template's");
	map_notice(&b);
}

static int path_ids(const char *path, uint32_t *u, uint32_t *g, struct buf *why)
{
	int fd = open_nofollow(path, O_PATH);
	struct statx st;

	if (fd < 0)
		return fail_err(why, "open ", path, errno);
	if (statx_mnt(fd, "", AT_EMPTY_PATH, &st) || kernel_fs(fd, &st, why) ||
	    !(S_ISDIR(st.stx_mode) || S_ISREG(st.stx_mode))) {
		(void)close(fd); /* O_PATH */
		if (why->len)
			return -1;
		buf_adds(why, "--map-ids: ");
		buf_adds(why, path);
		buf_adds(why, " is not a directory or regular file of an ordinary file system");
		return -1;
	}
	(void)close(fd);
	*u = st.stx_uid;
	*g = st.stx_gid;
	if (*u == 0 || *u == overflow_id("/proc/sys/kernel/overflowuid")) {
		not_mapped(path, " is owned by uid ", *u);
		*u = MAP_KEEP;
	}
	if (*g == 0 || *g == overflow_id("/proc/sys/kernel/overflowgid")) {
		not_mapped(path, " has gid ", *g);
		*g = MAP_KEEP;
	}
	return 0;
}

static int env_id(const char *var, size_t n, const char *value, uint32_t *id, struct buf *why)
{
	if (target_id(value, strlen(value), id))
		return 0;
	buf_adds(why, "--map-ids: ");
	buf_add(why, var, n);
	buf_addc(why, '=');
	buf_quote(why, value, strlen(value));
	buf_adds(why, " is not an id in range 1-2147483647");
	return -1;
}

/* The target ids: 1 when there are none (an unset variable), 0, or -1. */
static int source_ids(const struct source *s, uint32_t *u, uint32_t *g, struct buf *why)
{
	const char *uv, *gv;

	if (s->kind == SOURCE_IDS) {
		*u = s->uid, *g = s->gid;
		return 0;
	}
	if (s->kind == SOURCE_PATH)
		return path_ids(s->path, u, g, why);
	uv = env_lookup(environ, s->uvar, s->ulen);
	gv = s->gvar ? env_lookup(environ, s->gvar, s->glen) : NULL;
	if (!uv || !*uv) {
		if (gv && *gv) {
			struct buf b = {0};

			buf_adds(&b, "warning: --map-ids: ");
			buf_add(&b, s->gvar, s->glen);
			buf_adds(&b, " is set but ");
			buf_add(&b, s->uvar, s->ulen);
			buf_adds(&b, " is not: no ids are mapped");
			map_notice(&b);
		}
		return 1;
	}
	if (env_id(s->uvar, s->ulen, uv, u, why))
		return -1;
	*g = MAP_KEEP;
	return gv && *gv ? env_id(s->gvar, s->glen, gv, g, why) : 0;
}

static int check_mapped(const char *map, const char *what, uint32_t id, struct buf *why)
{
	struct buf b = {0};
	struct stat st;
	int err = read_all(AT_FDCWD, map, &b, &st);
	bool ok = !err && id_mapped(b.s, b.len, id);

	buf_free(&b);
	if (err)
		return fail_err(why, "read ", map, err);
	if (ok)
		return 0;
	buf_adds(why, "--map-ids: ");
	buf_adds(why, what);
	buf_addu(why, id);
	buf_adds(why, " is not mapped in this user namespace (");
	buf_adds(why, map);
	buf_addc(why, ')');
	return -1;
}

static void say_unwritten(const char *reason, struct buf *what, uint32_t u)
{
	struct buf b = {0};

	buf_adds(&b, "warning: --map-ids: the user database could not be updated (");
	buf_add(&b, what->s, what->len);
	buf_adds(&b, reason);
	buf_adds(&b, "): whoami, ssh and initdb will not know uid ");
	buf_addu(&b, u);
	map_notice(&b);
	buf_free(what);
}

static int map_with(struct db *db, const char *name, uint32_t u, uint32_t g,
                    const struct chown_dirs *dirs, struct target *t, struct buf *why)
{
	struct dbfile pf, gf;
	struct buf what = {0};
	const char *reason;
	char *text;

	if ((db->dir = openat(AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail_err(why, "open ", "/etc", errno);
	if (load(db, name, u, g, why))
		return -1;
	if (changed(db)) {
		if (check_mapped("/proc/self/uid_map", "uid ", db->plan.uid, why) ||
		    check_mapped("/proc/self/gid_map", "gid ", db->plan.gid, why))
			return -1;
		if (db->plan.notice.len) {
			struct buf b = {0};

			buf_adds(&b, "notice: --map-ids: ");
			buf_adds(&b, name);
			buf_adds(&b, " shares ");
			buf_add(&b, db->plan.notice.s, db->plan.notice.len);
			map_notice(&b);
		}
		if ((reason = unwritable(db, &what)))
			say_unwritten(reason, &what, db->plan.uid);
		else if (write_files(db, name, u, g, why))
			return -1;
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
	struct source s;
	struct db db = {.dir = -1, .pwd_lock = -1, .tmp = {-1, -1, -1}};
	const char *colon = strchr(spec, ':');
	struct buf user = {0};
	struct chown_dirs dirs = {.n = 0};
	char *text, *name;
	uint32_t u, g;
	int r;

	if (source_parse(source, &s, &text))
		return fail_text(why, text);
	if ((r = source_ids(&s, &u, &g, why)))
		return r < 0 ? -1 : 0; /* no ids: no mapping */
	if (colon && colon[1]) {
		buf_adds(why, "--map-ids: the user spec names a group; name only the account to map");
		return -1;
	}
	buf_add(&user, spec, colon ? (size_t)(colon - spec) : strlen(spec));
	if (!(name = buf_str(&user)))
		return fail_text(why, NULL);
	if (!(r = repair_open(opts, nopts, &dirs, why)))
		r = map_with(&db, name, u, g, &dirs, t, why);
	repair_close(&dirs);
	free(name);
	map_plan_free(&db.plan);
	for (int i = 0; i < MAP_NFILES; i++)
		buf_free(&db.data[i]);
	if (db.dir >= 0)
		(void)close(db.dir); /* read-only */
	return r;
}
