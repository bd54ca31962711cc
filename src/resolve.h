/* Turning a user spec into the credentials to run with (behaviour.md §3,
 * §4). Pure: the database files arrive through struct dbfile, so this
 * code makes no system call and is tested on bytes in memory. */
#ifndef GOSU_RESOLVE_H
#define GOSU_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lines.h"

/* Linux's NGROUPS_MAX: setgroups refuses longer lists. */
#define MAX_GROUPS 65536

struct dbfile {
	const char *path;
	/* 0 with *l ready to read, or an errno and the operation that failed
	 * ("open", "read"); ENOENT means there is no such file, which reads
	 * as an empty one. */
	int (*open)(const struct dbfile *f, struct lines *l, const char **op);
	void *ctx;
};

struct target {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* the primary gid first, then memberships; no duplicates */
	size_t ngroups;
	char *home;
	char *name; /* of the matched passwd entry; NULL without one */
	size_t name_len; /* all of it: a name may hold a NUL byte */
	uint64_t caps; /* capabilities a non-root uid keeps (--keep-caps) */
};

/* 0 and *t filled in; or -1 and *reason, the text that follows
 * "failed switching to '<spec>': " (NULL if memory ran out even for that). */
int resolve(const char *spec, const struct dbfile *passwd,
            const struct dbfile *group, uid_t ruid, gid_t rgid,
            struct target *t, char **reason);
void target_free(struct target *t);

#endif
