/* The options before USER-SPEC: gosu's --help and --version, and the
 * terminal guard and hardening of behaviour.md §9. */
#ifndef GOSU_OPTIONS_H
#define GOSU_OPTIONS_H

#include <stdbool.h>

#include "buf.h"
#include "resolve.h"

enum action { ACTION_RUN, ACTION_HELP, ACTION_VERSION, ACTION_BAD_OPTION, ACTION_BAD_GRACE,
	ACTION_BAD_VALUE };
enum guard { GUARD_AUTO, GUARD_REQUIRED, GUARD_OFF };

struct options {
	enum action action;
	enum guard guard;
	bool detach_tty, no_new_privs;
	bool init;
	long init_grace; /* seconds, or -1 */
	/* behaviour.md §13 */
	uint64_t keep_caps;
	bool clear_bounding_set, keep_runtime_groups, user_env, if_root;
	struct buf why; /* ACTION_BAD_VALUE: what is wrong with it */
	const char *map_ids; /* --map-ids=SOURCE, or NULL */
};

#define OPTIONS_HELP \
	"Options (before user-spec):\n" \
	" terminal:\n" \
	"   --tty-guard      require the terminal guard (sets no_new_privs if need be)\n" \
	"   --no-tty-guard   never install the terminal guard\n" \
	"   --detach-tty     detach command from the controlling terminal\n" \
	" privileges:\n" \
	"   --no-new-privs   command and its children cannot gain privileges\n" \
	"   --keep-caps=CAP,...   keep these capabilities (net_bind_service)\n" \
	"   --clear-bounding-set  and no others can come back\n" \
	" who runs it:\n" \
	"   --keep-runtime-groups keep the groups a runtime added\n" \
	"   --user-env       set USER and LOGNAME\n" \
	"   --if-root        run as the caller when it cannot switch\n" \
	"   --map-ids=SOURCE give user-spec the ids of UID[:GID], env[:UVAR[:GVAR]] or /path\n" \
	"   --map-chown=DIR  with --map-ids: DIR's files become the new ids' too\n" \
	" init (PID 1):\n" \
	"   --init           with an init, as user too: forwards signals, reaps\n" \
	"   --init-grace=S   with --init: after command, SIGTERM the rest, wait S s\n" \
	"   --               end of options\n"

/* Fills *o; returns the index of USER-SPEC, or of the bad option. */
int parse_options(int argc, char **argv, struct options *o);

/* What the options do before the credentials change, while the process
 * still has its privileges: 0, with a notice line for stderr in *why if one
 * is due; or an errno with the reason in *why. */
int apply_options(const struct options *o, const struct target *t,
                  struct buf *why);

#endif
