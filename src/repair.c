#include "repair.h"

#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errtext.h"
#include "path.h"
#include "str.h"

#define MARKER "user.gosu.mapped"

void map_notice(struct buf *b)
{
	buf_addc(b, '\n');
	/* A notice that cannot be written changes nothing that follows. */
	if (!b->failed)
		(void)!write(STDERR_FILENO, b->s, b->len);
	buf_free(b);
}

int statx_mnt(int fd, const char *name, int flags, struct statx *stx)
{
	int r = (int)syscall(SYS_statx, fd, name, flags | AT_STATX_SYNC_AS_STAT,
	                     STATX_BASIC_STATS | STATX_MNT_ID, stx);

	/* A mount id of 0 is none (qemu-user says it has one and hands 0):
	 * every file would seem to be on one mount. */
	if (!r && !stx->stx_mnt_id)
		stx->stx_mask &= ~(unsigned)STATX_MNT_ID;
	return r;
}

struct walk {
	uint32_t old_uid, old_gid, uid, gid;
	uint64_t mnt;       /* the top's mount */
	struct buf path;    /* of the entry at hand */
	int failed;         /* the first repair that could not be made */
	unsigned long more; /* and how many after it */
	struct buf failed_at;
	const struct chown_dirs *dirs;
};

/* A repair that could not be made, for the reason in errno. */
static void failed(struct walk *w)
{
	if (w->failed) {
		w->more++;
		return;
	}
	w->failed = errno;
	buf_add(&w->failed_at, w->path.s, w->path.len);
}

/* name under fd, which it closes, without following it: refused (ELOOP)
 * when it is a symlink, a magic link too, which O_PATH | O_NOFOLLOW opens
 * as itself. With mk, made when missing, mode 0755 whatever the umask
 * (what fails is said through mk), and then *made. Out of line, as is
 * walk_tree: each smaller so. */
__attribute__((noinline)) static int open_part(int fd, const char *name, struct walk *mk, bool *made)
{
	int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	*made = next < 0 && errno == ENOENT && mk;
	if (*made && (syscall(SYS_mkdirat, fd, name, 0755) ||
	              (next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	              syscall(SYS_fchmod, next, 0755)))
		failed(mk);
	if (next >= 0 && !fstat(next, &st) && S_ISLNK(st.st_mode)) {
		(void)close(next); /* O_PATH */
		next = -1;
		errno = ELOOP;
	}
	(void)close(fd); /* O_PATH or read-only */
	return next;
}

/* An absolute path from / one component at a time, none of them
 * followed. The last is opened again through ".", by that fd rather than
 * by its name: with flags, or as a directory when a slash ends the path.
 * With mk, for a home: the missing components are made, as root but the
 * last, which becomes mk's new ids'. */
static int open_parts(const char *path, int flags, struct walk *mk)
{
	struct buf copy = {0};
	int fd, next;
	char *s, *p, *part;
	bool made = false, slash = false;

	buf_adds(&copy, path);
	if (!(p = s = buf_str(&copy)))
		return -1; /* errno from the allocator */
	fd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		part = p;
		p = (char *)str_find(p, '/');
		if ((slash = *p))
			*p++ = '\0';
		fd = open_part(fd, part, mk, &made);
	}
	free(s);
	if (fd >= 0 && made && fchownat(fd, "", mk->uid, mk->gid, AT_EMPTY_PATH))
		failed(mk);
	if (fd >= 0 && (slash || !(flags & O_PATH))) {
		next = openat(fd, ".", flags | O_CLOEXEC);
		(void)close(fd); /* O_PATH or read-only */
		fd = next;
	}
	return fd;
}

int open_nofollow(const char *path, int flags)
{
	return open_parts(path, flags, NULL);
}

/* One line about the entry at hand: what is said of its path. */
static void say(const struct walk *w, const char *what)
{
	struct buf b = {0};

	buf_fmt(&b, "warning: --map-ids: %q %s", w->path.s, w->path.len, what);
	map_notice(&b);
}

/* A mount met as the home or by the walk: repaired only where it is one
 * of the --map-chown directories'. */
static void other_mount(const struct walk *w, uint64_t mnt)
{
	struct statx stx;

	for (int i = 0; i < w->dirs->n; i++)
		if (!statx_mnt(w->dirs->fd[i], "", AT_EMPTY_PATH, &stx) && stx.stx_mnt_id == mnt)
			return;
	say(w, "is a mount of its own, not repaired: add --map-chown for it");
}

