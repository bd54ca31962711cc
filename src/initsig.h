/* The decisions of the init (behaviour.md §12), as functions of numbers:
 * what a signal it receives calls for, what it exits with, and the
 * values it reads. Pure. */
#ifndef GOSU_INITSIG_H
#define GOSU_INITSIG_H

#include <stdbool.h>

/* The longest --init-grace accepted, in seconds: one day. */
#define INIT_GRACE_MAX 86400

enum init_action {
	INIT_FORWARD,  /* pass it on to COMMAND */
	INIT_CONTINUE, /* SIGCONT: give the terminal back if ours, then pass on */
	INIT_REAP,     /* SIGCHLD: wait for every child that changed */
	INIT_DROP,     /* SIGTTIN, SIGTTOU: they must not stop the init */
};

enum init_action init_action(int sig);

/* The init's exit status for COMMAND's wait status: its exit status, or
 * 128+N when signal N killed it; -1 while it has not ended (stopped). */
int init_status(int wstatus);

/* Whole seconds, 0 to INIT_GRACE_MAX, in plain decimal digits: true and
 * *seconds, or false for anything else. */
bool init_parse_grace(const char *s, unsigned *seconds);

/* The next process id of a space-separated list (/proc's children file)
 * at *p, which it moves past it: the id, or 0 at the end or at anything
 * that is not a positive id. */
int init_next_pid(const char **p);

#endif
