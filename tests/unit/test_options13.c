/* The pure rules of behaviour.md §13: capability names for --keep-caps,
 * whether a caller can switch at all (--if-root), the runtime's groups
 * (--keep-runtime-groups), and the environment entries (--user-env). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capname.h"
#include "check.h"
#include "env.h"
#include "rungroups.h"

/* capabilities(7), by number */
static const char *const names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};
#define NCAPS (sizeof names / sizeof *names)

static const char *const refused[] = {
	"setuid", "setgid", "setpcap", "sys_admin", "sys_module", "sys_ptrace", "sys_rawio",
	"dac_override", "dac_read_search", "fowner", "chown", "mknod", "bpf", "sys_boot",
	"mac_admin", "mac_override", "linux_immutable", "perfmon", "setfcap",
};

static bool is_refused(const char *name)
{
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		if (!strcmp(refused[i], name))
			return true;
	return false;
}

/* 0 and the set, or -1 and the message. */
static int parse(const char *list, uint64_t *set, char **why)
{
	struct buf b = {0};
	int rc;

	*set = 0;
	rc = capname_parse(list, set, &b);
	*why = buf_str(&b);
	return rc;
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s -= 32;
}

TEST(every_name_in_every_spelling)
{
	for (size_t c = 0; c < NCAPS; c++) {
		char spellings[4][64];
		uint64_t set;
		char *why;

		snprintf(spellings[0], sizeof spellings[0], "%s", names[c]);
		snprintf(spellings[1], sizeof spellings[1], "CAP_%s", names[c]);
		upper(spellings[1]);
		snprintf(spellings[2], sizeof spellings[2], "cap_%s", names[c]);
		snprintf(spellings[3], sizeof spellings[3], "Cap_%s", names[c]);
		spellings[3][4] -= 32;
		for (int k = 0; k < 4; k++) {
			int rc = parse(spellings[k], &set, &why);

			if (is_refused(names[c])) {
				char want[512];

				snprintf(want, sizeof want, "--keep-caps: \"%s\" is a capability that amounts to root",
				         spellings[k]);
				CHECK(rc == -1 && why && !strcmp(why, want), "%s: %s", spellings[k], NN(why));
			} else {
				CHECK(rc == 0 && set == CAP_BIT(c), "%s: %d %llx %s", spellings[k], rc,
				      (unsigned long long)set, NN(why));
			}
			free(why);
		}
	}
}

TEST(lists_and_their_errors)
{
	static const struct {
		const char *list;
		const char *why; /* NULL: accepted */
		uint64_t set;
	} cases[] = {
		{"net_bind_service,net_raw,sys_nice", NULL, CAP_BIT(10) | CAP_BIT(13) | CAP_BIT(23)},
		{"checkpoint_restore", NULL, CAP_BIT(40)},
		{"bogus", "--keep-caps: \"bogus\" is not a capability", 0},
		{"net_raw,bogus", "--keep-caps: \"bogus\" is not a capability", 0},
		{"", "--keep-caps: \"\" is not a capability", 0},
		{"net_raw,", "--keep-caps: \"\" is not a capability", 0},
		{",net_raw", "--keep-caps: \"\" is not a capability", 0},
		{"cap_", "--keep-caps: \"cap_\" is not a capability", 0},
		{"cap_cap_kill", "--keep-caps: \"cap_cap_kill\" is not a capability", 0},
		{"kil", "--keep-caps: \"kil\" is not a capability", 0},
		{"killl", "--keep-caps: \"killl\" is not a capability", 0},
		{" kill", "--keep-caps: \" kill\" is not a capability", 0},
		{"net-raw", "--keep-caps: \"net-raw\" is not a capability", 0},
		{"net_raw\n", "--keep-caps: \"net_raw\\n\" is not a capability", 0},
		{"n\xc3\xa9t_raw", "--keep-caps: \"n\xc3\xa9t_raw\" is not a capability", 0},
		{"net_raw,NET_RAW", "--keep-caps: \"NET_RAW\" is named twice", 0},
		{"kill,cap_kill", "--keep-caps: \"cap_kill\" is named twice", 0},
		{"kill,SETUID,bogus", "--keep-caps: \"SETUID\" is a capability that amounts to root", 0},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint64_t set;
		char *why;
		int rc = parse(cases[i].list, &set, &why);

		if (cases[i].why)
			CHECK(rc == -1 && why && !strcmp(why, cases[i].why), "'%s': %s", cases[i].list, NN(why));
		else
			CHECK(rc == 0 && set == cases[i].set && (!why || !*why), "'%s': %d %llx", cases[i].list, rc,
			      (unsigned long long)set);
		free(why);
	}
}

