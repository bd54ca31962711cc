#include "errtext.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lines.h"

/* Only the errors the calls of this program can return, as numbers by
 * name (each architecture numbers them its own way) beside one string of
 * their texts: a table of pointers indexed by errno would be mostly holes. */
static const unsigned char number[] = {
	EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF, EAGAIN,
	ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENODEV, ENOTDIR, EISDIR, EINVAL,
	ENFILE, EMFILE, ENOTTY, ETXTBSY, EFBIG, ESPIPE, EROFS, ERANGE, ENAMETOOLONG,
	ENOSYS, ELOOP, EOVERFLOW, ELIBBAD, EOPNOTSUPP, ESTALE, EUCLEAN, ENOMEDIUM,
};
/* Numbers past a byte (none on Linux's architectures) would not fit. */
_Static_assert(ENOMEDIUM < 256 && EUCLEAN < 256 && ESTALE < 256 && EOPNOTSUPP < 256,
               "an errno of the table does not fit in a byte");
static const char text[] =
	"operation not permitted\0"
	"no such file or directory\0"
	"no such process\0"
	"interrupted system call\0"
	"input/output error\0"
	"no such device or address\0"
	"argument list too long\0"
	"exec format error\0"
	"bad file descriptor\0"
	"resource temporarily unavailable\0"
	"cannot allocate memory\0"
	"permission denied\0"
	"bad address\0"
	"device or resource busy\0"
	"file exists\0"
	"no such device\0"
	"not a directory\0"
	"is a directory\0"
	"invalid argument\0"
	"too many open files in system\0"
	"too many open files\0"
	"inappropriate ioctl for device\0"
	"text file busy\0"
	"file too large\0"
	"illegal seek\0"
	"read-only file system\0"
	"numerical result out of range\0"
	"file name too long\0"
	"function not implemented\0"
	"too many levels of symbolic links\0"
	"value too large for defined data type\0"
	"accessing a corrupted shared library\0"
	"operation not supported\0"
	"stale NFS file handle\0"
	"structure needs cleaning\0"
	"no medium found\0";

/* The text for err, or NULL. */
static const char *errno_text(int err)
{
	const char *t = text;

	for (size_t i = 0; i < sizeof number; i++, t += strlen(t) + 1)
		if (number[i] == err)
			return t;
	return NULL;
}

void buf_adderr(struct buf *b, int err)
{
	const char *t = errno_text(err);

	if (err == ERR_NOT_REGULAR) {
		buf_adds(b, "not a regular file");
	} else if (err == ERR_LINE_TOO_LONG) {
		buf_fmt(b, "line longer than %u bytes", (unsigned)LINE_MAX_BYTES);
	} else if (err == ERR_CHANGED) {
		buf_adds(b, "changed while read");
	} else if (t) {
		buf_adds(b, t);
	} else {
		buf_adds(b, "errno ");
		buf_addu(b, (unsigned)err);
	}
}

int buf_fail(struct buf *b, const char *what, int err)
{
	buf_adds(b, what);
	buf_adderr(b, err);
	return err;
}
