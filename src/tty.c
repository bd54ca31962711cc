#include "tty.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "errtext.h"
#include "ksig.h"
#include "ttyguard.h"
#include "ttypolicy.h"

/* Enough for the start of a /proc/PID/stat line (see tty_parse_stat). */
#define STAT_BYTES 256

/* The start of both messages: one string. */
#define GUARD_FAILS "cannot install the terminal guard: "
#define NOTICE "notice: no_new_privs set: the terminal guard needs it without CAP_SYS_ADMIN; " \
	"sudo and other setuid programs fail, --no-tty-guard keeps them working\n"

/* One read of a small file: the byte count, or -1 with errno. */
static ssize_t read_start(int dir, const char *path, char *buf, size_t n)
{
	int fd = openat(dir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n);
	(void)close(fd); /* read-only: nothing to lose */
	return r;
}

static bool proc_stat(int dir, const char *path, struct proc_stat *st)
{
	char buf[STAT_BYTES];
	ssize_t n = read_start(dir, path, buf, sizeof buf);

	return n > 0 && tty_parse_stat(buf, (size_t)n, st);
}

/* Without blocking on a modem line's carrier, and without becoming its
 * controlling terminal. */
__attribute__((noinline)) static int open_dev_tty(void)
{
	return openat(AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
}

/* This process's terminal: fd 0, 1 or 2, or /dev/tty opened, the first
 * that answers TIOCGSID (the kernel answers only on the caller's own
 * terminal, or on a pty master); -1 for none. */
static int terminal_fd(pid_t *sid)
{
	int fd = 0;

	for (; fd < 3; fd++)
		if (ioctl(fd, TIOCGSID, sid) == 0)
			return fd;
	fd = open_dev_tty();
	if (fd >= 0 && ioctl(fd, TIOCGSID, sid)) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* The kernel's cheapest answer, and the common one: no controlling
 * terminal, ENXIO from /dev/tty, where its node is the real one (the tty
 * driver's 5,0): a node of other numbers, or none, answers nothing. */
static bool no_ctty(void)
{
	struct stat st;
	int fd = open_dev_tty();

	if (fd >= 0) {
		(void)close(fd);
		return false;
	}
	return errno == ENXIO && stat("/dev/tty", &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == makedev(5, 0);
}

struct scan {
	dev_t dev;
	long long session; /* its holders, this process among them, are no concern */
	bool dev_tty;      /* the fds of a process: one is a /dev/tty */
};

/* The terminal; for the scan, its device and its session. */
static void ask_ctty(struct tty_facts *f, struct scan *s)
{
	struct proc_stat st;
	pid_t sid;
	int fd;

	if (no_ctty()) {
		f->ctty = CTTY_NONE;
	} else if (proc_stat(AT_FDCWD, "/proc/self/stat", &st)) {
		f->ctty = st.tty_nr ? CTTY_YES : CTTY_NONE;
		f->tty_nr = (unsigned)st.tty_nr;
		f->leader = st.session == st.pid;
		s->dev = tty_decode(f->tty_nr);
		s->session = st.session;
	} else if ((fd = terminal_fd(&sid)) >= 0) {
		/* Without /proc a terminal still answers (its absence does not),
		 * and no scan can clear it. */
		f->ctty = CTTY_YES;
		f->leader = sid == getpid();
		f->outsiders = YES;
		if (fd > 2)
			(void)close(fd);
	} else {
		f->ctty = CTTY_UNKNOWN;
	}
}

static enum answer ask_legacy_tiocsti(void)
{
	char buf[4];
	ssize_t n = read_start(AT_FDCWD, "/proc/sys/dev/tty/legacy_tiocsti", buf, sizeof buf);

	/* No such setting before Linux 6.2: TIOCSTI always works there. */
	return n == 2 && buf[0] == '0' ? NO : YES;
}

/* What an entry of a directory said: go on, or why to stop. */
enum { GO_ON, CANNOT_TELL, HOLDS };

/* fn on each entry of dir but "." and "..", until one says stop; closes
 * dir. */
static int each_entry(int dir, int (*fn)(struct scan *, int, const char *), struct scan *s)
{
	/* getdents64 writes the kernel's records, which libc's struct
	 * dirent is with 64-bit offsets (musl, and glibc as built here). */
	_Alignas(struct dirent) char buf[2048];
	long n;
	int r = GO_ON;

	while (r == GO_ON && (n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0)
		for (long off = 0; r == GO_ON && off < n;) {
			const struct dirent *d = (const struct dirent *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] != '.')
				r = fn(s, dir, d->d_name);
		}
	(void)close(dir);
	return r != GO_ON || n == 0 ? r : CANNOT_TELL;
}

static int fd_holds(struct scan *s, int dir, const char *name)
{
	struct stat st;

	if (fstatat(dir, name, &st, 0))
		return errno == ENOENT ? GO_ON : CANNOT_TELL; /* closed meanwhile */
	if (!S_ISCHR(st.st_mode))
		return GO_ON;
	/* Opened as /dev/tty, a descriptor stats as that node, whatever
	 * terminal it reads: its opener's of the time. */
	s->dev_tty |= st.st_rdev == makedev(5, 0);
	return st.st_rdev == s->dev ? HOLDS : GO_ON;
}

static int process_holds(struct scan *s, int proc, const char *name)
{
	char path[32];
	const char *c = name;
	struct proc_stat st;
	size_t n;
	int fds, r;

	while (*c >= '0' && *c <= '9' && c - name < 12)
		c++;
	if (c == name)
		return GO_ON; /* not a process */
	if (*c)
		return CANNOT_TELL;
	n = (size_t)(c - name);
	memcpy(path, name, n);
	memcpy(path + n, "/fd", sizeof "/fd");
	if ((fds = openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? GO_ON : CANNOT_TELL; /* it has exited */
	s->dev_tty = false;
	if ((r = each_entry(fds, fd_holds, s)) != HOLDS && (r != GO_ON || !s->dev_tty))
		return r;
	memcpy(path + n, "/stat", sizeof "/stat");
	/* A /dev/tty held by a process that has a terminal is that one;
	 * without one, it may be this terminal, taken from its session. */
	return proc_stat(proc, path, &st) && (st.session == s->session || (r == GO_ON && st.tty_nr))
	       ? GO_ON : HOLDS;
}

/* While still root: does a process outside this session have the
 * terminal open? A shell whose terminal was taken with `setsid -c` still
 * reads it. */
static enum answer ask_outsiders(struct scan *s)
{
	int proc = openat(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return proc >= 0 && each_entry(proc, process_holds, s) == GO_ON ? NO : YES;
}

/* Through the descriptor that holds the terminal: 0, or an errno with
 * where it failed in *where. */
static int detach(const char **where)
{
	struct ksigaction ignore = {.handler = SIG_IGN}, old;
	pid_t sid;
	int fd = terminal_fd(&sid), err;

	*where = "not on fds 0-2, and /dev/tty: ";
	if (fd < 0)
		return errno;
	*where = "";
	/* Detaching a session leader (PID 1 of a container started with a
	 * terminal, say) sends SIGHUP to its foreground process group, which
	 * holds this process: ignored for that moment, it is not even
	 * queued, unless the caller blocks SIGHUP; ignoring it once more
	 * discards it then, and COMMAND is not handed it pending. */
	if (KSIGACTION(SIGHUP, &ignore, &old)) {
		err = errno;
	} else {
		err = ioctl(fd, TIOCNOTTY) ? errno : 0;
		if ((KSIGACTION(SIGHUP, &ignore, NULL) || KSIGACTION(SIGHUP, &old, NULL)) && !err)
			err = errno;
	}
	if (fd > 2)
		(void)close(fd);
	return err;
}

int tty_apply(const struct options *o, uid_t target, struct buf *why)
{
	struct tty_facts f = {0};
	struct scan s = {0};
	enum tty_verdict v;
	const char *where;
	bool nnp;
	int err;

	if (o->detach_tty) {
		ask_ctty(&f, &s);
		if (f.ctty != CTTY_NONE && (err = detach(&where))) {
			buf_fmt(why, "cannot detach from the terminal: %s%e", where, err);
			return err;
		}
		f.detached = true;
	}
	while ((v = tty_decide(&f, o->guard, target == 0)) >= TTY_ASK_CTTY) {
		if (v == TTY_ASK_CTTY)
			ask_ctty(&f, &s);
		else if (v == TTY_ASK_LEGACY_TIOCSTI)
			f.legacy_tiocsti = ask_legacy_tiocsti();
		else
			f.outsiders = ask_outsiders(&s);
	}
	if (v == TTY_FREE)
		return 0;
	if (v == TTY_UNANSWERED) {
		buf_fmt(why, "%sno answer about the controlling terminal", GUARD_FAILS);
		return ENOTTY;
	}
	err = ttyguard_install(&nnp);
	/* By default, a kernel without seccomp filters goes without. */
	if (err && (o->guard == GUARD_REQUIRED || (err != EINVAL && err != ENOSYS)))
		return buf_fail(why, GUARD_FAILS, err);
	/* What no_new_privs costs (sudo and file capabilities in COMMAND)
	 * must be no surprise; --tty-guard asked for it. */
	if (!err && nnp && o->guard == GUARD_AUTO)
		buf_adds(why, NOTICE);
	return 0;
}