/* One entry, by an fd that names it and nothing else: re-owned when it
 * has the old uid (its gid too when that was the old one, never 0). */
static void reown(struct walk *w, int fd, const struct statx *stx)
{
	gid_t g = stx->stx_gid == w->old_gid && w->old_gid != 0 ? w->gid : (gid_t)-1;

	if (stx->stx_uid == w->old_uid &&
	    fchownat(fd, "", w->uid, g, AT_EMPTY_PATH))
		failed(w);
}

/* One entry, opened once by name and never by name again: the descriptor
 * of the directory to enter next, or -1. */
static int entry(struct walk *w, int dfd, const char *name)
{
	struct statx stx;
	int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), sub = -1;

	buf_fmt(&w->path, "/%s", name);
	if (fd < 0 || statx_mnt(fd, "", AT_EMPTY_PATH, &stx)) {
		failed(w);
	} else if (stx.stx_mnt_id != w->mnt) {
		other_mount(w, stx.stx_mnt_id);
	} else {
		reown(w, fd, &stx);
		/* Entered through the fd just examined, "." of that directory
		 * rather than its name again: the device and inode are the ones
		 * read, whatever has been renamed since. */
		if (S_ISDIR(stx.stx_mode))
			sub = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0)
		(void)close(fd); /* O_PATH */
	return sub;
}

/* A directory being read, and the one it is in. */
struct level {
	struct level *up;
	int fd;
	size_t path_len;
	long pos, end; /* the unread entries in d */
	char d[4096] __attribute__((aligned(8)));
};

/* The tree under fd, depth first, with a stack of open directories
 * rather than recursion; getdents64 itself, not musl's DIR, whose
 * fdopendir brings fcntl and calloc for nothing this needs. fd stays
 * open, the caller's. A level left is kept for the next one entered:
 * one allocation per depth, not per directory (the allocator gives back
 * only its last block). */
__attribute__((noinline)) static void walk_tree(struct walk *w, int fd)
{
	struct level *top = NULL, *spare = NULL, *l;
	struct dirent *e;

	for (;;) {
		if (fd >= 0) {
			if ((l = spare))
				spare = l->up;
			else
				l = malloc(sizeof *l);
			if (!l) {
				failed(w); /* malloc set errno */
				if (top)
					(void)close(fd); /* read-only */
			} else {
				l->up = top;
				l->fd = fd;
				l->path_len = w->path.len;
				l->pos = l->end = 0;
				top = l;
			}
			fd = -1;
		}
		if (!top)
			break;
		w->path.len = top->path_len;
		if (top->pos >= top->end) {
			top->pos = 0;
			if ((top->end = syscall(SYS_getdents64, top->fd, top->d, sizeof top->d)) <= 0) {
				if (top->end < 0)
					failed(w);
				l = top->up;
				if (l)
					(void)close(top->fd); /* read-only */
				top->up = spare;
				spare = top;
				top = l;
			}
			continue;
		}
		e = (struct dirent *)(top->d + top->pos);
		top->pos += e->d_reclen;
		if (e->d_name[0] != '.' || (e->d_name[1] && (e->d_name[1] != '.' || e->d_name[2])))
			fd = entry(w, top->fd, e->d_name);
	}
	while ((l = spare)) {
		spare = l->up;
		free(l);
	}
}

