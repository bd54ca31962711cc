/* Database files held in memory, for the resolver's tests and fuzzer. */
#ifndef MEMDB_H
#define MEMDB_H

#include <stdbool.h>
#include <stddef.h>

#include "resolve.h"

struct memdb {
	const char *data;
	size_t len;
	bool missing;   /* open fails with ENOENT */
	int open_err;   /* when not 0: open fails with it, op open_op */
	const char *open_op;
	size_t chunk;   /* bytes per read; 0: all that fits */
	size_t size_hint; /* the size open claims; 0: unknown */
	size_t pos;
	unsigned opened; /* how often open was called */
};

/* A dbfile named path over m. */
struct dbfile memdb_file(const char *path, struct memdb *m);

#endif
