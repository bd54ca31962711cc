#include "dbfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errtext.h"

static ssize_t fd_read(struct lines *l, char *dst, size_t n)
{
	ssize_t r;

	while ((r = read(l->fd, dst, n)) < 0 && errno == EINTR)
		;
	return r < 0 ? -errno : r;
}

/* The file at open: one file is open at a time. */
static struct stat opened;

/* A file rewritten in place (not renamed over, as shadow-utils does) while
 * it was read may have given lines of two versions: then its change time
 * is not what it was at open. */
/* Both times in one comparison. */
_Static_assert(offsetof(struct stat, st_ctim) ==
                   offsetof(struct stat, st_mtim) + sizeof(struct timespec),
               "st_ctim right after st_mtim");

static bool fd_close(struct lines *l)
{
	struct stat st;
	/* Every write and truncation sets the change time, and no call can
	 * set it back; the size too, where the times are coarser than the
	 * writes come. A file that cannot be told unchanged counts as changed. */
	bool changed = fstat(l->fd, &st) || st.st_size != opened.st_size ||
	               memcmp(&st.st_mtim, &opened.st_mtim, 2 * sizeof st.st_mtim) != 0;

	/* Read-only: nothing to lose if close reports an error. */
	(void)close(l->fd);
	return changed;
}

/* Only a hint: a size that does not fit says nothing. */
static size_t size_hint(off_t size)
{
	return size > 0 && (uintmax_t)size <= SIZE_MAX ? (size_t)size : 0;
}

static int open_file(const struct dbfile *f, struct lines *l, const char **op)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = openat(AT_FDCWD, f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st)) {
		err = errno;
		*op = "stat";
	} else if (!S_ISREG(st.st_mode)) {
		/* Reported the way Go reports reading a directory. */
		err = S_ISDIR(st.st_mode) ? EISDIR : ERR_NOT_REGULAR;
		*op = "read";
	} else {
		opened = st;
		*l = (struct lines){.read = fd_read, .close = fd_close, .fd = fd,
		                    .size_hint = size_hint(st.st_size)};
		return 0;
	}
	(void)close(fd);
	return err;
}

const struct dbfile passwd_file = {.path = "/etc/passwd", .open = open_file};
const struct dbfile group_file = {.path = "/etc/group", .open = open_file};
