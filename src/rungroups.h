/* The groups a container runtime gave the caller, kept with
 * --keep-runtime-groups (behaviour.md §13). Pure. */
#ifndef GOSU_RUNGROUPS_H
#define GOSU_RUNGROUPS_H

#include "resolve.h"

/* Appends to t's list each gid of have (the caller's current groups,
 * sorted, no duplicates) that is not 0, not the caller's
 * real gid rgid, not in self's list (the caller's own entry: its primary
 * gid and the groups /etc/group lists it in) and not t's already: 0,
 * -ENOMEM, or -E2BIG when the list would pass MAX_GROUPS. */
int add_runtime_groups(struct target *t, const gid_t *have, size_t nhave,
                       const struct target *self, gid_t rgid);

#endif
