/* Types ARG and a newline into its terminal (fd 0) with TIOCSTI, as a
 * program run by `gosu app` from a root shell might. Prints "injected" or
 * "E<errno>" for the first character refused. */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: injector LINE\n", stderr);
		return 2;
	}
	for (const char *p = argv[1];; p++) {
		char c = *p ? *p : '\n';

		if (ioctl(0, TIOCSTI, &c) != 0) {
			printf("E%d\n", errno);
			return 1;
		}
		if (!*p)
			break;
	}
	printf("injected\n");
	return 0;
}
