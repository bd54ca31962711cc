#include "lookpath.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errtext.h"
#include "path.h"
#include "scan.h"
#include "str.h"

/* 0 when the file exists, is no directory and the current (already
 * switched) user may execute it; otherwise an errno, and *by_stat tells
 * whether it came from looking the file up at all. */
static int check_executable(const char *file, bool *by_stat)
{
	struct stat st;

	*by_stat = stat(file, &st) != 0;
	if (*by_stat)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	/* access() checks with the real ids, which after the switch are the
	 * effective ones (verified), so it answers what faccessat(AT_EACCESS)
	 * would, without the code libc carries for when they differ. */
	if (access(file, X_OK) == 0)
		return 0;
	/* Where seccomp or an old kernel refuse the check itself, the mode
	 * bits are the best answer left (Go does the same). */
	if (errno != ENOSYS && errno != EPERM)
		return errno;
	return st.st_mode & 0111 ? 0 : EACCES;
}

static int fail(struct buf *why, const char *cmd, const char *reason, int status)
{
	buf_fmt(why, "exec: %q: %s", cmd, strlen(cmd), reason);
	return status;
}

static int take(char *found, char **path, struct buf *why)
{
	if (!found) {
		buf_adderr(why, ENOMEM);
		return EXIT_CANNOT_RUN;
	}
	*path = found;
	return 0;
}

static int search(const char *cmd, const char *pathenv, char **path,
                  struct buf *why)
{
	const char *dir = pathenv, *end = pathenv + strlen(pathenv);
	bool by_stat;

	for (;;) {
		const char *colon = scan_byte(dir, end, ':');
		size_t len = colon ? (size_t)(colon - dir) : (size_t)(end - dir);
		struct buf candidate = {0};

		path_join_clean(&candidate, len ? dir : ".", len ? len : 1, cmd);
		if (candidate.failed)
			return take(NULL, path, why);
		if (check_executable(candidate.s, &by_stat) == 0) {
			if (candidate.s[0] == '/')
				return take(buf_str(&candidate), path, why);
			/* gosu's rule: PATH must not make "." run something. */
			buf_free(&candidate);
			return fail(why, cmd, "cannot run executable found relative to current directory",
			            EXIT_CANNOT_RUN);
		}
		buf_free(&candidate);
		if (!colon)
			return fail(why, cmd, "executable file not found in $PATH", EXIT_NOT_FOUND);
		dir = colon + 1;
	}
}

int find_command(const char *cmd, const char *pathenv, char **path,
                 struct buf *why)
{
	bool by_stat;
	int err;

	if (!*str_find(cmd, '/')) {
		if (!pathenv || !*pathenv || !strcmp(cmd, "") || !strcmp(cmd, ".") ||
		    !strcmp(cmd, ".."))
			return fail(why, cmd, "executable file not found in $PATH", EXIT_NOT_FOUND);
		return search(cmd, pathenv, path, why);
	}
	if ((err = check_executable(cmd, &by_stat)) == 0) {
		struct buf copy = {0}; /* what strdup() would do, with no more of libc */

		buf_adds(&copy, cmd);
		return take(buf_str(&copy), path, why);
	}
	fail(why, cmd, by_stat ? "stat " : "", 0);
	if (by_stat)
		buf_fmt(why, "%v: ", cmd, strlen(cmd));
	buf_adderr(why, err);
	return err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}
