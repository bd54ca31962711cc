/* Finding COMMAND the way gosu's exec.LookPath does (behaviour.md §7). */
#ifndef GOSU_LOOKPATH_H
#define GOSU_LOOKPATH_H

#include "buf.h"

/* Exit statuses of a command that cannot be run. */
#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_RUN 126

/* 0 and *path (to pass to execve; malloced), or an exit status with the
 * message, "exec: "...": reason", in *why. pathenv may be NULL. */
int find_command(const char *cmd, const char *pathenv, char **path,
                 struct buf *why);

#endif
