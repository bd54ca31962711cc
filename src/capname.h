/* Capabilities by their names in capabilities(7), for --keep-caps, and
 * what a capability set allows (behaviour.md §13). Pure. */
#ifndef GOSU_CAPNAME_H
#define GOSU_CAPNAME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define CAP_BIT(n) ((uint64_t)1 << (n))

/* Adds to *set the capabilities of a ','-separated list: names in any
 * case, with or without "cap_". 0, or -1 and the reason in *why: a word
 * that is no capability, one that amounts to root, or one named twice. */
int capname_parse(const char *list, uint64_t *set, struct buf *why);

/* Appends the names of set's capabilities, "cap_a,cap_b". */
void capname_add(struct buf *b, uint64_t set);

/* Whether a process with these real, effective and saved uids and this
 * permitted set can change its ids at all. */
bool can_switch(const uid_t uid[3], uint64_t permitted);

#endif
