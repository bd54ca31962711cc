#include "creds.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "caps.h"
#include "errtext.h"

/* The id system calls themselves. The libc wrappers apply a change to
 * every thread; musl's blocks and unblocks all signals around each call,
 * a dozen more system calls in a process that has one thread and no
 * handler. Where the kernel also has 16-bit originals (i386, arm), the
 * 32-bit calls. */
#ifdef SYS_setresuid32
#define NR_SETGROUPS SYS_setgroups32
#define NR_SETRESGID SYS_setresgid32
#define NR_SETRESUID SYS_setresuid32
#define NR_SETUID SYS_setuid32
#else
#define NR_SETGROUPS SYS_setgroups
#define NR_SETRESGID SYS_setresgid
#define NR_SETRESUID SYS_setresuid
#define NR_SETUID SYS_setuid
#endif

/* The errno of a call that just failed; always positive, so that a
 * failure can never read as success, whatever libc or the kernel left in
 * errno. */
static int failed(void)
{
	int err = errno;

	return err > 0 ? err : EIO;
}

/* A heap sort: musl's qsort (smoothsort) would be a twelfth of the
 * binary, for lists of at most 65536 ids. */
static void sift_down(gid_t *g, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && g[child + 1] > g[child])
			child++;
		if (g[root] >= g[child])
			return;
		gid_t t = g[root];
		g[root] = g[child];
		g[child] = t;
	}
}

static void sort_gids(gid_t *g, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(g, i, n);
	while (n > 1) {
		gid_t t = g[0];
		g[0] = g[--n];
		g[n] = t;
		sift_down(g, 0, n);
	}
}

static size_t sort_unique(gid_t *g, size_t n)
{
	size_t k = 0;

	sort_gids(g, n);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || g[k - 1] != g[i])
			g[k++] = g[i];
	return k;
}

long current_groups(gid_t **set, size_t guess)
{
	/* n >= 1: getgroups(0, ...) only counts. Never over MAX_GROUPS, the
	 * kernel's NGROUPS_MAX, which the list cannot pass anyway: qemu-user
	 * refuses larger sizes. A right guess reads the list in one call. */
	int n = guess < MAX_GROUPS ? (int)guess + 1 : MAX_GROUPS;

	for (bool counted = false;; counted = true) {
		gid_t *g = malloc((size_t)n * sizeof *g);
		int got, err;

		if (!g)
			return -ENOMEM;
		if ((got = getgroups(n, g)) >= 0) {
			*set = g;
			return (long)sort_unique(g, (size_t)got);
		}
		err = failed();
		free(g);
		if (err != EINVAL || counted)
			return -err;
		/* EINVAL: more than n. Ask how many, then read them. */
		if ((n = getgroups(0, NULL)) < 0)
			return -failed();
		if (n == 0)
			n = 1;
	}
}

static bool ids_are(const uid_t id[3], uid_t want)
{
	return id[0] == want && id[1] == want && id[2] == want;
}

/* When the process has t's uids and gids, its groups as a set: their
 * number, and *have (the caller frees it); otherwise 0 and *have NULL;
 * or -errno. */
static long groups_if_ids(const struct target *t, gid_t **have)
{
	uid_t u[3];
	gid_t g[3];

	*have = NULL;
	if (getresuid(&u[0], &u[1], &u[2]))
		return -failed();
	if (!ids_are(u, t->uid))
		return 0; /* the usual case, root stepping down: no need to look further */
	if (getresgid(&g[0], &g[1], &g[2]))
		return -failed();
	return ids_are(g, t->gid) ? current_groups(have, t->ngroups) : 0;
}

/* Whether groups_if_ids() found exactly t's credentials, the groups want:
 * then there is nothing to change, and a caller without privileges may
 * still go on. */
static bool same_groups(const gid_t *have, long n, const gid_t *want, size_t nwant)
{
	return have && (size_t)n == nwant &&
	       (nwant == 0 || memcmp(have, want, nwant * sizeof *want) == 0);
}

/* How the caller's groups c differ from the target's t (both sorted):
 * " -g" for a gid of the target's that the caller lacks, " +g" for one
 * the target would not have. */
static void add_difference(struct buf *b, const gid_t *t, size_t nt,
                           const gid_t *c, size_t nc)
{
	for (size_t i = 0, j = 0; i < nt || j < nc;) {
		bool lacks = j == nc || (i < nt && t[i] < c[j]);

		if (lacks || i == nt || c[j] < t[i])
			buf_fmt(b, lacks ? " -%u" : " +%u", lacks ? t[i++] : c[j++]);
		else
			i++, j++;
	}
}

/* The sets a non-root target ends with: those kept (--keep-caps)
 * permitted and inheritable, as the ambient set needs them, and nothing
 * effective before exec. */
static void kept_sets(uint64_t keep, struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t k = (uint32_t)(keep >> 32 * i);

		data[i] = (struct __user_cap_data_struct){.permitted = k, .inheritable = k};
	}
}

