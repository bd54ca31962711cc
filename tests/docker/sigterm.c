/* A program that handles SIGTERM: says "ready", then exits 0 on SIGTERM.
 * A handler, not sigwait(): PID 1 of a container is sent only the signals
 * it has a handler for. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_term };

	if (sigemptyset(&sa.sa_mask) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
		perror("sigterm: sigaction");
		return 2;
	}
	puts("ready");
	if (fflush(stdout) != 0)
		return 2;
	for (;;)
		pause();
}
