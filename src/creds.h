/* Changing the process credentials to a resolved target (behaviour.md §5). */
#ifndef GOSU_CREDS_H
#define GOSU_CREDS_H

#include "buf.h"
#include "resolve.h"

/* 0 once the process runs as t (its groups sorted, as a set), with no capability left when t->uid is
 * not 0, and in *why a warning line to show if any (the caller's groups kept,
 * behaviour.md §5 step 1); otherwise an errno (the call that failed) or
 * -1 (the check afterwards found the credentials not as asked), the
 * reason in *why. */
int become(struct target *t, struct buf *why);

/* The supplementary list as a set: its size and *set (sorted), or -errno. */
long current_groups(gid_t **set, size_t guess);

#endif
