/* Turning a user spec into the credentials to run with (behaviour.md §3,
 * §4). Pure: the database files arrive through struct dbfile, so this
 * code makes no system call and is tested on bytes in memory. */
#ifndef GOSU_RESOLVE_H
#define GOSU_RESOLVE_H

#include <stdbool.h>
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

enum { PW_NAME, PW_PASSWD, PW_UID, PW_GID, PW_GECOS, PW_HOME, PW_SHELL, PW_NFIELDS };
enum { GR_NAME, GR_PASSWD, GR_GID, GR_MEMBERS, GR_NFIELDS };

/* The pieces of a database line, shared with the --map-ids plan. */
struct field {
	const char *p;
	size_t n;
};

/* A line without its '\n', trimmed; whether it is an entry (blank lines
 * and '#' comments are not). */
bool entry_of(const char *p, size_t n, struct field *line);
/* Splits at every ':'; fields past the end of the line are empty. */
void split(const char *p, size_t n, struct field *f, size_t nf);
/* An id field: digits (an optional sign, as Go reads it), 0-4294967294. */
bool parse_file_id(struct field f, uint32_t *id);

/* 0 and *t filled in; or -1 and *reason, the text that follows
 * "failed switching to '<spec>': " (NULL if memory ran out even for that). */
int resolve(const char *spec, const struct dbfile *passwd,
            const struct dbfile *group, uid_t ruid, gid_t rgid,
            struct target *t, char **reason);
void target_free(struct target *t);

#endif
