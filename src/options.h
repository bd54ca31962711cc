/* The options before USER-SPEC: gosu's --help and --version, and the
 * terminal guard and hardening of behaviour.md §9. */
#ifndef GOSU_OPTIONS_H
#define GOSU_OPTIONS_H

#include <stdbool.h>

#include "buf.h"
#include "resolve.h"

enum action { ACTION_RUN, ACTION_HELP, ACTION_VERSION, ACTION_BAD_OPTION };
enum guard { GUARD_AUTO, GUARD_REQUIRED, GUARD_OFF };

struct options {
	enum action action;
	enum guard guard;
	bool detach_tty, no_new_privs;
	const char *map_ids; /* --map-ids=SOURCE, or NULL */
};

#define OPTIONS_HELP \
	"Options (before user-spec):\n" \
	"   --tty-guard      require the terminal guard (sets no_new_privs if need be)\n" \
	"   --no-tty-guard   never install the terminal guard\n" \
	"   --detach-tty     detach command from the controlling terminal\n" \
	"   --no-new-privs   command and its children cannot gain privileges\n" \
	"   --map-ids=SOURCE give user-spec the ids of UID[:GID], env[:UVAR[:GVAR]] or /path\n" \
	"   --map-chown=DIR  with --map-ids: DIR's files become the new ids' too\n" \
	"   --               end of options\n"

/* Fills *o; returns the index of USER-SPEC, or of the unknown option. */
int parse_options(int argc, char **argv, struct options *o);

/* What the options do before the credentials change, while the process
 * still has its privileges: 0, or an errno with the reason in *why. */
int apply_options(const struct options *o, const struct target *t,
                  struct buf *why);

#endif
