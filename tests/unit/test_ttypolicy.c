/* When the terminal guard is needed: the decision on a table of the
 * kernel's answers, asked the way tty.c asks them, and the parsing of
 * /proc/PID/stat it rests on. */
#include <string.h>
#include <sys/sysmacros.h>

#include "check.h"
#include "ttypolicy.h"

#define PTS0 0x8800u    /* /dev/pts/0: major 136 */
#define PTS300 0x10882cu /* /dev/pts/300: minor above 255 */
#define TTY2 0x402u     /* the second virtual console */

/* The answers a case's kernel would give; a question asked is recorded. */
struct world {
	enum ctty ctty;
	unsigned tty_nr;
	bool leader;
	enum answer legacy_tiocsti, outsiders;
};

struct asked {
	bool ctty, legacy, outsiders;
};

static enum tty_verdict decide(const struct world *w, enum guard mode, bool root, bool detached,
                               struct asked *a)
{
	struct tty_facts f = {.detached = detached};
	enum tty_verdict v;
	int steps = 0;

	*a = (struct asked){0};
	while ((v = tty_decide(&f, mode, root)) >= TTY_ASK_CTTY && steps++ < 10) {
		if (v == TTY_ASK_CTTY) {
			a->ctty = true;
			f.ctty = w->ctty, f.tty_nr = w->tty_nr, f.leader = w->leader;
		} else if (v == TTY_ASK_LEGACY_TIOCSTI) {
			a->legacy = true;
			f.legacy_tiocsti = w->legacy_tiocsti;
		} else {
			a->outsiders = true;
			f.outsiders = w->outsiders;
		}
	}
	return v;
}

TEST(guard_decided_from_the_kernels_answers)
{
	/* A shared terminal: a root shell on pts/0 runs gosu. */
#define SHARED {CTTY_YES, PTS0, false, YES, NO}
	static const struct {
		const char *name;
		struct world w;
		enum guard mode;
		bool root, detached;
		enum tty_verdict want;
	} cases[] = {
		{"shared terminal", SHARED, GUARD_AUTO, false, false, TTY_GUARD},
		{"shared terminal, --tty-guard", SHARED, GUARD_REQUIRED, false, false, TTY_GUARD},
		{"shared terminal, --no-tty-guard", SHARED, GUARD_OFF, false, false, TTY_FREE},
		{"shared terminal, root target", SHARED, GUARD_AUTO, true, false, TTY_FREE},
		{"shared terminal, root target, --tty-guard", SHARED, GUARD_REQUIRED, true, false, TTY_FREE},
		{"no terminal", {CTTY_NONE, 0, false, YES, YES}, GUARD_AUTO, false, false, TTY_FREE},
		{"no terminal, --tty-guard", {CTTY_NONE, 0, false, YES, YES}, GUARD_REQUIRED, false, false,
		 TTY_FREE},
		{"no answer", {CTTY_UNKNOWN, 0, false, YES, YES}, GUARD_AUTO, false, false, TTY_GUARD},
		{"no answer, --tty-guard", {CTTY_UNKNOWN, 0, false, YES, YES}, GUARD_REQUIRED, false, false,
		 TTY_UNANSWERED},
		{"no answer, --no-tty-guard", {CTTY_UNKNOWN, 0, false, YES, YES}, GUARD_OFF, false, false,
		 TTY_FREE},
		{"session leader, nobody else", {CTTY_YES, PTS0, true, YES, NO}, GUARD_AUTO, false, false,
		 TTY_FREE},
		{"session leader, nobody else, --tty-guard", {CTTY_YES, PTS0, true, YES, NO}, GUARD_REQUIRED,
		 false, false, TTY_GUARD},
		{"session leader, another session holds it", {CTTY_YES, PTS0, true, YES, YES}, GUARD_AUTO,
		 false, false, TTY_GUARD},
		{"legacy_tiocsti 0", {CTTY_YES, PTS0, false, NO, NO}, GUARD_AUTO, false, false, TTY_FREE},
		{"legacy_tiocsti 0, --tty-guard", {CTTY_YES, PTS0, false, NO, NO}, GUARD_REQUIRED, false,
		 false, TTY_GUARD},
		{"legacy_tiocsti 0, a high pts", {CTTY_YES, PTS300, false, NO, NO}, GUARD_AUTO, false, false,
		 TTY_FREE},
		{"legacy_tiocsti 0 on a virtual console", {CTTY_YES, TTY2, false, NO, NO}, GUARD_AUTO, false,
		 false, TTY_GUARD},
		{"virtual console", {CTTY_YES, TTY2, false, YES, NO}, GUARD_AUTO, false, false, TTY_GUARD},
		{"detached, not the leader", {CTTY_YES, PTS0, false, YES, YES}, GUARD_AUTO, false, true,
		 TTY_FREE},
		{"detached, not the leader, --tty-guard", {CTTY_YES, PTS0, false, YES, YES}, GUARD_REQUIRED,
		 false, true, TTY_FREE},
		{"detached session leader, another session holds it", {CTTY_YES, PTS0, true, YES, YES},
		 GUARD_AUTO, false, true, TTY_GUARD},
		{"detached session leader, nobody else", {CTTY_YES, PTS0, true, YES, NO}, GUARD_AUTO, false,
		 true, TTY_FREE},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct asked a;
		enum tty_verdict v = decide(&cases[i].w, cases[i].mode, cases[i].root, cases[i].detached, &a);

		CHECK(v == cases[i].want, "%s: verdict %d, want %d", cases[i].name, v, cases[i].want);
	}
}

