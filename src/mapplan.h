/* --map-ids, the plan (behaviour.md §11): the database files' bytes, the
 * template account and the target ids in, the files' new bytes out. Pure:
 * no system call, tested on bytes in memory. */
#ifndef GOSU_MAPPLAN_H
#define GOSU_MAPPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "resolve.h"

/* The largest target id: §3's range. 0 is never a target. */
#define MAP_ID_MAX 2147483647u
/* An id the source does not give: the template keeps its own. */
#define MAP_KEEP UINT32_MAX

enum { MAP_PASSWD, MAP_GROUP, MAP_GSHADOW, MAP_NFILES };

struct mapfile {
	const char *path;
	const char *data; /* NULL: there is no such file */
	size_t len;
	struct buf out;   /* the planned bytes (the same as data's when unchanged) */
	bool changed;
	struct field rest; /* what the reader map_dbfile() gives has still to read */
};

struct mapplan {
	uid_t old_uid, uid;
	gid_t old_gid, gid;
	struct buf notice; /* one line without '\n' naming who shares the ids, or empty */
	struct mapfile f[MAP_NFILES];
};

/* Plans the template name's move to (u, g), either of them MAP_KEEP: 0
 * and p's outputs filled, or -1 and *reason (NULL when memory ran out).
 * p->f[] holds the inputs. */
int map_plan(struct mapplan *p, const char *name, uid_t u, gid_t g, char **reason);
void map_plan_free(struct mapplan *p);

/* The planned bytes of a file (its current ones when unchanged), read
 * as a database file. */
struct dbfile map_dbfile(struct mapfile *f);

#endif
