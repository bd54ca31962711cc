/* What behaviour.md §13's options take from the caller's own
 * credentials, read before the switch: the groups its runtime gave it
 * (--keep-runtime-groups), the capabilities it can keep (--keep-caps),
 * and its ids when it cannot switch at all (--if-root). */
#ifndef GOSU_CALLER_H
#define GOSU_CALLER_H

#include "buf.h"
#include "options.h"
#include "resolve.h"

/* After resolve(): t as the options and the caller make it, the lines to
 * show in *note; 0, or an errno or -1 with the reason in *why. */
int caller_adjust(const struct options *o, const char *spec, struct target *t,
                  struct buf *note, struct buf *why);

#endif
