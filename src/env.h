/* The environment COMMAND gets (behaviour.md §6, §13). Pure. */
#ifndef GOSU_ENV_H
#define GOSU_ENV_H

/* A new array: env without any entry for name, then name=value, as gosu
 * orders HOME. The other entries are env's own strings. NULL if memory
 * ran out. */
char **env_set(char *const *env, const char *name, const char *value);

/* The value of env's first entry for name, as getenv() finds it; NULL if
 * there is none. */
const char *env_get(char *const *env, const char *name);

#endif
