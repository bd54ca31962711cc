#include "errtext.h"

#include <errno.h>
#include <stddef.h>

#include "lines.h"

/* Only the errors the calls of this program can return; designated by
 * name, so the table is right on every architecture's numbering. */
static const char *const text[] = {
	[EPERM] = "operation not permitted",
	[ENOENT] = "no such file or directory",
	[ESRCH] = "no such process",
	[EINTR] = "interrupted system call",
	[EIO] = "input/output error",
	[ENXIO] = "no such device or address",
	[E2BIG] = "argument list too long",
	[ENOEXEC] = "exec format error",
	[EBADF] = "bad file descriptor",
	[EAGAIN] = "resource temporarily unavailable",
	[ENOMEM] = "cannot allocate memory",
	[EACCES] = "permission denied",
	[EFAULT] = "bad address",
	[EBUSY] = "device or resource busy",
	[EEXIST] = "file exists",
	[ENODEV] = "no such device",
	[ENOTDIR] = "not a directory",
	[EISDIR] = "is a directory",
	[EINVAL] = "invalid argument",
	[ENFILE] = "too many open files in system",
	[EMFILE] = "too many open files",
	[ENOTTY] = "inappropriate ioctl for device",
	[ETXTBSY] = "text file busy",
	[EFBIG] = "file too large",
	[ESPIPE] = "illegal seek",
	[EROFS] = "read-only file system",
	[ERANGE] = "numerical result out of range",
	[ENAMETOOLONG] = "file name too long",
	[ENOSYS] = "function not implemented",
	[ELOOP] = "too many levels of symbolic links",
	[EOVERFLOW] = "value too large for defined data type",
	[ELIBBAD] = "accessing a corrupted shared library",
	[EOPNOTSUPP] = "operation not supported",
	[ESTALE] = "stale NFS file handle",
	[EUCLEAN] = "structure needs cleaning",
	[ENOMEDIUM] = "no medium found",
};

void buf_adderr(struct buf *b, int err)
{
	if (err == ERR_NOT_REGULAR) {
		buf_adds(b, "not a regular file");
	} else if (err == ERR_LINE_TOO_LONG) {
		buf_adds(b, "line longer than ");
		buf_addu(b, LINE_MAX_BYTES);
		buf_adds(b, " bytes");
	} else if (err == ERR_CHANGED) {
		buf_adds(b, "changed while read");
	} else if (err > 0 && (size_t)err < sizeof text / sizeof *text && text[err]) {
		buf_adds(b, text[err]);
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
