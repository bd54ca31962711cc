/* Refusing to run from a setuid or setgid install (behaviour.md §8). */
#ifndef GOSU_SETID_H
#define GOSU_SETID_H

#include <sys/types.h>

/* "setuid" or "setgid" when this process was started with privileges it
 * did not have before exec, or from a file with such a mode bit; NULL
 * when it runs as intended: by a caller who already has the power. The
 * real uid and gid, read on the way, are the caller's. */
const char *setid_install(uid_t *ruid, gid_t *rgid);

#endif
