/* Refusing to run from a setuid or setgid install (behaviour.md §8). */
#ifndef GOSU_SETID_H
#define GOSU_SETID_H

/* "setuid" or "setgid" when this process was started with privileges it
 * did not have before exec, or from a file with such a mode bit; NULL
 * when it runs as intended: by a caller who already has the power. */
const char *setid_install(void);

#endif