TEST(guard_asks_only_what_it_needs)
{
	static const struct world none = {CTTY_NONE, 0, false, YES, YES};
	static const struct world shared = {CTTY_YES, PTS0, false, YES, YES};
	static const struct world leader = {CTTY_YES, PTS0, true, NO, YES};
	struct asked a;

	/* The common cases cost nothing or one question. */
	decide(&shared, GUARD_OFF, false, false, &a);
	CHECK(!a.ctty && !a.legacy && !a.outsiders, "--no-tty-guard asks nothing");
	decide(&shared, GUARD_AUTO, true, false, &a);
	CHECK(!a.ctty && !a.legacy && !a.outsiders, "a root target asks nothing");
	decide(&none, GUARD_AUTO, false, false, &a);
	CHECK(a.ctty && !a.legacy && !a.outsiders, "no terminal: only the terminal");
	/* The scan of /proc only where the exemption is in question. */
	decide(&shared, GUARD_AUTO, false, false, &a);
	CHECK(a.legacy && !a.outsiders, "not the leader: no scan");
	decide(&leader, GUARD_AUTO, false, false, &a);
	CHECK(a.legacy && !a.outsiders, "legacy_tiocsti 0 settles it before the scan");
	decide(&leader, GUARD_REQUIRED, false, false, &a);
	CHECK(!a.legacy && !a.outsiders, "--tty-guard asks for no exemption");
}

TEST(virtual_consoles)
{
	static const struct {
		unsigned nr;
		bool vt;
	} cases[] = {
		{0x400, false}, /* tty0 is no console of its own */
		{0x401, true}, {0x43f, true}, {0x440, false}, /* tty64 and up: serial */
		{0x8801, false}, {0x501, false}, {0x10401, false}, {0, false},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK(tty_is_vt(cases[i].nr) == cases[i].vt, "tty_nr %#x", cases[i].nr);
	CHECK(tty_decode(PTS0) == makedev(136, 0), "pts/0");
	CHECK(tty_decode(PTS300) == makedev(136, 300), "pts/300");
	CHECK(tty_decode(0x402) == makedev(4, 2), "tty2");
	CHECK(tty_decode(0x100000u | 0x8800u) == makedev(136, 256), "minor bits above 8");
}

TEST(proc_stat_fields)
{
	static const struct {
		const char *line;
		bool ok;
		long long pid, session, tty_nr;
	} cases[] = {
		{"4242 (bash) S 4241 4242 4242 34816 4250 4194304 1 2 3", true, 4242, 4242, 34816},
		{"7 (a b) c) R 1 7 3 0 -1 4194560 8", true, 7, 3, 0},
		/* No terminal is tty_nr 0 and tpgid -1; qemu-user writes 0 0. */
		{"7 (sh) S 1 7 7 0 0 0 0 0", false, 0, 0, 0},
		{"7 (sh) S 1 7 7 0 -1", false, 0, 0, 0},
		{"7 (sh) S 1 7 7 0 -12 0", false, 0, 0, 0},
		{"9 ()) ) S 1 9 9 1025 9 0", true, 9, 9, 1025},
		{"9 (x\n) S 1 9 9 1025 9 0", true, 9, 9, 1025},
		/* The start of a line is enough; fields cut short are not. */
		{"12 (sh) S 1 12 12 34816 ", true, 12, 12, 34816},
		{"12 (sh) S 1 12 12 0 -1 ", true, 12, 12, 0},
		{"12 (sh) S 1 12 12 34816", false, 0, 0, 0},
		{"12 (sh) S 1 12 12", false, 0, 0, 0},
		{"12 (sh) S 1 12 12 3481", false, 0, 0, 0},
		{"12 (sh", false, 0, 0, 0},
		{"", false, 0, 0, 0},
		{"(sh) S 1 12 12 34816 0", false, 0, 0, 0},
		/* Out of range or not numbers: no answer, never a wrong one. */
		{"12 (sh) S 1 12 2147483648 34816 0", false, 0, 0, 0},
		{"12 (sh) S 1 12 99999999999999999999 34816 0", false, 0, 0, 0},
		{"12 (sh) S 1 12 12 -2147483648 0", false, 0, 0, 0},
		{"12 (sh) S 1 12 +12 34816 0", false, 0, 0, 0},
		{"12 (sh) S 1 12 12  34816 0", false, 0, 0, 0},
		{"12 (sh)S 1 12 12 34816 0", false, 0, 0, 0},
		{"12 (sh) S 1 12 2147483647 34816 0", true, 12, 2147483647, 34816},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct proc_stat st = {0};
		bool ok = tty_parse_stat(cases[i].line, strlen(cases[i].line), &st);

		if (CHECK(ok == cases[i].ok, "%s: %d", cases[i].line, ok) && ok)
			CHECK(st.pid == cases[i].pid && st.session == cases[i].session &&
			      st.tty_nr == cases[i].tty_nr, "%s: %lld %lld %lld", cases[i].line,
			      st.pid, st.session, st.tty_nr);
	}
}
