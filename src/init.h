/* --init (behaviour.md §12): one fork after the switch; the child goes on
 * to exec COMMAND, the parent stays as its init. */
#ifndef GOSU_INIT_H
#define GOSU_INIT_H

#include <stdbool.h>

#include "buf.h"

/* Forks. Returns 0 in the child, with the caller's signal mask and
 * dispositions back, to exec COMMAND; the init never returns but exits
 * with COMMAND's status. grace: --init-grace in seconds, or -1; root: the
 * target is uid 0, whose capabilities the init keeps. An errno with the
 * reason in *why when the fork or the init's own setup fails (COMMAND is
 * killed then). */
int init_start(long grace, bool root, struct buf *why);

#endif
