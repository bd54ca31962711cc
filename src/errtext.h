/* Error texts as gosu prints them: Go's lowercase errno wording. */
#ifndef GOSU_ERRTEXT_H
#define GOSU_ERRTEXT_H

#include "buf.h"

/* Failures that have no errno of their own, numbered past every errno. */
enum {
	ERR_NOT_REGULAR = 100000, /* a database file that is not a regular file */
	ERR_LINE_TOO_LONG,        /* a database line over LINE_MAX_BYTES */
	ERR_CHANGED,              /* a database file rewritten in place while read */
};

/* Appends the text for an errno (or one of the codes above); an errno
 * without a text prints as "errno N", as in Go. */
void buf_adderr(struct buf *b, int err);

/* Appends what, then the text for err; returns err. */
int buf_fail(struct buf *b, const char *what, int err);

#endif
