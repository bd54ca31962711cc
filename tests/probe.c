/* The command the end-to-end tests run through gosu: it reports what it
 * was given, one "key<TAB>value" line each, from the kernel's own view
 * (/proc/self/status, prctl, /proc/self/fd), never from what gosu says. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
		"CapBnd:", "NoNewPrivs:", "Seccomp:", "SigBlk:", "SigIgn:",
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

int main(int argc, char **argv)
{
	int sig = -1, fd;
	mode_t mask = umask(0);
	struct rlimit rl;
	char cwd[4096];

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
