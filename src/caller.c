#include "caller.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capname.h"
#include "caps.h"
#include "creds.h"
#include "dbfile.h"
#include "errtext.h"
#include "rungroups.h"

static bool ids_are(const uid_t id[3], uid_t want)
{
	return id[0] == want && id[1] == want && id[2] == want;
}

/* The caller's own entry, as "gosu : ..." would resolve it. */
static int self(struct target *s, uid_t uid, gid_t gid, struct buf *why)
{
	char *reason;

	if (!resolve("", &passwd_file, &group_file, uid, gid, s, &reason))
		return 0;
	buf_adds(why, reason ? reason : "cannot allocate memory");
	free(reason);
	return -1;
}

static int fail(struct buf *why, int err)
{
	buf_adderr(why, err);
	return err;
}

int caller_adjust(const struct options *o, const char *spec, struct target *t,
                  struct buf *note, struct buf *why)
{
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	uid_t u[3];
	gid_t g[3], *have = NULL;
	uint64_t permitted;
	struct target s = {0};
	long n;
	int err = 0;
	bool as_caller;

	if (!o->keep_caps && !o->if_root && !o->keep_runtime_groups)
		return 0;
	if (getresuid(&u[0], &u[1], &u[2]) || getresgid(&g[0], &g[1], &g[2]) ||
	    caps_call(SYS_capget, caps))
		return fail(why, errno);
	permitted = caps[0].permitted | (uint64_t)caps[1].permitted << 32;
	/* Already the target is §5's case, whatever the privileges. */
	as_caller = o->if_root && !can_switch(u, permitted) &&
	            !(ids_are(u, t->uid) && ids_are(g, t->gid));
	if (as_caller || o->keep_runtime_groups) {
		if ((n = current_groups(&have, t->ngroups + 64)) < 0)
			return fail(why, (int)-n);
		if ((err = self(&s, u[0], g[0], why))) {
			free(have);
			return err;
		}
	}
	if (as_caller) {
		if (u[0] != t->uid) {
			buf_fmt(note, "warning: --if-root: cannot switch users: running as uid %u, not %q\n",
			        u[0], spec, strlen(spec));
		}
		/* Its ids, groups and name; HOME stays as it is (target_free()
		 * leaves every field zero, home NULL). */
		target_free(t);
		t->uid = u[0];
		t->gid = g[0];
		t->groups = have;
		t->ngroups = (size_t)n;
		t->name = s.name;
		t->name_len = s.name_len;
		s.name = NULL;
	} else if (o->keep_runtime_groups) {
		if ((err = -add_runtime_groups(t, have, (size_t)n, &s, g[0])))
			buf_adds(why, err == E2BIG ? "more than 65536 groups with the caller's"
			                            : "cannot allocate memory");
		free(have);
	}
	target_free(&s);
	t->caps = o->keep_caps & permitted;
	if (o->keep_caps & ~permitted) {
		buf_adds(note, "warning: --keep-caps: the caller does not have ");
		capname_add(note, o->keep_caps & ~permitted);
		buf_adds(note, ", not kept\n");
	}
	return err ? err : note->failed ? fail(why, ENOMEM) : 0;
}
