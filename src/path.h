/* Lexical path handling, as Go's path/filepath does it. Pure. */
#ifndef GOSU_PATH_H
#define GOSU_PATH_H

#include <stddef.h>

#include "buf.h"

/* Appends dir + "/" + file cleaned like filepath.Join: repeated slashes,
 * "." elements and each ".." with the element before it removed, ".."
 * at the root dropped, "." for an empty result. */
void path_join_clean(struct buf *b, const char *dir, size_t dirlen,
                     const char *file);

#endif
