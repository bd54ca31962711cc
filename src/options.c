#include "options.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "errtext.h"
#include "tty.h"

int parse_options(int argc, char **argv, struct options *o)
{
	static const struct {
		const char *name;
		enum action action;
	} first[] = {
		{"--help", ACTION_HELP}, {"-h", ACTION_HELP}, {"-?", ACTION_HELP},
		{"--version", ACTION_VERSION}, {"-v", ACTION_VERSION},
	};
	int i = 1;

	*o = (struct options){ACTION_RUN, GUARD_AUTO, false, false};
	for (size_t k = 0; argc > 1 && k < sizeof first / sizeof *first; k++)
		if (!strcmp(argv[1], first[k].name))
			o->action = first[k].action;
	for (; o->action == ACTION_RUN && i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return i + 1;
		else if (!strcmp(a, "--tty-guard"))
			o->guard = GUARD_REQUIRED;
		else if (!strcmp(a, "--no-tty-guard"))
			o->guard = GUARD_OFF;
		else if (!strcmp(a, "--detach-tty"))
			o->detach_tty = true;
		else if (!strcmp(a, "--no-new-privs"))
			o->no_new_privs = true;
		else if (!strcmp(a, "--help"))
			o->action = ACTION_HELP;
		else if (!strcmp(a, "--version"))
			o->action = ACTION_VERSION;
		else
			return o->action = ACTION_BAD_OPTION, i;
	}
	return i;
}

int apply_options(const struct options *o, const struct target *t,
                  struct buf *why)
{
	/* First: where no_new_privs is asked for, the guard needs no more. */
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return buf_fail(why, "cannot set no_new_privs: ", errno);
	return tty_apply(o, t->uid, why);
}
