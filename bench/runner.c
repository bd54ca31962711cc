/* runner: times fork+execve+wait of each command, in alternating blocks.
 *
 *   runner BLOCKS RUNS WARMUP CMD [ARG...] [::: CMD [ARG...]]...
 *
 * A command whose first word is "+tty" runs with a pseudo-terminal as its
 * controlling terminal (the runner itself has none: it makes its own
 * session), so a tool's terminal handling can be measured on its own. The
 * runner holds that terminal open too, as a shell does. With "+pty" the
 * runner holds only the master side, as a container engine does, and the
 * command's session is the terminal's only holder.
 *
 * Output, one line per run on stdout:
 * "block command run wall_ns maxrss_kb cpu_us", cpu_us being the child's
 * user plus system time, which other load on the machine disturbs less.
 * The first line, "# fork-only maxrss_kb N", is what a child that exits
 * without exec'ing reports: the part of every maxrss that is the runner's
 * own pages, copied into the child by fork (see BENCHMARKS.md).
 *
 * No shell and no allocation in the measured path; the runner keeps its
 * own memory small because fork copies its page tables into every child.
 * Any run that does not exit 0 stops the benchmark: a tool that fails
 * fast must not look fast. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 32

extern char **environ;

struct cmd {
	char **argv;
	int tty; /* the slave of a pty to make the controlling terminal, or -1 */
	char *pty; /* or the path of one for the command to open */
};

static struct cmd cmds[MAX_CMDS];
static int ncmds;
static char outbuf[4096];

static void die(const char *what)
{
	fprintf(stderr, "runner: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long number(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 1000000) {
		fprintf(stderr, "runner: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

/* The path of a new pty's slave. The master stays open (and leaks on
 * purpose) so the slave keeps a peer for the whole run. */
static char *new_pty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char *name;

	if (m < 0)
		die("posix_openpt");
	if (grantpt(m) || unlockpt(m))
		die("grantpt/unlockpt");
	if (!(name = ptsname(m)) || !(name = strdup(name)))
		die("ptsname");
	return name;
}

static int open_pty_slave(void)
{
	char *name = new_pty();
	int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (s < 0)
		die(name);
	free(name);
	return s;
}

static void parse_cmds(int argc, char **argv)
{
	for (int i = 0; i < argc;) {
		struct cmd *c = &cmds[ncmds];
		int j = i;

		if (ncmds == MAX_CMDS) {
			fprintf(stderr, "runner: more than %d commands\n", MAX_CMDS);
			exit(2);
		}
		c->tty = -1;
		c->pty = NULL;
		if (!strcmp(argv[j], "+tty")) {
			c->tty = open_pty_slave();
			j++;
		} else if (!strcmp(argv[j], "+pty")) {
			c->pty = new_pty();
			j++;
		}
		c->argv = argv + j;
		while (j < argc && strcmp(argv[j], ":::"))
			j++;
		if (j == (int)(c->argv - argv)) {
			fprintf(stderr, "runner: empty command\n");
			exit(2);
		}
		if (j < argc)
			argv[j++] = NULL; /* ends this command's argv */
		ncmds++;
		i = j;
	}
}

#define EXIT_NO_TTY 254
#define EXIT_NO_EXEC 255

/* Only async-signal-safe calls between fork and execve. The terminal
 * stays the session's controlling terminal after its fd closes on exec. */
static _Noreturn void child(const struct cmd *c)
{
	int tty = c->pty ? open(c->pty, O_RDWR | O_NOCTTY | O_CLOEXEC) : c->tty;

	if ((c->tty >= 0 || c->pty) && (setsid() < 0 || ioctl(tty, TIOCSCTTY, 0) < 0))
		_exit(EXIT_NO_TTY);
	execve(c->argv[0], c->argv, environ);
	_exit(EXIT_NO_EXEC);
}

struct result {
	long long wall_ns, cpu_us;
	long maxrss_kb;
};

static long long us(struct timeval t)
{
	return t.tv_sec * 1000000LL + t.tv_usec;
}

/* One run of c, or of a child that exits at once when c is NULL. */
static struct result run(const struct cmd *c)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (clock_gettime(CLOCK_MONOTONIC, &t0))
		die("clock_gettime");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (!c)
			_exit(0);
		child(c);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	if (clock_gettime(CLOCK_MONOTONIC, &t1))
		die("clock_gettime");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "runner: %s: %s %d%s\n", c ? c->argv[0] : "fork",
		        WIFEXITED(status) ? "exit status" : "killed by signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		        !WIFEXITED(status) ? "" :
		        WEXITSTATUS(status) == EXIT_NO_TTY ? " (no controlling terminal)" :
		        WEXITSTATUS(status) == EXIT_NO_EXEC ? " (execve failed?)" : "");
		exit(1);
	}
	return (struct result){
		.wall_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec),
		.cpu_us = us(ru.ru_utime) + us(ru.ru_stime),
		.maxrss_kb = ru.ru_maxrss,
	};
}

int main(int argc, char **argv)
{
	long blocks, runs, warmup;

	if (argc < 5) {
		fprintf(stderr, "usage: runner BLOCKS RUNS WARMUP CMD [ARG...] [::: CMD [ARG...]]...\n");
		return 2;
	}
	blocks = number(argv[1], "BLOCKS");
	runs = number(argv[2], "RUNS");
	warmup = number(argv[3], "WARMUP");
	if (setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf))
		die("setvbuf");
	/* No controlling terminal unless a command asks for one: a tool's
	 * terminal guard must not switch on by chance of how make was run.
	 * setsid fails for a process group leader, as a job-control shell
	 * makes it: then say so if a terminal is still there. */
	if (setsid() < 0) {
		int tty = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);

		if (tty >= 0) {
			fprintf(stderr, "runner: warning: on a terminal; run it as `setsid runner ...`\n");
			if (close(tty))
				die("close");
		}
	}
	parse_cmds(argc - 4, argv + 4);

	printf("# fork-only maxrss_kb %ld\n", run(NULL).maxrss_kb);
	for (int c = 0; c < ncmds; c++)
		for (long r = 0; r < warmup; r++)
			run(&cmds[c]);
	/* Each block starts one command further on, so no command always
	 * follows the same neighbour. */
	for (long b = 0; b < blocks; b++)
		for (int k = 0; k < ncmds; k++) {
			int c = (int)((b + k) % ncmds);

			for (long r = 0; r < runs; r++) {
				struct result x = run(&cmds[c]);

				if (printf("%ld %d %ld %lld %ld %lld\n", b, c, r, x.wall_ns,
				           x.maxrss_kb, x.cpu_us) < 0)
					die("stdout");
			}
		}
	if (fflush(stdout))
		die("stdout");
	return 0;
}