/* One top directory, opened: walked unless its marker says it was. */
static void repair_top(struct walk *w, int fd, bool named)
{
	struct statx top, up;
	struct buf mark = {0};
	char have[64];
	ssize_t n;

	if (statx_mnt(fd, "", AT_EMPTY_PATH, &top) || statx_mnt(fd, "..", 0, &up))
		return failed(w);
	/* Before Linux 5.8 there are no mount ids: no walk could keep to
	 * the top's mount. */
	if (!(top.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return failed(w);
	}
	bool mount_point = top.stx_mnt_id != up.stx_mnt_id;

	if (mount_point && !named)
		return other_mount(w, top.stx_mnt_id);
	if (top.stx_uid != w->old_uid && top.stx_uid != w->uid) {
		if (!(named && mount_point && top.stx_uid == 0))
			return say(w, "is not owned by the account, not repaired");
		/* A fresh volume: root's, and the account's from now on. */
		if (fchownat(fd, "", w->uid, w->gid, AT_EMPTY_PATH))
			return failed(w);
		top.stx_uid = w->uid;
	}
	/* Its value: OLDUID:OLDGID:U:G. */
	buf_fmt(&mark, "%u:%u:%u:%u", w->old_uid, w->old_gid, w->uid, w->gid);
	n = syscall(SYS_fgetxattr, fd, MARKER, have, sizeof have);
	if (!mark.failed && n == (ssize_t)mark.len && !memcmp(have, mark.s, mark.len)) {
		buf_free(&mark);
		return;
	}
	w->mnt = top.stx_mnt_id;
	reown(w, fd, &top);
	walk_tree(w, fd);
	/* Set last, and only after a complete walk; a file system without
	 * extended attributes walks every time. */
	if (!w->failed && !mark.failed)
		(void)syscall(SYS_fsetxattr, fd, MARKER, mark.s, mark.len, 0);
	buf_free(&mark);
}

/* Where --map-chown must never point, p cleaned and absolute: the root
 * and the system's own directories, whose files are not the account's to
 * take. Each is right under the root. */
static bool system_dir(const char *p)
{
	/* One string, not a table of pointers to them; "" for the root. */
	static const char names[] = "\0bin\0boot\0dev\0etc\0proc\0root\0run\0sbin\0sys\0tmp\0usr\0var";

	if (*str_find(++p, '/'))
		return false;
	if (str_after(p, "lib", 3))
		return true;
	for (const char *d = names; d < names + sizeof names; d += strlen(d) + 1)
		if (!strcmp(p, d))
			return true;
	return false;
}

/* Opens one --map-chown=DIR, to be d's next: the fd, or -1 with the
 * reason in why. */
static int open_chown(const char *dir, const struct chown_dirs *d, struct buf *why)
{
	struct buf clean = {0};
	const char *what = NULL;
	int fd = -1;

	path_join_clean(&clean, dir, strlen(dir), "");
	if (dir[0] != '/' || clean.failed || system_dir(clean.s))
		what = "a system directory or not absolute";
	else if (d->n == (int)(sizeof d->fd / sizeof *d->fd))
		what = "too many --map-chown";
	else
		fd = open_parts(clean.s, O_RDONLY | O_DIRECTORY, NULL);
	if (fd < 0) {
		int err = errno;

		buf_fmt(why, "--map-chown=%q: ", dir, strlen(dir));
		if (what)
			buf_adds(why, what);
		else
			buf_adderr(why, err);
	}
	buf_free(&clean);
	return fd;
}

int repair_open(char *const *opts, int n, struct chown_dirs *d, struct buf *why)
{
	d->n = 0;
	for (int i = 0; i < n; i++) {
		const char *dir = opts[i] + 12;
		int fd;

		if (!str_after(opts[i], "--map-chown=", 12))
			continue;
		if ((fd = open_chown(dir, d, why)) < 0) {
			repair_close(d);
			return -1;
		}
		d->fd[d->n] = fd;
		d->path[d->n++] = dir;
	}
	return 0;
}

void repair_close(struct chown_dirs *d)
{
	for (int i = 0; i < d->n; i++)
		(void)close(d->fd[i]); /* read-only */
	d->n = 0;
}

void repair(const struct target *t, uint32_t old_uid, uint32_t old_gid,
            const struct chown_dirs *d)
{
	struct walk w = {old_uid, old_gid, t->uid, t->gid, 0, {0}, 0, 0, {0}, d};
	int fd;

	if (old_uid == t->uid && old_gid == t->gid)
		return;
	buf_adds(&w.path, t->home);
	/* Debian's and adduser's name for "no home" is never made one. */
	fd = open_parts(t->home, O_RDONLY | O_DIRECTORY, strcmp(t->home, "/nonexistent") ? &w : NULL);
	if (fd >= 0) {
		repair_top(&w, fd, false);
		(void)close(fd); /* read-only */
	} else if (errno == ELOOP) {
		say(&w, "is or passes through a symlink, not repaired");
	}
	for (int i = 0; i < d->n; i++) {
		buf_free(&w.path);
		buf_adds(&w.path, d->path[i]);
		repair_top(&w, d->fd[i], true);
	}
	if (w.failed) {
		struct buf b = {0};

		buf_fmt(&b, "warning: --map-ids: cannot change the owner of %q: %e",
		        w.failed_at.s, w.failed_at.len, w.failed);
		if (w.more)
			buf_fmt(&b, " (and %U more)", w.more);
		map_notice(&b);
	}
	buf_free(&w.path), buf_free(&w.failed_at);
}
