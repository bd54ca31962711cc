/* The environment COMMAND gets (behaviour.md §6). Pure. */
#ifndef GOSU_ENV_H
#define GOSU_ENV_H

/* A new array: env without any HOME entry, then HOME=home, as gosu orders
 * it. The other entries are env's own strings. NULL if memory ran out. */
char **env_with_home(char *const *env, const char *home);

#endif
