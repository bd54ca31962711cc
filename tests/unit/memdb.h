/* Database files held in memory, for the resolver's tests and fuzzer. */
#ifndef MEMDB_H
#define MEMDB_H

#include <stdbool.h>
#include <stddef.h>

#include "resolve.h"

/* What a file says of its size at open: the reader sizes its first buffer
 * by it, and must not depend on it being true (the file may change between
 * fstat and read). The fuzzer picks among the first four. */
enum claim { CLAIM_NONE, CLAIM_EXACT, CLAIM_ONE_BYTE, CLAIM_TWICE, CLAIM_ONE_SHORT };

struct memdb {
	const char *data;
	size_t len;
	bool missing;   /* open fails with ENOENT */
	int open_err;   /* when not 0: open fails with it, op open_op */
	const char *open_op;
	size_t chunk;   /* bytes per read; 0: all that fits */
	enum claim claim; /* the size open says the file has */
	size_t pos;
	unsigned opened; /* how often open was called */
	/* How many times from the first the file says, at close, that it
	 * changed while it was read; then it holds later (when not NULL). */
	unsigned changes;
	const char *later;
};

/* A dbfile named path over m. */
struct dbfile memdb_file(const char *path, struct memdb *m);

#endif
