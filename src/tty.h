/* The controlling terminal before the switch (behaviour.md §9): detaching
 * from it, and the terminal guard where ttypolicy.c says it is needed. */
#ifndef GOSU_TTY_H
#define GOSU_TTY_H

#include <sys/types.h>

#include "buf.h"
#include "options.h"

/* Run while still root: 0, with a notice for stderr in *why if one is
 * due; or an errno, with the reason in *why. */
int tty_apply(const struct options *o, uid_t target, struct buf *why);

#endif
