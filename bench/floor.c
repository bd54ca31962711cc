/* The floor of the work behaviour.md asks of `gosu nobody COMMAND`, run by
 * root without a terminal: the system calls it cannot do without, in its
 * order, and nothing else (the id changes as bare system calls, as gosu
 * makes them). No parsing (the ids of Debian's nobody are
 * built in), no error messages, no check of what was read. A tool that
 * does the same job cannot cost less than this on the same machine; the
 * distance between this and the trampoline is the price of the job, not
 * of any implementation.
 *
 * Built with -DSTEPS=n it stops after the first n steps below and execs
 * (0 is the trampoline): `make bench BENCH_ARGS=--ladder` times each, to
 * show what every part of the job costs. */
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOBODY 65534
#ifndef STEPS
#define STEPS 6
#endif

static char buf[4096];

/* §4: /etc/passwd up to the entry (in one read: the file is small), and
 * /etc/group to its end, since memberships may stand on any line. */
static int read_file(const char *path, int to_end)
{
	struct stat st;
	long n;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st))
		return -1;
	while ((n = syscall(SYS_read, fd, buf, sizeof buf)) > 0 && to_end)
		;
	return syscall(SYS_close, fd) || n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = {{0}};
	uid_t ids[3];
	gid_t groups[2], nobody = NOBODY;
	struct stat st;
	int fd, sig;

	if (argc < 2)
		return 2;
	/* 1. §8: the binary's mode, and the ids */
	if (STEPS >= 1 &&
	    ((fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/exe", O_PATH | O_CLOEXEC)) < 0 ||
	     fstat(fd, &st) || syscall(SYS_close, fd) ||
	     getresuid(&ids[0], &ids[1], &ids[2]) || getresgid(&ids[0], &ids[1], &ids[2])))
		return 3;
	/* 2. §3, §4 */
	if (STEPS >= 2 && (read_file("/etc/passwd", 0) || read_file("/etc/group", 1)))
		return 4;
	/* 3. §9: is there a terminal to guard? The kernel's answer: ENXIO
	 * from /dev/tty (none here), whose node must be the real one */
	if (STEPS >= 3 &&
	    ((fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) >= 0 ||
	     stat("/dev/tty", &st)))
		return 4;
	/* 4. §5: switch */
	if (STEPS >= 4 &&
	    (syscall(SYS_prctl, PR_GET_PDEATHSIG, &sig) ||
	     syscall(SYS_setgroups, 1, &nobody) ||
	     syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
	     syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY)))
		return 5;
	/* 5. §5: drop what is left, read it all back */
	if (STEPS >= 5 &&
	    (syscall(SYS_capset, &hdr, caps) ||
	     syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	     getresuid(&ids[0], &ids[1], &ids[2]) || getresgid(&ids[0], &ids[1], &ids[2]) ||
	     getgroups(2, groups) != 1 ||
	     syscall(SYS_capget, &hdr, caps) ||
	     syscall(SYS_setuid, 0) == 0))
		return 6;
	/* 6. §7: Go's LookPath, after the switch */
	if (STEPS >= 6 && (stat(argv[1], &st) || access(argv[1], X_OK)))
		return 127;
	execv(argv[1], argv + 1);
	return 127;
}
