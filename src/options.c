#include "options.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "capname.h"
#include "caps.h"
#include "errtext.h"
#include "initsig.h"
#include "tty.h"
#include "str.h"

int parse_options(int argc, char **argv, struct options *o)
{
	static const struct {
		const char *name;
		enum action action;
	} first[] = {
		{"--help", ACTION_HELP}, {"-h", ACTION_HELP}, {"-?", ACTION_HELP},
		{"--version", ACTION_VERSION}, {"-v", ACTION_VERSION},
	};
	int i = 1, grace_at = 0, chown_at = 0;

	*o = (struct options){.action = ACTION_RUN, .guard = GUARD_AUTO, .init_grace = -1};
	for (size_t k = 0; argc > 1 && k < sizeof first / sizeof *first; k++)
		if (!strcmp(argv[1], first[k].name))
			o->action = first[k].action;
	for (; o->action == ACTION_RUN && i < argc && str_after(argv[i], "--", 2); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--tty-guard"))
			o->guard = GUARD_REQUIRED;
		else if (!strcmp(a, "--no-tty-guard"))
			o->guard = GUARD_OFF;
		else if (!strcmp(a, "--detach-tty"))
			o->detach_tty = true;
		else if (!strcmp(a, "--no-new-privs"))
			o->no_new_privs = true;
		else if (!strcmp(a, "--init"))
			o->init = true;
		else if (str_after(a, "--init-grace=", 13)) {
			unsigned seconds;

			if (!init_parse_grace(a + 13, &seconds))
				return o->action = ACTION_BAD_GRACE, i;
			o->init_grace = seconds;
			grace_at = i;
		} else if (str_after(a, "--keep-caps=", 12)) {
			if (capname_parse(a + 12, &o->keep_caps, &o->why))
				return o->action = ACTION_BAD_VALUE, i;
		} else if (!strcmp(a, "--clear-bounding-set"))
			o->clear_bounding_set = true;
		else if (!strcmp(a, "--keep-runtime-groups"))
			o->keep_runtime_groups = true;
		else if (!strcmp(a, "--user-env"))
			o->user_env = true;
		else if (!strcmp(a, "--if-root"))
			o->if_root = true;
		else if (str_after(a, "--map-ids=", 10))
			o->map_ids = a + 10;
		else if (str_after(a, "--map-chown=", 12))
			chown_at = chown_at ? chown_at : i;
		else if (!strcmp(a, "--help"))
			o->action = ACTION_HELP;
		else if (!strcmp(a, "--version"))
			o->action = ACTION_VERSION;
		else
			return o->action = ACTION_BAD_OPTION, i;
	}
	if (o->action == ACTION_RUN && grace_at && !o->init)
		return o->action = ACTION_BAD_GRACE, grace_at;
	/* --map-chown does nothing without --map-ids: a mistake to say. */
	if (chown_at && !o->map_ids && o->action == ACTION_RUN)
		return o->action = ACTION_BAD_OPTION, chown_at;
	return i;
}

int apply_options(const struct options *o, const struct target *t,
                  struct buf *why)
{
	int err;

	/* First: where no_new_privs is asked for, the guard needs no more. */
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return buf_fail(why, "cannot set no_new_privs: ", errno);
	if (o->clear_bounding_set && (err = caps_bound(t->caps)))
		return buf_fail(why, "cannot clear the bounding set: ", err);
	return tty_apply(o, t->uid, why);
}
