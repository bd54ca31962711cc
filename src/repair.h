/* --map-ids, the ownership repair (behaviour.md §11): the template's home
 * and each --map-chown=DIR given to the new ids, never by a name checked
 * before, never past the top's mount. */
#ifndef GOSU_REPAIR_H
#define GOSU_REPAIR_H

#include <stdint.h>

#include "buf.h"
#include "resolve.h"

/* An absolute path opened without following any symlink or magic link,
 * with flags (O_PATH, or O_RDONLY | O_DIRECTORY); -1 and errno. */
int open_nofollow(const char *path, int flags);

struct statx;
/* statx of name at fd, with the mount id: 0 or -1 and errno. */
int statx_mnt(int fd, const char *name, int flags, struct statx *stx);

/* Writes b and a '\n' to stderr, and frees b. */
void map_notice(struct buf *b);

/* The --map-chown directories, opened. */
struct chown_dirs {
	int fd[64];
	const char *path[64];
	int n;
};

/* Opens the --map-chown=DIR options among opts[0..n): 0, or -1 with the
 * reason in *why when one is refused (then none is open). */
int repair_open(char *const *opts, int n, struct chown_dirs *d, struct buf *why);
void repair_close(struct chown_dirs *d);

/* Gives t's home (created if missing) and d's directories from the old
 * ids to t's. Repairs that fail are said on stderr and are not fatal. */
void repair(const struct target *t, uint32_t old_uid, uint32_t old_gid,
            const struct chown_dirs *d);

#endif
