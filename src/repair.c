#include "repair.h"

#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errtext.h"
#include "mapsource.h"
#include "path.h"

#define MARKER "user.gosu.mapped"

void map_notice(struct buf *b)
{
	buf_addc(b, '\n');
	/* A notice that cannot be written changes nothing that follows. */
	if (!b->failed)
		(void)!write(STDERR_FILENO, b->s, b->len);
	buf_free(b);
}

/* The next component of a path, in *part: false at the end (or when
 * memory ran out: then part->failed). */
static bool next_part(const char **p, struct buf *part)
{
	const char *end;

	while (**p == '/')
		++*p;
	buf_free(part);
	if (!**p)
		return false;
	end = strchrnul(*p, '/');
	buf_add(part, *p, (size_t)(end - *p));
	*p = end;
	return !part->failed;
}

struct walk;
static void failed(struct walk *w, int err);

/* An absolute path from / one component at a time, none of them a
 * symlink (O_NOFOLLOW refuses magic links too), the last opened with
 * flags. With mk, for a missing home: the components that do not exist
 * are made, mode 0755 whatever the umask, as root but the last, which
 * becomes mk's new ids'; what fails is said through mk. */
static int open_parts(const char *path, int flags, struct walk *mk, uid_t u, gid_t g)
{
	int fd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC), next, err = 0;
	struct buf part = {0};
	struct stat st;

	for (const char *p = path; fd >= 0 && next_part(&p, &part); fd = next) {
		bool made = mk && !syscall(SYS_mkdirat, fd, part.s, 0755);

		if (mk && !made && errno != EEXIST)
			err = errno, next = -1;
		else
			next = openat(fd, part.s, (*p ? flags | O_DIRECTORY : flags) | O_NOFOLLOW | O_CLOEXEC);
		if (next >= 0 && made && (syscall(SYS_fchmod, next, 0755) || (!*p && fchownat(next, "", u, g, AT_EMPTY_PATH))))
			err = errno;
		if (err)
			failed(mk, err), err = 0;
		(void)close(fd); /* read-only */
	}
	if (part.failed) {
		(void)close(fd);
		fd = -1;
		errno = ENOMEM;
	}
	buf_free(&part);
	if (fd >= 0 && (flags & O_PATH) && !fstat(fd, &st) && S_ISLNK(st.st_mode)) {
		(void)close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

int open_nofollow(const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
	                       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);

	/* Without openat2, the same, a component at a time. */
	return fd >= 0 || errno != ENOSYS ? fd : open_parts(path, flags, NULL, 0, 0);
}

