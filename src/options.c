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

/* The options after "--", in the order of enum option: one string, no
 * table of pointers; a name ending in '=' takes its value after it. */
static const char names[] =
	"\0tty-guard\0no-tty-guard\0detach-tty\0no-new-privs\0init\0init-grace=\0"
	"keep-caps=\0clear-bounding-set\0keep-runtime-groups\0user-env\0if-root\0"
	"map-ids=\0map-chown=\0help\0version\0";
enum option { OPT_END, OPT_TTY_GUARD, OPT_NO_TTY_GUARD, OPT_DETACH_TTY, OPT_NO_NEW_PRIVS,
	OPT_INIT, OPT_INIT_GRACE, OPT_KEEP_CAPS, OPT_CLEAR_BOUNDING_SET, OPT_KEEP_RUNTIME_GROUPS,
	OPT_USER_ENV, OPT_IF_ROOT, OPT_MAP_IDS, OPT_MAP_CHOWN, OPT_HELP, OPT_VERSION, OPT_UNKNOWN };

/* Which option a (past its "--") is, and in *value what follows its '='. */
static enum option option_of(const char *a, const char **value)
{
	int k = 0;

	for (const char *n = names; k < OPT_UNKNOWN; n += strlen(n) + 1, k++) {
		size_t len = strlen(n);
		const char *rest = str_after(a, n, len);

		if (rest && (len && n[len - 1] == '=' ? (*value = rest, true) : !*rest))
			break;
	}
	return (enum option)k;
}

int parse_options(int argc, char **argv, struct options *o)
{
	/* gosu's own first arguments: three for help, then two for the
	 * version, one string as names[] is. */
	static const char first[] = "--help\0-h\0-?\0--version\0-v";
	int i = 1, grace_at = 0, chown_at = 0, k = 0;
	const char *value = NULL, *a;

	*o = (struct options){.action = ACTION_RUN, .guard = GUARD_AUTO, .init_grace = -1};
	for (const char *n = first; argc > 1 && n < first + sizeof first; n += strlen(n) + 1, k++)
		if (!strcmp(argv[1], n))
			o->action = k < 3 ? ACTION_HELP : ACTION_VERSION;
	for (; o->action == ACTION_RUN && i < argc && (a = str_after(argv[i], "--", 2)); i++) {
		enum option opt = option_of(a, &value);
		unsigned seconds;

		if (opt == OPT_END) {
			i++;
			break;
		}
		switch (opt) {
		case OPT_END:
			break;
		case OPT_TTY_GUARD:
			o->guard = GUARD_REQUIRED;
			break;
		case OPT_NO_TTY_GUARD:
			o->guard = GUARD_OFF;
			break;
		case OPT_DETACH_TTY:
			o->detach_tty = true;
			break;
		case OPT_NO_NEW_PRIVS:
			o->no_new_privs = true;
			break;
		case OPT_INIT:
			o->init = true;
			break;
		case OPT_INIT_GRACE:
			if (!init_parse_grace(value, &seconds))
				return o->action = ACTION_BAD_GRACE, i;
			o->init_grace = seconds;
			grace_at = i;
			break;
		case OPT_KEEP_CAPS:
			if (capname_parse(value, &o->keep_caps, &o->why))
				return o->action = ACTION_BAD_VALUE, i;
			break;
		case OPT_CLEAR_BOUNDING_SET:
			o->clear_bounding_set = true;
			break;
		case OPT_KEEP_RUNTIME_GROUPS:
			o->keep_runtime_groups = true;
			break;
		case OPT_USER_ENV:
			o->user_env = true;
			break;
		case OPT_IF_ROOT:
			o->if_root = true;
			break;
		case OPT_MAP_IDS:
			o->map_ids = value;
			break;
		case OPT_MAP_CHOWN:
			chown_at = chown_at ? chown_at : i;
			break;
		case OPT_HELP:
			o->action = ACTION_HELP;
			break;
		case OPT_VERSION:
			o->action = ACTION_VERSION;
			break;
		case OPT_UNKNOWN:
			return o->action = ACTION_BAD_OPTION, i;
		}
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
