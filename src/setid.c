#include "setid.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* The mode of the running binary; false without /proc. Opened rather than
 * stat'ed: qemu-user answers open() of /proc/self/exe with the emulated
 * binary, but stat() with itself. */
static bool exe_mode(mode_t *mode)
{
	struct stat st;
	int fd = openat(AT_FDCWD, "/proc/self/exe", O_PATH | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0;
	(void)close(fd); /* O_PATH: nothing to flush, nothing to lose */
	if (ok)
		*mode = st.st_mode;
	return ok;
}

const char *setid_install(uid_t *ruid, gid_t *rgid)
{
	uid_t euid, suid;
	gid_t egid, sgid;
	mode_t mode = 0;
	/* Without /proc the ids and AT_SECURE below still tell. */
	bool have_mode = exe_mode(&mode);

	/* Failing closed: ids that cannot be read are not trusted. */
	if (getresuid(ruid, &euid, &suid) || *ruid != euid || (have_mode && (mode & S_ISUID)))
		return "setuid";
	if (getresgid(rgid, &egid, &sgid) || *rgid != egid || (have_mode && (mode & S_ISGID)))
		return "setgid";
	/* Set by the kernel for file capabilities too, and by LSMs. */
	if (getauxval(AT_SECURE))
		return "setuid";
	return NULL;
}