TEST(a_repeat_across_two_options_is_a_repeat)
{
	struct buf b = {0};
	uint64_t set = 0;

	CHECK(capname_parse("kill", &set, &b) == 0 && set == CAP_BIT(5), "first");
	CHECK(capname_parse("lease,KILL", &set, &b) == -1, "second");
	char *why = buf_str(&b);
	CHECK(why && !strcmp(why, "--keep-caps: \"KILL\" is named twice"), "%s", NN(why));
	free(why);
}

TEST(names_are_printed_as_in_capabilities_7)
{
	static const struct {
		uint64_t set;
		const char *text;
	} cases[] = {
		{0, ""},
		{CAP_BIT(24), "cap_sys_resource"},
		{CAP_BIT(0) | CAP_BIT(24) | CAP_BIT(40), "cap_chown,cap_sys_resource,cap_checkpoint_restore"},
		/* numbers past the table's have no name to print */
		{CAP_BIT(13) | CAP_BIT(63), "cap_net_raw"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b = {0};

		capname_add(&b, cases[i].set);
		char *s = buf_str(&b);
		CHECK(s ? !strcmp(s, cases[i].text) : !*cases[i].text, "%s", NN(s));
		free(s);
	}
}

TEST(who_can_switch)
{
	static const struct {
		uid_t uid[3];
		uint64_t permitted;
		bool can;
	} cases[] = {
		{{0, 0, 0}, 0, true},               /* docker run --cap-drop ALL: still uid 0 */
		{{1000, 0, 1000}, 0, true},
		{{1000, 1000, 0}, 0, true},
		{{0, 1000, 1000}, 0, true},
		{{1000, 1000, 1000}, 0, false},     /* docker run --user 1000 */
		{{1000, 1000, 1000}, CAP_BIT(10) | CAP_BIT(13), false},
		{{1000, 1000, 1000}, CAP_BIT(7), true},
		{{1000, 1000, 1000}, CAP_BIT(6), true},
		{{1000, 1000, 1000}, CAP_BIT(6) | CAP_BIT(7), true},
		{{1000, 1000, 1000}, ~(CAP_BIT(6) | CAP_BIT(7)), false},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK(can_switch(cases[i].uid, cases[i].permitted) == cases[i].can, "case %zu", i);
}

static char *groups_text(const struct target *t)
{
	struct buf b = {0};

	for (size_t i = 0; i < t->ngroups; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_addu(&b, t->groups[i]);
	}
	return buf_str(&b);
}

static struct target with_groups(const gid_t *g, size_t n)
{
	struct target t = {0};

	t.groups = malloc((n ? n : 1) * sizeof *t.groups);
	memcpy(t.groups, g, n * sizeof *g);
	t.ngroups = n;
	return t;
}

TEST(runtime_groups_rule)
{
	static const struct {
		gid_t target[4], have[8], self[4], rgid;
		size_t ntarget, nhave, nself;
		const char *after;
	} cases[] = {
		/* docker run --group-add 3000 as root, whose entry lists it in 44 */
		{{1000, 2000}, {0, 44, 3000}, {0, 44}, 0, 2, 3, 2, "1000 2000 3000"},
		/* gid 0 never, even when it is not the caller's primary gid */
		{{1000}, {0, 3000, 7000}, {7000}, 7000, 1, 3, 1, "1000 3000"},
		/* the caller's real gid, with its entry's gid elsewhere */
		{{1000}, {5, 7000, 8000}, {5}, 7000, 1, 3, 1, "1000 8000"},
		/* the target's own ones come once, first */
		{{1000, 3000}, {1000, 2000, 3000}, {0}, 0, 2, 3, 1, "1000 3000 2000"},
		/* Kubernetes fsGroup and supplementalGroups for a root caller */
		{{1000}, {0, 2000, 3000, 4000}, {0}, 0, 1, 4, 1, "1000 2000 3000 4000"},
		/* nothing from the runtime */
		{{1000, 2000}, {0}, {0}, 0, 2, 1, 1, "1000 2000"},
		{{1000, 2000}, {0}, {0}, 0, 2, 0, 1, "1000 2000"},
		/* everything the caller has is explained by the files */
		{{1000}, {0, 10, 11, 12}, {0, 12, 11, 10}, 0, 1, 4, 4, "1000"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct target t = with_groups(cases[i].target, cases[i].ntarget);
		struct target self = with_groups(cases[i].self, cases[i].nself);
		int rc = add_runtime_groups(&t, cases[i].have, cases[i].nhave, &self, cases[i].rgid);
		char *g = groups_text(&t);

		CHECK(rc == 0 && g && !strcmp(g, cases[i].after), "case %zu: %d '%s'", i, rc, NN(g));
		free(g);
		target_free(&t);
		target_free(&self);
	}
}

TEST(runtime_groups_at_most_65536)
{
	size_t n = MAX_GROUPS - 2;
	gid_t *mine = malloc(n * sizeof *mine), have[4] = {0, 7, 8, 9};
	struct target self = with_groups(have, 1);

	for (size_t i = 0; i < n; i++)
		mine[i] = (gid_t)(100 + i);
	struct target t = with_groups(mine, n);
	/* two more fit */
	CHECK(add_runtime_groups(&t, have, 3, &self, 0) == 0 && t.ngroups == MAX_GROUPS, "%zu", t.ngroups);
	CHECK(t.groups[MAX_GROUPS - 1] == 8, "last %u", (unsigned)t.groups[MAX_GROUPS - 1]);
	/* one more does not, and the list is left as it was */
	CHECK(add_runtime_groups(&t, have, 4, &self, 0) == -E2BIG && t.ngroups == MAX_GROUPS, "%zu", t.ngroups);
	target_free(&t);
	target_free(&self);
	free(mine);
}

TEST(runtime_groups_many_on_both_sides)
{
	/* sorted lists as long as the kernel allows, searched, not compared
	 * pairwise: a quadratic rule would take minutes here */
	size_t n = 65000;
	gid_t *have = malloc(n * sizeof *have), *mine = malloc(n * sizeof *mine);

	for (size_t i = 0; i < n; i++) {
		have[i] = (gid_t)(2 * i);
		mine[i] = (gid_t)(4 * i + 1);
	}
	struct target t = with_groups(mine, n), self = with_groups(have, n - 1);
	CHECK(add_runtime_groups(&t, have, n, &self, 0) == 0 && t.ngroups == n + 1 &&
	      t.groups[n] == have[n - 1], "%zu", t.ngroups);
	target_free(&t);
	target_free(&self);
	free(have);
	free(mine);
}

TEST(env_set_replaces_every_entry_at_the_end)
{
	char *env[] = {"USER=root", "A=1", "USERX=x", "USER", "USER=", "LOGNAME=root", "=USER", NULL};
	char **e = env_set(env, "USER", "app");
	const char *want[] = {"A=1", "USERX=x", "USER", "LOGNAME=root", "=USER", "USER=app", NULL};
	size_t i = 0;

	for (; e && want[i]; i++)
		CHECK(e[i] && !strcmp(e[i], want[i]), "%zu: %s", i, NN(e[i]));
	CHECK(e && !e[i], "end");
	free(e ? e[i - 1] : NULL);
	free(e);
}

TEST(env_get_finds_the_first_entry_as_getenv)
{
	char *env[] = {"PATHX=x", "PATH", "=PATH", "PATH=/bin", "PATH=/usr/bin", "E=", NULL};

	CHECK(!strcmp(NN(env_get(env, "PATH")), "/bin"), "PATH: %s", NN(env_get(env, "PATH")));
	CHECK(!strcmp(NN(env_get(env, "E")), ""), "an empty value");
	CHECK(env_get(env, "PAT") == NULL && env_get(env, "X") == NULL, "no entry");
	CHECK(env_get(env + 6, "PATH") == NULL, "an empty environment");
}
