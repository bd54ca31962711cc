/* When the terminal guard is needed (behaviour.md §9): only where a
 * terminal that another session reads after COMMAND is shared with it.
 * Decided from the kernel's answers about this process, which tty.c
 * gathers; pure. */
#ifndef GOSU_TTYPOLICY_H
#define GOSU_TTYPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "options.h"

/* A question not asked yet, or its answer. YES is also the answer where
 * the kernel gave none: it is the side that keeps the guard. */
enum answer { UNASKED, NO, YES };

enum ctty { CTTY_UNASKED, CTTY_NONE, CTTY_YES, CTTY_UNKNOWN };

struct tty_facts {
	enum ctty ctty;           /* this process's controlling terminal */
	unsigned tty_nr;          /* its device, encoded as in /proc/PID/stat; 0 if not known */
	bool leader;              /* this process leads the terminal's session */
	bool detached;            /* --detach-tty has detached it */
	enum answer legacy_tiocsti; /* TIOCSTI works without CAP_SYS_ADMIN */
	enum answer outsiders;    /* a process of another session has it open */
};

enum tty_verdict {
	TTY_FREE,       /* no guard */
	TTY_GUARD,      /* the filter (with no_new_privs where the kernel asks for it) */
	TTY_UNANSWERED, /* --tty-guard, and no answer about the terminal */
	/* Not a verdict yet: the question to answer first. */
	TTY_ASK_CTTY,
	TTY_ASK_LEGACY_TIOCSTI,
	TTY_ASK_OUTSIDERS,
};

/* The verdict, or the next question, cheapest first: the answers that
 * settle the common cases are asked for before the costly ones. */
enum tty_verdict tty_decide(const struct tty_facts *f, enum guard mode, bool root_target);

/* A virtual console, where TIOCLINUX pastes: tty1 to tty63 (major 4). */
bool tty_is_vt(unsigned tty_nr);

/* The device number that /proc/PID/stat's tty_nr encodes. */
static inline dev_t tty_decode(unsigned tty_nr)
{
	return makedev((tty_nr >> 8) & 0xfff, (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
}

struct proc_stat {
	long long pid, ppid, pgrp, session, tty_nr;
};

/* The fields up to tty_nr from the start of a /proc/PID/stat line. They
 * lie in its first 150 bytes or so (a comm is at most 64), so s may hold
 * just the start; false when they are not all there, whole, or when the
 * line says "no terminal" otherwise than the kernel does. */
bool tty_parse_stat(const char *s, size_t n, struct proc_stat *st);

#endif
