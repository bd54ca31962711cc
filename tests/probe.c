/* The command the end-to-end tests run through gosu: it reports what it
 * was given, one "key<TAB>value" line each, from the kernel's own view
 * (/proc/self/status, prctl, /proc/self/fd), never from what gosu says. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static void status_lines(void)
{
	static const char *const keys[] = {
		"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapAmb:",
		"CapBnd:", "NoNewPrivs:", "Seccomp:", "Seccomp_filters:", "SigBlk:", "SigIgn:",
	};
	char line[4096];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		perror("probe: /proc/self/status");
		exit(3);
	}
	while (fgets(line, sizeof line, f))
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			if (!strncmp(line, keys[i], strlen(keys[i]))) {
				char *v = line + strlen(keys[i]);

				v += strspn(v, " \t");
				v[strcspn(v, "\n")] = '\0';
				printf("%.*s\t%s\n", (int)strlen(keys[i]) - 1, keys[i], v);
			}
	fclose(f);
}

static void fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		perror("probe: /proc/self/fd");
		exit(3);
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("fd\t%s\n", e->d_name);
	closedir(d);
}

/* One line per signal as it arrives, "sig<TAB>N", written from the
 * handler itself, so the time a line appears is the time the handler ran. */
static void record(int sig)
{
	char line[] = "sig\t00\n";

	line[4] = (char)('0' + sig / 10);
	line[5] = (char)('0' + sig % 10);
	if (write(STDOUT_FILENO, line, sizeof line - 1) < 0)
		_exit(4);
	if (sig == SIGTERM) { /* then ends by it: the exit status says so */
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
	}
}

/* "probe --signals": records every signal it can catch until SIGTERM
 * ends it; "ready" once all handlers are in place. */
static _Noreturn void signals(void)
{
	struct sigaction sa = {.sa_handler = record, .sa_flags = SA_RESTART};

	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL); /* libc keeps a few to itself */
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* The controlling terminal as the kernel has it: tty_nr and the session
 * of /proc/self/stat, whatever /dev holds. */
static void ctty(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/stat", "re");
	char *p;
	int session, tty_nr;

	if (!f || !fgets(line, sizeof line, f) || !(p = strrchr(line, ')')) ||
	    sscanf(p + 1, " %*c %*d %*d %d %d", &session, &tty_nr) != 2) {
		perror("probe: /proc/self/stat");
		exit(3);
	}
	fclose(f);
	printf("session\t%d\ntty_nr\t%d\n", session, tty_nr);
}

int main(int argc, char **argv)
{
	int sig = -1, fd;
	mode_t mask = umask(0);
	struct rlimit rl;
	char cwd[4096];

	if (argc > 1 && !strcmp(argv[1], "--signals"))
		signals();
	printf("pid\t%d\nppid\t%d\n", getpid(), getppid());
	status_lines();
	if (prctl(PR_GET_PDEATHSIG, &sig))
		sig = -1;
	printf("pdeathsig\t%d\n", sig);
	printf("securebits\t%d\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	printf("umask\t%03o\n", mask);
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		printf("nofile\t%llu\n", (unsigned long long)rl.rlim_cur);
	if (getcwd(cwd, sizeof cwd))
		printf("cwd\t%s\n", cwd);
	ctty();
	fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	printf("tty\t%s\n", fd >= 0 ? "yes" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fflush(stdout);
	fds();
	for (int i = 0; i < argc; i++)
		printf("arg\t%s\n", argv[i]);
	for (char **e = environ; *e; e++)
		printf("env\t%s\n", *e);
	/* With an argument "exit=N", exit with N: the tests read exit codes. */
	return argc > 1 && !strncmp(argv[argc - 1], "exit=", 5) ? atoi(argv[argc - 1] + 5) : 0;
}
