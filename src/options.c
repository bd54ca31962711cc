#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "errtext.h"
#include "ttyguard.h"

int parse_options(int argc, char **argv, struct options *o)
{
	static const struct {
		const char *name;
		enum action action;
	} first[] = {
		{"--help", ACTION_HELP}, {"-h", ACTION_HELP}, {"-?", ACTION_HELP},
		{"--version", ACTION_VERSION}, {"-v", ACTION_VERSION},
	};
	int i = 1, chown_at = 0;

	*o = (struct options){ACTION_RUN, GUARD_AUTO, false, false, NULL};
	for (size_t k = 0; argc > 1 && k < sizeof first / sizeof *first; k++)
		if (!strcmp(argv[1], first[k].name))
			o->action = first[k].action;
	for (; o->action == ACTION_RUN && i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		else if (!strcmp(a, "--tty-guard"))
			o->guard = GUARD_REQUIRED;
		else if (!strcmp(a, "--no-tty-guard"))
			o->guard = GUARD_OFF;
		else if (!strcmp(a, "--detach-tty"))
			o->detach_tty = true;
		else if (!strcmp(a, "--no-new-privs"))
			o->no_new_privs = true;
		else if (!strncmp(a, "--map-ids=", 10))
			o->map_ids = a + 10;
		else if (!strncmp(a, "--map-chown=", 12))
			chown_at = chown_at ? chown_at : i;
		else if (!strcmp(a, "--help"))
			o->action = ACTION_HELP;
		else if (!strcmp(a, "--version"))
			o->action = ACTION_VERSION;
		else
			return o->action = ACTION_BAD_OPTION, i;
	}
	/* --map-chown does nothing without --map-ids: a mistake to say. */
	if (chown_at && !o->map_ids && o->action == ACTION_RUN)
		return o->action = ACTION_BAD_OPTION, chown_at;
	return i;
}

/* The controlling terminal, opened; -1 and errno ENXIO when there is none. */
static int open_tty(void)
{
	return openat(AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
}

/* Detaching a session leader (PID 1 of a container started with a
 * terminal, say) sends SIGHUP to its foreground process group, which holds
 * this process: ignored for that moment, it is not even queued. */
static int detach(int tty)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
	int err;

	if (sigaction(SIGHUP, &ignore, &old))
		return errno;
	err = ioctl(tty, TIOCNOTTY) ? errno : 0;
	if (sigaction(SIGHUP, &old, NULL) && !err)
		err = errno;
	return err;
}

static int fail(struct buf *why, const char *what, int err)
{
	buf_adds(why, what);
	buf_adderr(why, err);
	return err;
}

int apply_options(const struct options *o, const struct target *t,
                  struct buf *why)
{
	int tty = open_tty(), err;
	/* Only ENXIO says for sure that there is no terminal to guard. */
	bool have_tty = tty >= 0 || errno != ENXIO;

	if (o->guard != GUARD_OFF && t->uid != 0 && have_tty) {
		err = ttyguard_install(o->guard == GUARD_REQUIRED);
		/* By default, a guard that would need no_new_privs (which would
		 * stop setuid programs such as sudo) or that the kernel cannot
		 * run is left out, silently. */
		if (err && (o->guard == GUARD_REQUIRED ||
		            (err != EACCES && err != EINVAL && err != ENOSYS))) {
			if (tty >= 0)
				(void)close(tty);
			return fail(why, "cannot install the terminal guard: ", err);
		}
	}
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err = errno;
		if (tty >= 0)
			(void)close(tty);
		return fail(why, "cannot set no_new_privs: ", err);
	}
	err = o->detach_tty && tty >= 0 ? detach(tty) : 0;
	if (tty >= 0)
		(void)close(tty);
	return err ? fail(why, "cannot detach from the terminal: ", err) : 0;
}
