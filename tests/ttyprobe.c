/* Tries to type into its terminal (fd 0) the ways the terminal guard must
 * stop, and one harmless ioctl that must still work. One line per try:
 * "name<TAB>ok" or "name<TAB>E<errno>". */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *name, long r)
{
	printf("%s\t", name);
	if (r == 0)
		printf("ok\n");
	else
		printf("E%d\n", errno);
}

#if defined(__x86_64__)
/* The i386 system call entry, open to 64-bit processes too; its arguments
 * are 32 bits wide, so the byte must lie below 4 GiB. */
static long ioctl_int80(long fd, long req, const char *arg)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(54L), "b"(fd), "c"(req), "d"(arg) : "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
#endif

int main(void)
{
	char *c = "x";
	struct winsize ws;
	char sub = 6; /* TIOCL_GETSHIFTSTATE */

	report("tiocsti", syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, c));
	report("tiocsti_high_bits", syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI | 1UL << 32, c));
#if defined(__x86_64__)
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return perror("mmap"), 2;
	low[0] = 'y';
	report("tiocsti_i386", ioctl_int80(0, TIOCSTI, low));
	/* x32's own ioctl number; ENOSYS where the kernel has no x32. */
	report("tiocsti_x32", syscall(0x40000000 | 514, 0, (unsigned long)TIOCSTI, c));
#endif
	report("tioclinux", syscall(SYS_ioctl, 0, (unsigned long)TIOCLINUX, &sub));
	report("tiocgwinsz", syscall(SYS_ioctl, 0, (unsigned long)TIOCGWINSZ, &ws));
	return 0;
}
