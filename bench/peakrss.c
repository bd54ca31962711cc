/* peakrss: the exact peak resident set of each program image a command
 * runs through, from its start to its exit.
 *
 *   peakrss CMD [ARG...]
 *
 * Prints one line per image (the command, then whatever it exec'd):
 * "image N peak_kb samples PATH".
 *
 * Why not wait4's ru_maxrss: since Linux 6.2 it is read from per-CPU
 * counters that are summed approximately, so it moves in steps of 32 pages
 * (128 KiB) per counter and reads 0 for a small static program. Here the
 * command runs under ptrace, and at every system call stop of its main
 * thread, and at its exit, /proc/PID/smaps_rollup's Rss (a walk of the page
 * tables, exact) is read. A process can only give memory back through a
 * system call (munmap, brk, madvise, mmap over a mapping, execve), so the
 * largest of these samples is the true peak of each image, up to faults
 * taken after the last sample before exit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_IMAGES 8

extern char **environ;

struct image {
	long peak_kb;
	long samples;
	char path[256];
};

static struct image images[MAX_IMAGES];
static int cur = -1; /* -1: still the forked copy of this program */

static void die(const char *what)
{
	fprintf(stderr, "peakrss: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long rss_kb(pid_t pid)
{
	char path[64], buf[1024];
	ssize_t n;
	char *p;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die(path);
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		die(path);
	if (close(fd))
		die("close");
	buf[n] = '\0';
	if (!(p = strstr(buf, "\nRss:"))) {
		fprintf(stderr, "peakrss: no Rss in %s\n", path);
		exit(1);
	}
	return strtol(p + 5, NULL, 10);
}

static void sample(pid_t pid)
{
	long kb;

	if (cur < 0)
		return;
	kb = rss_kb(pid);
	if (kb > images[cur].peak_kb)
		images[cur].peak_kb = kb;
	images[cur].samples++;
}

static void new_image(pid_t pid)
{
	char link[64];
	ssize_t n;

	if (++cur == MAX_IMAGES) {
		fprintf(stderr, "peakrss: more than %d execs\n", MAX_IMAGES);
		exit(1);
	}
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	n = readlink(link, images[cur].path, sizeof images[cur].path - 1);
	if (n < 0)
		die(link);
	images[cur].path[n] = '\0';
}

int main(int argc, char **argv)
{
	int status, sig = 0;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: peakrss CMD [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Stopped until the tracer has set its options. */
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) || raise(SIGSTOP))
			_exit(254);
		execve(argv[1], argv + 1, environ);
		_exit(255);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFSTOPPED(status))
		return fprintf(stderr, "peakrss: child did not stop\n"), 1;
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
	           (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC |
	                          PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)))
		die("PTRACE_SETOPTIONS");
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig))
			die("PTRACE_SYSCALL");
		sig = 0;
		if (waitpid(pid, &status, __WALL) != pid)
			die("waitpid");
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			sample(pid);
		else if (status >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8))
			new_image(pid);
		else if (status >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8))
			sample(pid); /* the mm is still there: the last look */
		else
			sig = WSTOPSIG(status); /* a real signal: deliver it */
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "peakrss: %s: %s %d\n", argv[1],
		        WIFEXITED(status) ? "exit status" : "killed by signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return 1;
	}
	for (int i = 0; i <= cur; i++)
		printf("image %d %ld %ld %s\n", i, images[i].peak_kb,
		       images[i].samples, images[i].path);
	if (fflush(stdout))
		die("stdout");
	return 0;
}
