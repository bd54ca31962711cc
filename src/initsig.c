#include "initsig.h"

#include <signal.h>
#include <sys/wait.h>

enum init_action init_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
		return INIT_REAP;
	case SIGCONT:
		return INIT_CONTINUE;
	case SIGTTIN:
	case SIGTTOU:
		return INIT_DROP;
	default:
		return INIT_FORWARD;
	}
}

int init_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

/* Digits up to the first other byte, as a number no larger than max:
 * true and *v, or false when there is none or it is larger. */
static bool decimal(const char **p, unsigned long long max, unsigned long long *v)
{
	const char *s = *p;

	*v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((*v = *v * 10 + (unsigned)(*s - '0')) > max)
			return false;
	if (s == *p)
		return false;
	*p = s;
	return true;
}

bool init_parse_grace(const char *s, unsigned *seconds)
{
	unsigned long long v;

	if (!decimal(&s, INIT_GRACE_MAX, &v) || *s)
		return false;
	*seconds = (unsigned)v;
	return true;
}

int init_next_pid(const char **p)
{
	unsigned long long v;

	while (**p == ' ' || **p == '\n')
		(*p)++;
	/* The kernel's PID_MAX_LIMIT is 2^22; an int holds every id. */
	if (!decimal(p, 0x7fffffff, &v))
		return 0;
	return (int)v;
}
