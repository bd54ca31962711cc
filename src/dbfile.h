/* The database files as the running program reads them: streamed from the
 * current root's /etc, never through NSS. */
#ifndef GOSU_DBFILE_H
#define GOSU_DBFILE_H

#include "resolve.h"

extern const struct dbfile passwd_file, group_file;

#endif
