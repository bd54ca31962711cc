/* --map-ids=SOURCE read as text, and the kernel's id tables read as text
 * (behaviour.md §11). Pure. */
#ifndef GOSU_MAPSOURCE_H
#define GOSU_MAPSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum source_kind { SOURCE_IDS, SOURCE_ENV, SOURCE_PATH };

struct source {
	enum source_kind kind;
	uint32_t uid, gid; /* SOURCE_IDS; gid MAP_KEEP when not given */
	const char *uvar, *gvar; /* SOURCE_ENV, ulen and glen bytes; gvar NULL when none is named */
	size_t ulen, glen;
	const char *path;  /* SOURCE_PATH */
};

/* 0 and *s (pointing into text), or -1 and *reason (NULL when memory
 * ran out). */
int source_parse(const char *text, struct source *s, char **reason);

/* The value of the variable name[0..n) in env, or NULL. */
const char *env_lookup(char *const *env, const char *name, size_t n);

/* A target id, strictly: digits only, 1-2147483647. */
bool target_id(const char *p, size_t n, uint32_t *id);

/* Whether a /proc/self/uid_map or gid_map text maps id in this
 * namespace. */
bool id_mapped(const char *map, size_t len, uint32_t id);

/* The file system type of mount id in /proc/self/mountinfo text, or NULL
 * (the bytes of the type end at the next ' '). */
const char *mount_type(const char *info, size_t len, uint64_t id, size_t *n);

#endif
