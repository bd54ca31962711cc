/* gosu: run COMMAND as another user, in place of this process.
 * The story of behaviour.md, in its order. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "caller.h"
#include "creds.h"
#include "dbfile.h"
#include "env.h"
#include "errtext.h"
#include "init.h"
#include "lookpath.h"
#include "mapids.h"
#include "options.h"
#include "resolve.h"
#include "setid.h"
#include "version.h"
#include "scan.h"

extern char **environ;

static void say(int fd, struct buf *b)
{
	const char *s = b->s;
	size_t n = b->len;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* Nowhere left to report it; the exit status still tells. */
			if (fd == STDOUT_FILENO)
				exit(1);
			break;
		}
		s += w;
		n -= (size_t)w;
	}
	buf_free(b);
}

static _Noreturn void fail(int status, struct buf *msg)
{
	if (msg->failed) {
		buf_free(msg);
		buf_adds(msg, "error: cannot allocate memory");
	}
	buf_addc(msg, '\n');
	say(STDERR_FILENO, msg);
	exit(status);
}

static void add_usage(struct buf *b, const char *self)
{
	static const char *const parts[] = {
		"Usage: ", " user-spec command [args]\n   eg: ", " tianon bash\n       ",
		" nobody:root bash -c 'whoami && id'\n       ", " 1000:1 id\n\n",
		" version: " VERSION_LINE "\n",
		" license: Apache-2.0 (full text at https://www.apache.org/licenses/LICENSE-2.0)\n\n"
		OPTIONS_HELP,
	};

	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		if (i)
			buf_adds(b, self);
		buf_adds(b, parts[i]);
	}
}

/* gosu's two messages, from the parts they share. */
static _Noreturn void refuse_setid(const char *self, const char *kind)
{
	bool uid = !strcmp(kind, "setuid");
	const char *const parts[] = {
		"error: ", self, " appears to be installed with the '", kind, "' bit set, which is ",
		uid ? "an *extremely* insecure and"
		    : "not quite *as* insecure as 'setuid', but still not great, and definitely a",
		" completely unsupported configuration! (what you want instead is likely 'sudo' or 'su')",
	};
	struct buf msg = {0};

	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		buf_adds(&msg, parts[i]);
	fail(1, &msg);
}

static _Noreturn void fail_switch(const char *spec, const char *reason, int err)
{
	struct buf msg = {0};

	buf_fmt(&msg, "error: failed switching to '%v': %s", spec, strlen(spec), reason);
	if (err == EPERM)
		buf_adds(&msg, "\nerror: switching users needs root, or CAP_SETUID and CAP_SETGID: start gosu as root");
	fail(1, &msg);
}

/* Help, version or a usage error end here; otherwise the index of
 * USER-SPEC, with COMMAND after it. */
static int command_line(int argc, char **argv, const char *self, struct options *opt)
{
	struct buf out = {0};
	int arg = parse_options(argc, argv, opt);

	switch (opt->action) {
	case ACTION_HELP:
		add_usage(&out, self);
		say(STDOUT_FILENO, &out);
		exit(0);
	case ACTION_VERSION:
		buf_adds(&out, VERSION_LINE "\n");
		say(STDOUT_FILENO, &out);
		exit(0);
	case ACTION_BAD_VALUE:
		buf_fmt(&out, "error: %b", opt->why.s, opt->why.len);
		fail(1, &out);
	case ACTION_BAD_OPTION:
		buf_fmt(&out, "error: unknown option %q\n", argv[arg], strlen(argv[arg]));
		break;
	case ACTION_BAD_GRACE:
		buf_fmt(&out, "error: invalid option %q: --init-grace=SECONDS wants 0 to 86400 and --init\n",
		        argv[arg], strlen(argv[arg]));
		break;
	case ACTION_RUN:
		if (argc - arg >= 2)
			return arg;
	}
	add_usage(&out, self);
	say(STDERR_FILENO, &out);
	exit(1);
}

/* USER and LOGNAME: the name, or the uid without one (--user-env). */
static char **with_user(char **env, const struct target *t)
{
	struct buf name = {0};
	char *s;

	if (t->name_len)
		buf_add(&name, t->name, t->name_len);
	else
		buf_addu(&name, t->uid);
	if (!(s = buf_str(&name)))
		return NULL;
	env = env_set(env, "USER", s);
	return env ? env_set(env, "LOGNAME", s) : NULL;
}

static _Noreturn void fail_command(int status, struct buf *why)
{
	struct buf msg = {0};

	buf_fmt(&msg, "error: %b", why->s, why->len);
	msg.failed |= why->failed;
	fail(status, &msg);
}

int main(int argc, char **argv)
{
	/* Linux turns an empty argv into one empty string: both are missing. */
	const char *self = argc > 0 && argv[0] && *argv[0] ? argv[0] : "gosu";
	uid_t ruid;
	gid_t rgid;
	const char *setid = setid_install(&ruid, &rgid);
	struct options opt;
	struct target t;
	struct buf why = {0}, note = {0};
	char *reason, *path, **env = environ;
	int err, status, mapped = 0;

	if (setid)
		refuse_setid(self, setid);
	int arg = command_line(argc, argv, self, &opt);
	const char *spec = argv[arg];
	char **cmd = argv + arg + 1;

	/* --map-ids resolves the spec itself, from the files as it planned them. */
	if (opt.map_ids && (mapped = map_ids(opt.map_ids, argv + 1, arg - 1, spec, &t, &why)) < 0)
		fail_command(1, &why);
	if (!mapped && resolve(spec, &passwd_file, &group_file, ruid, rgid, &t, &reason))
		fail_switch(spec, reason ? reason : "cannot allocate memory", 0);
	err = caller_adjust(&opt, spec, &t, &note, &why);
	say(STDERR_FILENO, &note);
	/* Cut short at a NUL byte, USER would name another user. */
	if (!err && opt.user_env && t.name_len && scan_byte(t.name, t.name + t.name_len, '\0'))
		fail_switch(spec, "--user-env: the user name holds a NUL byte", 0);
	if (err || (err = apply_options(&opt, &t, &why)))
		fail_switch(spec, why.failed ? "cannot allocate memory" : why.s, err);
	say(STDERR_FILENO, &why); /* the guard's notice, if one is due */
	if ((err = become(&t, &why)))
		fail_switch(spec, why.failed ? "cannot allocate memory" : why.s, err);
	say(STDERR_FILENO, &why); /* the switch's warning, if one is due */
	/* Run as the caller (--if-root), HOME stays the caller's. */
	if ((t.home && !(env = env_set(env, "HOME", t.home))) ||
	    (opt.user_env && !(env = with_user(env, &t))))
		fail_switch(spec, "cannot allocate memory", ENOMEM);

	if ((status = find_command(cmd[0], env_get(environ, "PATH"), &path, &why)))
		fail_command(status, &why);
	if (opt.init && init_start(opt.init_grace, t.uid == 0, &why))
		fail_command(1, &why);
	execve(path, cmd, env);
	err = errno;
	buf_fmt(&why, "exec failed: %e", err);
	fail_command(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, &why);
}
