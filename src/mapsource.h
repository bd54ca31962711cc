/* --map-ids=SOURCE read as text, and the kernel's tables that tell about
 * the ids read as text (behaviour.md §11). Pure. */
#ifndef GOSU_MAPSOURCE_H
#define GOSU_MAPSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum { SOURCE_NONE, SOURCE_IDS, SOURCE_PATH };

/* What --map-ids=text names, the variables of env[:UVAR[:GVAR]] looked up
 * in env: SOURCE_IDS with id[0] and id[1] (the gid MAP_KEEP when none is
 * given); SOURCE_NONE when the uid variable is unset or empty (then *note
 * holds a warning line when the gid one is set); SOURCE_PATH when the ids
 * are a path's owner's; or -1 with the reason in *why. */
int source_ids(const char *text, char *const *env, uint32_t id[2], struct buf *note,
               struct buf *why);

/* The number at *p, after blanks and line ends, *p moved past it; false
 * when no digit is there. Past 2^33 it stays 2^33: out of any range. */
bool scan_number(const char **p, const char *end, uint64_t *v);

/* A target id, strictly: digits only, 1-2147483647. */
bool target_id(const char *p, size_t n, uint32_t *id);

/* Whether a /proc/self/uid_map or gid_map text maps id in this
 * namespace. */
bool id_mapped(const char *map, size_t len, uint32_t id);

/* Whether mount id is devtmpfs in a /proc/self/mountinfo text. */
bool on_devtmpfs(const char *info, size_t len, uint64_t id);

#endif
