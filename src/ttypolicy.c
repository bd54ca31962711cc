#include "ttypolicy.h"

#include <string.h>

enum tty_verdict tty_decide(const struct tty_facts *f, enum guard mode, bool root_target)
{
	if (mode == GUARD_OFF || root_target)
		return TTY_FREE;
	if (f->ctty == CTTY_UNASKED)
		return TTY_ASK_CTTY;
	/* A session leader that detached can take the terminal back with
	 * TIOCSCTTY: for it the other rules still apply. */
	if (f->ctty == CTTY_NONE || (f->detached && !f->leader))
		return TTY_FREE;
	if (f->ctty == CTTY_UNKNOWN && mode == GUARD_REQUIRED)
		return TTY_UNANSWERED;
	/* --tty-guard rests on no exemption: a scan cannot see a holder in
	 * another PID namespace, and root can set legacy_tiocsti back. */
	if (f->ctty == CTTY_YES && mode == GUARD_AUTO) {
		if (f->legacy_tiocsti == UNASKED)
			return TTY_ASK_LEGACY_TIOCSTI;
		/* The kernel itself refuses TIOCSTI to a command without
		 * CAP_SYS_ADMIN; TIOCLINUX acts on virtual consoles only. */
		if (f->legacy_tiocsti == NO && !tty_is_vt(f->tty_nr))
			return TTY_FREE;
		/* After COMMAND only COMMAND's own processes read it. */
		if (f->leader && f->outsiders == UNASKED)
			return TTY_ASK_OUTSIDERS;
		if (f->leader && f->outsiders == NO)
			return TTY_FREE;
	}
	return TTY_GUARD;
}

bool tty_is_vt(unsigned tty_nr)
{
	return tty_nr - 0x401 < 63; /* major 4 in bits 8-19, minor 1-63 */
}

/* A decimal number below 2^31 and the space after it; false for anything
 * else (a tty_nr printed negative too: the caller then asks elsewhere). */
static bool field(const char **p, const char *end, long long *v)
{
	const char *s = *p;
	long long x = 0;

	while (s < end && *s >= '0' && *s <= '9' && x < 1LL << 31)
		x = x * 10 + (*s++ - '0');
	if (s == *p || s == end || *s != ' ' || x >= 1LL << 31)
		return false;
	*v = x;
	*p = s + 1;
	return true;
}

bool tty_parse_stat(const char *s, size_t n, struct proc_stat *st)
{
	const char *end = s + n, *comm_end = end;

	/* "pid (comm) state ppid pgrp session tty_nr ...": a comm may hold
	 * anything, the fields after it only digits, signs and the state. */
	while (comm_end > s && comm_end[-1] != ')')
		comm_end--;
	for (long long *v = &st->pid; v <= &st->tty_nr; v++) {
		if (!field(&s, end, v))
			return false;
		if (v == &st->pid) {
			if (s > comm_end || end - comm_end < 3 || comm_end[0] != ' ' || comm_end[2] != ' ')
				return false;
			s = comm_end + 3;
		}
	}
	/* Without a terminal the kernel writes tpgid -1; qemu-user's stand-in
	 * for the file writes 0 for tty_nr and tpgid alike. */
	return st->tty_nr || (end - s >= 3 && !memcmp(s, "-1 ", 3));
}
