#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errtext.h"
#include "initsig.h"
#include "ksig.h"

/* The system call itself: libc's fork takes locks and runs handlers for
 * threads that this process never has, a kilobyte and a half of code.
 * The child only execs. */
static pid_t fork_once(void)
{
#ifdef SYS_fork
	return (pid_t)syscall(SYS_fork);
#else
	return (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
#endif
}

/* The terminal's foreground process group, through fd 0; -1 when fd 0 is
 * not this process's controlling terminal. */
static pid_t foreground(void)
{
	pid_t pg;

	return ioctl(STDIN_FILENO, TIOCGPGRP, &pg) ? -1 : pg;
}

/* Not inlined: -Os would copy it into each of its three callers. */
static __attribute__((noinline)) int set_foreground(pid_t pg)
{
	return ioctl(STDIN_FILENO, TIOCSPGRP, &pg);
}

static int failed(struct buf *why, const char *what)
{
	int err = errno > 0 ? errno : EIO;

	buf_fmt(why, "init: %s%e", what, err);
	return err;
}

struct init {
	sigset_t all;
	pid_t child;
	bool leader; /* of its session: no shell above it to stop for */
	long grace;
};

/* Asks every process left to end: as PID 1 all it may signal, otherwise
 * COMMAND's process group and the init's own children (orphans that
 * came to it), never kill(-1), which would reach the caller's processes. */
static void terminate_rest(const struct init *in)
{
	struct buf b = {0};
	char chunk[256];
	const char *p;
	ssize_t n;
	int fd, pid;

	/* A process that is gone already is no error: there is nothing
	 * else to do about one that cannot be signalled either. */
	if (getpid() == 1) {
		(void)kill(-1, SIGTERM);
		return;
	}
	(void)kill(-in->child, SIGTERM);
	fd = openat(AT_FDCWD, "/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* no /proc: COMMAND's group is all it can reach */
	while ((n = read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(&b, chunk, (size_t)n);
	(void)close(fd);
	buf_addc(&b, '\0');
	for (p = b.failed ? "" : b.s; (pid = init_next_pid(&p));)
		(void)kill(pid, SIGTERM);
	buf_free(&b);
}

/* COMMAND stopped (Ctrl-Z): the init takes the terminal back from it and
 * stops too, so that the shell that started the init sees its job
 * stopped and gets the terminal. With it, what it may of its own process
 * group (the rest of a pipeline, a script that waits for it): what Ctrl-Z
 * would have stopped without the init. By Ctrl-Z's own SIGTSTP, let
 * through for that moment: the kernel drops it where no job-control
 * shell is above the group (an orphaned group, a container's `sh -c`),
 * and there a stopped init would never be continued. */
static void stopped(const struct init *in)
{
	struct ksigaction dfl = {.handler = SIG_DFL};
	unsigned long tstp[KSIGSET_BYTES / sizeof(unsigned long)] = {1UL << (SIGTSTP - 1)};

	if (in->leader)
		return;
	if (foreground() == in->child)
		(void)set_foreground(getpgrp());
	if (KSIGACTION(SIGTSTP, &dfl, NULL) ||
	    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, tstp, NULL, KSIGSET_BYTES))
		return;
	(void)kill(0, SIGTSTP);
	(void)syscall(SYS_rt_sigprocmask, SIG_BLOCK, tstp, NULL, KSIGSET_BYTES);
}

static _Noreturn void finish(const struct init *in, int status);

/* Waits for every child that has changed; COMMAND's end ends the init.
 * A SIGCHLD stands for any number of children: all are taken here. */
static void reap(const struct init *in)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED)) != 0) {
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return; /* ECHILD: none left */
		if (pid != in->child)
			continue;
		if (WIFSTOPPED(st))
			stopped(in);
		else
			finish(in, init_status(st));
	}
}

static _Noreturn void finish(const struct init *in, int status)
{
	siginfo_t si;
	pid_t pid;
	int st;

	if (in->grace < 0)
		exit(status);
	terminate_rest(in);
	/* The grace ends with SIGALRM, which comes to the same wait as
	 * SIGCHLD: no clock to read, no timeout to poll with. */
	(void)syscall(SYS_setitimer, ITIMER_REAL, (long[4]){0, 0, in->grace, 0}, NULL);
	for (;;) {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0 || (pid < 0 && errno == EINTR))
			;
		if (pid < 0 || in->grace == 0)
			exit(status);
		if (sigwaitinfo(&in->all, &si) == SIGALRM)
			exit(status);
	}
}