int statx_mnt(int fd, const char *name, int flags, struct statx *stx)
{
	return (int)syscall(SYS_statx, fd, name, flags | AT_STATX_SYNC_AS_STAT,
	                    STATX_BASIC_STATS | STATX_MNT_ID, stx);
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

/* Whether a mount is one of the --map-chown directories': repaired there. */
static bool named_mount(const struct walk *w, uint64_t mnt)
{
	struct statx stx;

	for (int i = 0; i < w->dirs->n; i++)
		if (!statx_mnt(w->dirs->fd[i], "", AT_EMPTY_PATH, &stx) && stx.stx_mnt_id == mnt)
			return true;
	return false;
}

static void say(const char *head, const struct buf *path, const char *tail)
{
	struct buf b = {0};

	buf_adds(&b, "warning: --map-ids: ");
	buf_adds(&b, head);
	buf_quote(&b, path->s, path->len);
	buf_adds(&b, tail);
	map_notice(&b);
}

static void failed(struct walk *w, int err)
{
	if (w->failed) {
		w->more++;
		return;
	}
	w->failed = err;
	buf_add(&w->failed_at, w->path.s, w->path.len);
}

/* One entry, by an fd that names it and nothing else: re-owned when it
 * has the old uid (its gid too when that was the old one, never 0). */
static void reown(struct walk *w, int fd, const struct statx *stx)
{
	gid_t g = stx->stx_gid == w->old_gid && w->old_gid != 0 ? w->gid : (gid_t)-1;

	if (stx->stx_uid == w->old_uid &&
	    fchownat(fd, "", w->uid, g, AT_EMPTY_PATH))
		failed(w, errno);
}

/* One entry, opened once by name and never by name again: the descriptor
 * of the directory to enter next, or -1. */
static int entry(struct walk *w, int dfd, const char *name)
{
	struct statx stx, again;
	int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), sub = -1;

	buf_addc(&w->path, '/');
	buf_adds(&w->path, name);
	if (fd < 0 || statx_mnt(fd, "", AT_EMPTY_PATH, &stx)) {
		failed(w, errno);
	} else if (stx.stx_mnt_id != w->mnt) {
		if (!named_mount(w, stx.stx_mnt_id))
			say("", &w->path, " is a mount of its own, not repaired: add --map-chown for it");
	} else {
		reown(w, fd, &stx);
		/* Entered only when it is still the directory just examined. */
		if (S_ISDIR(stx.stx_mode) &&
		    (sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
		    (statx_mnt(sub, "", AT_EMPTY_PATH, &again) || again.stx_ino != stx.stx_ino ||
		     again.stx_dev_major != stx.stx_dev_major || again.stx_dev_minor != stx.stx_dev_minor)) {
			(void)close(sub); /* read-only */
			sub = -1;
		}
	}
	if (fd >= 0)
		(void)close(fd); /* O_PATH */
	return sub;
}

struct level {
	int fd;
	size_t path_len;
	long pos, end; /* the unread entries in d */
	char d[4096] __attribute__((aligned(8)));
};

/* The tree under fd, depth first, with a stack of open directories
 * rather than recursion; getdents64 itself, not musl's DIR, whose
 * fdopendir brings fcntl and calloc for nothing this needs. */
static void walk_tree(struct walk *w, int fd)
{
	struct level *stack = NULL, *grown, *l;
	size_t n = 0, cap = 0;
	struct dirent *e;

	while (fd >= 0 || n > 0) {
		if (fd >= 0) {
			if (n == cap && (grown = realloc(stack, (cap ? 2 * cap : 4) * sizeof *stack))) {
				stack = grown;
				cap = cap ? 2 * cap : 4;
			}
			if (n == cap) {
				failed(w, ENOMEM);
				(void)close(fd); /* read-only */
			} else {
				l = &stack[n++];
				l->fd = fd;
				l->path_len = w->path.len;
				l->pos = l->end = 0;
			}
			fd = -1;
			continue;
		}
		l = &stack[n - 1];
		w->path.len = l->path_len;
		if (l->pos >= l->end) {
			l->pos = 0;
			if ((l->end = syscall(SYS_getdents64, l->fd, l->d, sizeof l->d)) <= 0) {
				if (l->end < 0)
					failed(w, errno);
				(void)close(l->fd); /* read-only */
				n--;
			}
			continue;
		}
		e = (struct dirent *)(l->d + l->pos);
		l->pos += e->d_reclen;
		if (e->d_name[0] != '.' || (e->d_name[1] && (e->d_name[1] != '.' || e->d_name[2])))
			fd = entry(w, l->fd, e->d_name);
	}
	free(stack);
}

/* The marker's value: OLDUID:OLDGID:U:G. */
static void marker(struct buf *b, const struct walk *w)
{
	buf_addu(b, w->old_uid);
	buf_addc(b, ':');
	buf_addu(b, w->old_gid);
	buf_addc(b, ':');
	buf_addu(b, w->uid);
	buf_addc(b, ':');
	buf_addu(b, w->gid);
}

/* One top directory, opened: walked unless its marker says it was. */
static void repair_top(struct walk *w, int fd, bool named)
{
	struct statx top, up;
	struct buf mark = {0};
	char have[64];
	ssize_t n;

	if (statx_mnt(fd, "", AT_EMPTY_PATH, &top) || statx_mnt(fd, "..", 0, &up)) {
		failed(w, errno);
		return;
	}
	bool mount_point = top.stx_mnt_id != up.stx_mnt_id;

	if (mount_point && !named) {
		if (named_mount(w, top.stx_mnt_id))
			return;
		return say("the home ", &w->path, " is a mount point, not repaired: add --map-chown for it");
	}
	if (top.stx_uid != w->old_uid && top.stx_uid != w->uid) {
		if (!(named && mount_point && top.stx_uid == 0))
			return say("", &w->path, " is not owned by the account, not repaired");
		/* A fresh volume: root's, and the account's from now on. */
		if (fchownat(fd, "", w->uid, w->gid, AT_EMPTY_PATH))
			return failed(w, errno);
		top.stx_uid = w->uid;
	}
	marker(&mark, w);
	n = syscall(SYS_fgetxattr, fd, MARKER, have, sizeof have);
	if (!mark.failed && n == (ssize_t)mark.len && !memcmp(have, mark.s, mark.len)) {
		buf_free(&mark);
		return;
	}
	w->mnt = top.stx_mnt_id;
	reown(w, fd, &top);
	int dup = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		failed(w, errno);
	else
		walk_tree(w, dup);
	/* Set last, and only after a complete walk; a file system without
	 * extended attributes walks every time. */
	if (!w->failed && !mark.failed)
		(void)syscall(SYS_fsetxattr, fd, MARKER, mark.s, mark.len, 0);
	buf_free(&mark);
}

/* Where --map-chown must never point: the root and the system's own
 * directories, whose files are not the account's to take. */
static bool system_dir(const char *p)
{
	/* One string, not a table of pointers to them. */
	static const char dirs[] = "/\0/bin\0/boot\0/dev\0/etc\0/proc\0/root\0/run\0"
	                           "/sbin\0/sys\0/tmp\0/usr\0/var\0";

	if (!strncmp(p, "/lib", 4) && !strchr(p + 1, '/'))
		return true;
	for (const char *d = dirs; d < dirs + sizeof dirs - 1; d += strlen(d) + 1)
		if (!strcmp(p, d))
			return true;
	return false;
}

static int refuse(struct buf *why, const char *dir, const char *what)
{
	buf_adds(why, "--map-chown=");
	buf_quote(why, dir, strlen(dir));
	buf_adds(why, what);
	return -1;
}

int repair_open(char *const *opts, int n, struct chown_dirs *d, struct buf *why)
{
	d->n = 0;
	for (int i = 0; i < n; i++) {
		struct buf clean = {0};
		const char *dir = opts[i] + 12;
		int rc = 0;

		if (strncmp(opts[i], "--map-chown=", 12) != 0)
			continue;
		path_join_clean(&clean, dir, strlen(dir), "");
		if (dir[0] != '/' || clean.failed || system_dir(clean.s))
			rc = refuse(why, dir, ": not the root or a system directory, an absolute path");
		else if (d->n == (int)(sizeof d->fd / sizeof *d->fd))
			rc = refuse(why, dir, ": too many --map-chown");
		else if ((d->fd[d->n] = open_nofollow(clean.s, O_RDONLY | O_DIRECTORY)) < 0)
			rc = refuse(why, dir, ": not an existing directory reached without symlinks");
		else
			d->path[d->n++] = dir;
		buf_free(&clean);
		if (rc) {
			repair_close(d);
			return rc;
		}
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
	fd = open_nofollow(t->home, O_RDONLY | O_DIRECTORY);
	/* Debian's and adduser's name for "no home" is never made one. */
	if (fd < 0 && errno == ENOENT && strcmp(t->home, "/nonexistent") != 0)
		fd = open_parts(t->home, O_RDONLY, &w, w.uid, w.gid);
	if (fd < 0 && errno == ELOOP)
		say("the home ", &w.path, " is or passes through a symlink, not repaired");
	if (fd >= 0) {
		repair_top(&w, fd, false);
		(void)close(fd); /* read-only */
	}
	for (int i = 0; i < d->n; i++) {
		buf_free(&w.path);
		buf_adds(&w.path, d->path[i]);
		repair_top(&w, d->fd[i], true);
	}
	if (w.failed) {
		struct buf b = {0};

		buf_adds(&b, "warning: --map-ids: cannot change the owner of ");
		buf_quote(&b, w.failed_at.s, w.failed_at.len);
		buf_adds(&b, ": ");
		buf_adderr(&b, w.failed);
		if (w.more) {
			buf_adds(&b, " (and ");
			buf_addu(&b, w.more);
			buf_adds(&b, " more)");
		}
		map_notice(&b);
	}
	buf_free(&w.path), buf_free(&w.failed_at);
}
