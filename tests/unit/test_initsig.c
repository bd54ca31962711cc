/* The init's decisions: what each signal calls for, the exit status for
 * each way COMMAND can end, and the strict reading of its numbers. */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#include "check.h"
#include "initsig.h"

TEST(every_catchable_signal_is_forwarded_but_the_init_s_own)
{
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		enum init_action want = sig == SIGCHLD ? INIT_REAP :
		                        sig == SIGCONT ? INIT_CONTINUE :
		                        sig == SIGTTIN || sig == SIGTTOU ? INIT_DROP : INIT_FORWARD;

		CHECK(init_action(sig) == want, "signal %d: %d, want %d", sig, init_action(sig), want);
	}
	/* The real-time signals the C library keeps for itself too. */
	for (int sig = 32; sig <= 64; sig++)
		CHECK(init_action(sig) == INIT_FORWARD, "signal %d", sig);
}

TEST(exit_status_is_commands_or_128_plus_the_signal)
{
	static const int codes[] = {0, 1, 3, 126, 127, 255};

	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		CHECK(init_status(W_EXITCODE(codes[i], 0)) == codes[i], "exit %d", codes[i]);
	for (int sig = 1; sig <= 64; sig++)
		CHECK(init_status(W_EXITCODE(0, sig)) == 128 + sig, "signal %d", sig);
	CHECK(init_status(W_EXITCODE(0, SIGKILL) | WCOREFLAG) == 137, "core dump");
	CHECK(init_status(W_STOPCODE(SIGTSTP)) == -1, "stopped");
	CHECK(init_status(0xffff) == -1, "continued");
}

static unsigned grace(const char *s, bool *ok)
{
	unsigned v = 12345;

	*ok = init_parse_grace(s, &v);
	return v;
}

TEST(grace_is_whole_seconds_in_range)
{
	static const struct {
		const char *s;
		unsigned v;
	} good[] = {{"0", 0}, {"1", 1}, {"10", 10}, {"007", 7}, {"86400", INIT_GRACE_MAX}};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1s", "1.5", "0x10", "86401", "4294967296",
		"4294967306", "18446744073709551617", "99999999999999999999999", "1\n",
	};
	bool ok;

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		unsigned v = grace(good[i].s, &ok);

		CHECK(ok && v == good[i].v, "%s: %d %u", good[i].s, ok, v);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		unsigned v = grace(bad[i], &ok);

		CHECK(!ok && v == 12345, "%s accepted as %u", bad[i], v);
	}
}

TEST(children_list_is_read_id_by_id)
{
	const char *p = "12 345 4194304 \n";

	CHECK(init_next_pid(&p) == 12, "first");
	CHECK(init_next_pid(&p) == 345, "second");
	CHECK(init_next_pid(&p) == 4194304, "third");
	CHECK(init_next_pid(&p) == 0 && init_next_pid(&p) == 0, "end");
	p = "";
	CHECK(init_next_pid(&p) == 0, "empty");
	/* Never wrapped into another id, never 0 read as a process. */
	p = "4294967297 5";
	CHECK(init_next_pid(&p) == 0, "too large");
	p = "2147483647 x";
	CHECK(init_next_pid(&p) == INT_MAX, "largest");
	CHECK(init_next_pid(&p) == 0, "not a number");
}