/* The kernel clears the capabilities on leaving uid 0, unless securebits
 * say otherwise; this does it whatever the securebits, but for those kept
 * (--keep-caps). */
static int drop_capabilities(uint64_t keep, struct buf *why)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	/* Before Linux 2.6.26 there are no securebits. */
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	/* With no_setuid_fixup, a setuid program of the command's that drops
	 * root would keep its capabilities: cleared while this process still
	 * has CAP_SETPCAP (which that same bit kept), or refused when locked.
	 * (keep_caps does not outlive execve.) */
	if (bits > 0 && (bits & SECBIT_NO_SETUID_FIXUP)) {
		if (bits & SECBIT_NO_SETUID_FIXUP_LOCKED) {
			buf_adds(why, "securebit no_setuid_fixup is locked");
			return -1;
		}
		if (prctl(PR_SET_SECUREBITS, bits & ~SECBIT_NO_SETUID_FIXUP, 0, 0, 0))
			return failed();
	}
	/* capset also takes out of the ambient set whatever is no longer
	 * both permitted and inheritable: all but those kept. */
	kept_sets(keep, data);
	if (caps_call(SYS_capset, data) || caps_ambient(PR_CAP_AMBIENT_RAISE, keep))
		return failed();
	return 0;
}

static int mismatch(struct buf *why, const char *what)
{
	buf_fmt(why, "after switching, %s not as asked", what);
	return -1;
}

/* Trust nothing that was only asked for: read it all back. */
static int verify(const struct target *t, const gid_t *want, size_t nwant,
                  struct buf *why)
{
	struct __user_cap_data_struct have[_LINUX_CAPABILITY_U32S_3], kept[_LINUX_CAPABILITY_U32S_3];
	gid_t *groups;
	long n = groups_if_ids(t, &groups);
	bool same = same_groups(groups, n, want, nwant);

	free(groups);
	if (n < 0)
		return (int)-n;
	if (!same)
		return mismatch(why, "the uids, gids or groups are");
	if (t->uid == 0)
		return 0;
	/* Cleared first: valgrind marks only the first of the two sets
	 * capget writes as written. */
	memset(have, 0, sizeof have);
	if (caps_call(SYS_capget, have))
		return failed();
	kept_sets(t->caps, kept);
	/* The ambient set cannot hold more than the permitted one. */
	if (memcmp(have, kept, sizeof have) != 0 || caps_ambient(PR_CAP_AMBIENT_IS_SET, t->caps))
		return mismatch(why, "the capabilities are");
	if (syscall(NR_SETUID, 0) == 0)
		return mismatch(why, "the way back to root is open:");
	return 0;
}

/* Measured: smaller kept out of become(). */
__attribute__((noinline)) static int change(const struct target *t, struct buf *why)
{
	const gid_t *want = t->groups;
	size_t nwant = t->ngroups;
	gid_t *have;
	long nhave = groups_if_ids(t, &have);
	bool same = same_groups(have, nhave, want, nwant), kept = false;
	int err = 0;

	if (nhave < 0)
		return (int)-nhave;
	/* Already the target's uids and gids, and no way to change groups (no
	 * CAP_SETGID, or setgroups denied in a user namespace): the command
	 * runs with the caller's groups, and gains nothing the caller lacks
	 * (docker run --user 1000:1000, Kubernetes' fsGroup). */
	if (!same && syscall(NR_SETGROUPS, t->ngroups, t->groups)) {
		if ((err = failed()) != EPERM || !have)
			goto out;
		want = have;
		nwant = (size_t)nhave;
		kept = true;
	}
	if (!same && (syscall(NR_SETRESGID, t->gid, t->gid, t->gid) ||
	              /* kept capabilities stay permitted through the uid change */
	              (t->uid && t->caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) ||
	              syscall(NR_SETRESUID, t->uid, t->uid, t->uid)))
		err = failed();
	else if (t->uid != 0 && (err = drop_capabilities(t->caps, why)))
		;
	else if (!(err = verify(t, want, nwant, why)) && kept) {
		/* The caller's groups kept: how they differ from the target's. */
		buf_adds(why, "warning: kept the caller's groups: the target's");
		add_difference(why, t->groups, t->ngroups, have, (size_t)nhave);
		buf_addc(why, '\n');
		err = why->failed ? ENOMEM : 0;
	}
out:
	free(have);
	return err;
}

int become(struct target *t, struct buf *why)
{
	int pdeathsig, err;

	/* The kernel clears it on a credential change; the caller set it
	 * for the command as much as for us. */
	if (prctl(PR_GET_PDEATHSIG, &pdeathsig))
		return failed();
	/* A set, as getgroups will return it: the kernel sorts its copy too. */
	t->ngroups = sort_unique(t->groups, t->ngroups);
	err = change(t, why);
	if (!err && pdeathsig && prctl(PR_SET_PDEATHSIG, pdeathsig))
		err = failed();
	if (err > 0)
		buf_adderr(why, err);
	return err;
}
