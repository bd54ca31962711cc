/* --map-ids (behaviour.md §11): the system calls around the plan. The
 * source's ids, the user database written under its locks (or only
 * planned), the ownership repair, and the target resolved again. */
#ifndef GOSU_MAPIDS_H
#define GOSU_MAPIDS_H

#include "buf.h"
#include "resolve.h"

/* Maps spec's account to the ids source names, and replaces *t with the
 * account resolved from the new (or planned) database; chown_dirs[0..n)
 * are the command line's options, the --map-chown ones among them
 * repaired too. 0, or -1 with the reason in *why. */
int map_ids(const char *source, char *const *opts, int nopts, const char *spec,
            struct target *t, struct buf *why);

#endif
