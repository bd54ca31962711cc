/* --map-ids (behaviour.md §11): the system calls around the plan. The
 * source's ids, the user database written under its locks (or only
 * planned), the ownership repair, and the target resolved again. */
#ifndef GOSU_MAPIDS_H
#define GOSU_MAPIDS_H

#include "buf.h"
#include "resolve.h"

/* Maps spec's account to the ids source names and fills *t with the
 * account resolved from the new (or planned) database: 1; opts[0..nopts)
 * are the command line's options, the --map-chown ones among them
 * repaired too. 0 when the source gives no ids (*t untouched), or -1 with
 * the reason in *why. */
int map_ids(const char *source, char *const *opts, int nopts, const char *spec,
            struct target *t, struct buf *why);

#endif