static _Noreturn void run(const struct init *in)
{
	siginfo_t si;
	int sig;

	for (;;) {
		if ((sig = sigwaitinfo(&in->all, &si)) < 0)
			continue; /* EINTR: stopped and continued by a debugger */
		switch (init_action(sig)) {
		case INIT_CONTINUE:
			/* After `fg` the init's group has the terminal again,
			 * after `bg` it does not: COMMAND gets what it got. */
			if (foreground() == getpgrp())
				(void)set_foreground(in->child);
			/* fall through */
		case INIT_FORWARD:
			/* It fails only once COMMAND is gone, which the
			 * SIGCHLD that is on its way reports. */
			(void)kill(in->child, sig);
			break;
		case INIT_REAP:
			reap(in);
			break;
		case INIT_DROP:
			break;
		}
	}
}

/* What the init holds that it does not need: every fd but 0-2, the
 * working directory, being dumpable, and any capability kept for
 * COMMAND. */
static int shed(bool root, struct buf *why)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct cap[_LINUX_CAPABILITY_U32S_3];
	unsigned long long rl[2];

	if (syscall(SYS_close_range, 3U, ~0U, 0U)) {
		/* Before Linux 5.9: each fd the limit allows. */
		if (errno != ENOSYS || syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, rl))
			return failed(why, "cannot close fds: ");
		for (unsigned long long fd = 3; fd < rl[0] && fd <= INT_MAX; fd++)
			(void)close((int)fd); /* EBADF: not open */
	}
	if (chdir("/"))
		return failed(why, "cannot change to /: ");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return failed(why, "cannot clear dumpable: ");
	if (root)
		return 0;
	if (syscall(SYS_capget, &hdr, cap))
		return failed(why, "cannot drop capabilities: ");
	/* Clearing the permitted set clears the ambient one with it. */
	for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (cap[i].permitted || cap[i].effective || cap[i].inheritable) {
			memset(cap, 0, sizeof cap);
			if (syscall(SYS_capset, &hdr, cap))
				return failed(why, "cannot drop capabilities: ");
			break;
		}
	return 0;
}

int init_start(long grace, bool root, struct buf *why)
{
	struct init in = {.grace = grace};
	struct ksigaction dfl = {.handler = SIG_DFL}, chld;
	sigset_t mask;
	int pdeathsig, err;
	bool fg;

	memset(&in.all, 0xff, sizeof in.all);
	/* An inherited SIG_IGN for SIGCHLD would have the kernel reap
	 * COMMAND and lose its status. */
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &in.all, &mask, KSIGSET_BYTES) ||
	    KSIGACTION(SIGCHLD, &dfl, &chld) || prctl(PR_GET_PDEATHSIG, &pdeathsig))
		return failed(why, "cannot set up the signals: ");
	/* Before the fork, so no orphan can pass the init by. EINVAL: a
	 * kernel before 3.4, or qemu-user, has none; orphans then go to PID 1
	 * as they would without the init. */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) && errno != EINVAL)
		return failed(why, "cannot become a subreaper: ");
	fg = foreground() == getpgrp();
	in.leader = getsid(0) == getpid();
	if ((in.child = fork_once()) < 0)
		return failed(why, "cannot fork: ");
	if (in.child == 0) {
		/* Its own group, and the terminal if the init's group had it:
		 * a shell's job control and Ctrl-C reach COMMAND. Signals are
		 * still blocked, so taking the terminal raises no SIGTTOU. */
		if (setpgid(0, 0) || (fg && set_foreground(getpid())) ||
		    (chld.handler == SIG_IGN && KSIGACTION(SIGCHLD, &chld, NULL)) ||
		    (pdeathsig && prctl(PR_SET_PDEATHSIG, pdeathsig)) ||
		    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, KSIGSET_BYTES))
			return failed(why, "cannot set up the command: ");
		return 0;
	}
	if ((err = shed(root, why))) {
		(void)kill(in.child, SIGKILL);
		return err;
	}
	run(&in);
}
