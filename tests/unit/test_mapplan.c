/* The --map-ids plan: a table of files, template and ids, with the bytes
 * each file must have afterwards (NULL: unchanged), or the error. Then the
 * planned bytes resolved, and the plan run again on its own output. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mapplan.h"

#define K MAP_KEEP

struct plancase {
	const char *what;
	const char *passwd, *group, *gshadow; /* NULL gshadow: missing */
	const char *name;
	uid_t u;
	gid_t g;
	const char *want_passwd, *want_group, *want_gshadow, *want_err, *want_notice;
};

#define DEB "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
#define DEBG "root:x:0:\ndaemon:x:1:\nusers:x:100:\n"

static const struct plancase cases[] = {
	{"uid and gid free, private group renumbered",
	 DEB "app:x:999:999::/home/app:/bin/sh\n", DEBG "app:x:999:\n", NULL, "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", DEBG "app:x:1000:\n", NULL, NULL, ""},
	{"uid taken before the template: the template moves before it",
	 DEB "ubuntu:x:1000:1000::/home/ubuntu:/bin/bash\napp:x:999:999::/home/app:/bin/sh\n",
	 DEBG "ubuntu:x:1000:\napp:x:999:\n", NULL, "app", 1000, 1001,
	 DEB "app:x:1000:1001::/home/app:/bin/sh\nubuntu:x:1000:1000::/home/ubuntu:/bin/bash\n",
	 DEBG "ubuntu:x:1000:\napp:x:1001:\n", NULL, NULL, "uid 1000 with \"ubuntu\""},
	{"uid taken after the template: no move",
	 DEB "app:x:999:999::/home/app:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n",
	 DEBG "app:x:999:\nnode:x:1000:\n", NULL, "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n",
	 DEBG "app:x:999:app\nnode:x:1000:\n", NULL, NULL, "uid 1000 with \"node\", gid 1000 with \"node\""},
	{"gid taken: joins it, member of the old private group, gshadow too",
	 DEB "app:x:999:999::/home/app:/bin/sh\n", DEBG "app:x:999:\n",
	 "root:*::\nusers:*::\napp:!::\n", "app", 1000, 100,
	 DEB "app:x:1000:100::/home/app:/bin/sh\n", DEBG "app:x:999:app\n",
	 "root:*::\nusers:*::\napp:!::app\n", NULL, "gid 100 with \"users\""},
	{"private group renumbered with the other entries whose gid it was",
	 DEB "app:x:999:999::/home/app:/bin/sh\nhelper:x:998:999::/:/bin/false\n",
	 DEBG "app:x:999:helper\n", "app:!::helper\n", "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\nhelper:x:998:1000::/:/bin/false\n",
	 DEBG "app:x:1000:helper\n", NULL, NULL, ""},
	{"no group with either gid: the gid has no entry",
	 DEB "app:x:999:999::/home/app:/bin/sh\n", DEBG, NULL, "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", NULL, NULL, NULL, ""},
	{"old primary group shared: member of it, appended to its list",
	 DEB "app:x:999:100::/home/app:/bin/sh\n", "root:x:0:\nusers:x:100:games\n",
	 "users:*::games\n", "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", "root:x:0:\nusers:x:100:games,app\n",
	 "users:*::games,app\n", NULL, ""},
	{"already a member of the old group: not twice",
	 DEB "app:x:999:100::/home/app:/bin/sh\n", "users:x:100:app,games\n", NULL, "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", NULL, NULL, NULL, ""},
	{"a group line cut short gets its member field",
	 DEB "app:x:999:100::/home/app:/bin/sh\n", "users:x:100\n", NULL, "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", "users:x:100:app\n", NULL, NULL, ""},
	{"old gid 0: never a member of group 0, group 0 never renumbered",
	 DEB "app:x:999:0::/home/app:/bin/sh\n", "root:x:0:\napp:x:0:\n", "root:*::\n", "app", 1000, 1000,
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", NULL, NULL, NULL, ""},
	{"a uid-only source keeps the template's gid",
	 DEB "app:x:999:999::/home/app:/bin/sh\n", DEBG "app:x:999:\n", NULL, "app", 1000, K,
	 DEB "app:x:1000:999::/home/app:/bin/sh\n", NULL, NULL, NULL, ""},
	{"nothing to change",
	 DEB "app:x:1000:1000::/home/app:/bin/sh\n", DEBG "app:x:1000:\n", "app:!::\n", "app", 1000, 1000,
	 NULL, NULL, NULL, NULL, ""},
	{"odd lines kept byte for byte",
	 "# comment\n\n  \ngarbage\nroot:x:0:0::/root:/bin/sh\n-42:x:12:13:broken\n"
	 "  app:x:999:999:  spaced  :/home/app:/bin/sh  \nx:x:999:999:ref\nodd:x:111:112::/home/odd:::::",
	 "# groups\n\ngarbage\napp:x:999:\n:x:5:\n", NULL, "app", 1000, 1000,
	 "# comment\n\n  \ngarbage\nroot:x:0:0::/root:/bin/sh\n-42:x:12:13:broken\n"
	 "  app:x:1000:1000:  spaced  :/home/app:/bin/sh  \nx:x:999:1000:ref\nodd:x:111:112::/home/odd:::::",
	 "# groups\n\ngarbage\napp:x:1000:\n:x:5:\n", NULL, NULL, ""},
	{"CRLF lines",
	 "root:x:0:0::/root:/bin/sh\r\napp:x:999:100::/home/app:/bin/sh\r\n",
	 "users:x:100:\r\n", "users:*::\r\n", "app", 1000, 1000,
	 "root:x:0:0::/root:/bin/sh\r\napp:x:1000:1000::/home/app:/bin/sh\r\n",
	 "users:x:100:app\r\n", "users:*::app\r\n", NULL, ""},
	{"NIS lines kept",
	 "root:x:0:0::/root:/bin/sh\n+app::::::\napp:x:999:999::/home/app:/bin/sh\n+@admins\n+::::::\n",
	 "app:x:999:\n+:::\n", NULL, "app", 1000, 1000,
	 "root:x:0:0::/root:/bin/sh\n+app::::::\napp:x:1000:1000::/home/app:/bin/sh\n+@admins\n+::::::\n",
	 "app:x:1000:\n+:::\n", NULL, NULL, ""},
	{"the template moved from the last line, which has no newline",
	 "ubuntu:x:1000:1000::/home/ubuntu:/bin/bash\napp:x:999:999::/h:/s", "app:x:999:", NULL,
	 "app", 1000, 1000,
	 "app:x:1000:1000::/h:/s\nubuntu:x:1000:1000::/home/ubuntu:/bin/bash\n", "app:x:1000:", NULL,
	 NULL, "uid 1000 with \"ubuntu\""},
	{"the first of two entries of the name is the template",
	 "app:x:999:999::/a:/s\napp:x:998:998::/b:/s\n", NULL, NULL, "app", 1000, K,
	 "app:x:1000:999::/a:/s\napp:x:998:998::/b:/s\n", NULL, NULL, NULL, ""},
	{"ids at the limit", DEB "app:x:999:999::/h:/s\n", "app:x:999:\n", NULL, "app",
	 2147483647, 2147483647,
	 DEB "app:x:2147483647:2147483647::/h:/s\n", "app:x:2147483647:\n", NULL, NULL, ""},
	{"an entry with a huge uid shares nothing",
	 "big:x:4294968296:1::/:/s\napp:x:999:999::/h:/s\n", NULL, NULL, "app", 1000, K,
	 "big:x:4294968296:1::/:/s\napp:x:1000:999::/h:/s\n", NULL, NULL, NULL, ""},
	{"uid past the limit", DEB "app:x:999:999::/h:/s\n", "", NULL, "app", 2147483648u, 5,
	 NULL, NULL, NULL, "uid and gid must be in range 1-2147483647", NULL},
	{"gid past the limit", DEB "app:x:999:999::/h:/s\n", "", NULL, "app", 5, 2147483648u,
	 NULL, NULL, NULL, "uid and gid must be in range 1-2147483647", NULL},
	{"uid 0", DEB "app:x:999:999::/h:/s\n", "", NULL, "app", 0, 5,
	 NULL, NULL, NULL, "uid and gid must be in range 1-2147483647", NULL},
	{"gid 0", DEB "app:x:999:999::/h:/s\n", "", NULL, "app", 5, 0,
	 NULL, NULL, NULL, "uid and gid must be in range 1-2147483647", NULL},
	{"a numeric template", DEB "1000:x:999:999::/h:/s\n", "", NULL, "1000", 1000, 1000,
	 NULL, NULL, NULL, "the template must be a name", NULL},
	{"an empty template", ":x:999:999::/h:/s\n", "", NULL, "", 1000, 1000,
	 NULL, NULL, NULL, "the template must be a name", NULL},
	{"template missing", DEB, DEBG, NULL, "app", 1000, 1000,
	 NULL, NULL, NULL, "unable to find user app: no matching entries in passwd file", NULL},
	{"root as template", DEB, DEBG, NULL, "root", 1000, 1000,
	 NULL, NULL, NULL, "the template root has uid 0: name the account the image runs as", NULL},
	{"template with a malformed uid", "app:x:99x:1::/:/s\n", "", NULL, "app", 1000, 1000,
	 NULL, NULL, NULL, "the template app has a malformed uid or gid", NULL},
	{"template with a uid past the file limit", "app:x:4294967295:1::/:/s\n", "", NULL, "app", 1000, 1000,
	 NULL, NULL, NULL, "the template app has a malformed uid or gid", NULL},
};

static void load(struct mapplan *p, const struct plancase *c)
{
	static const char *const paths[] = {"/etc/passwd", "/etc/group", "/etc/gshadow"};
	const char *data[] = {c->passwd, c->group, c->gshadow};

	*p = (struct mapplan){0};
	for (size_t i = 0; i < MAP_NFILES; i++)
		p->f[i] = (struct mapfile){.path = paths[i], .data = data[i],
		                           .len = data[i] ? strlen(data[i]) : 0};
}

static void check_file(const struct plancase *c, const struct mapfile *f, const char *want)
{
	const char *got = f->changed ? f->out.s : f->data;

	CHECK(f->changed == (want != NULL), "%s: %s changed %d", c->what, f->path, f->changed);
	if (want)
		CHECK(f->changed && !strcmp(got, want), "%s: %s\n  got  '%s'\n  want '%s'",
		      c->what, f->path, NN(got), want);
}

TEST(plan_table)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct plancase *c = &cases[i];
		struct mapplan p, again;
		char *reason = NULL;
		int rc;

		load(&p, c);
		rc = map_plan(&p, c->name, c->u, c->g, &reason);
		if (c->want_err) {
			CHECK(rc == -1 && reason && !strcmp(reason, c->want_err), "%s: got %d '%s'",
			      c->what, rc, NN(reason));
			free(reason);
			map_plan_free(&p);
			continue;
		}
		if (!CHECK(rc == 0, "%s: failed: %s", c->what, NN(reason))) {
			free(reason);
			continue;
		}
		check_file(c, &p.f[MAP_PASSWD], c->want_passwd);
		check_file(c, &p.f[MAP_GROUP], c->want_group);
		check_file(c, &p.f[MAP_GSHADOW], c->want_gshadow);
		CHECK(!strcmp(p.notice.s ? p.notice.s : "", c->want_notice), "%s: notice '%s', want '%s'",
		      c->what, NN(p.notice.s), c->want_notice);

		/* The second start, on the planned bytes: nothing more to do. */
		struct plancase next = *c;
		for (int f = 0; f < MAP_NFILES; f++) {
			const char *now = p.f[f].changed ? p.f[f].out.s : p.f[f].data;
			*(f == 0 ? &next.passwd : f == 1 ? &next.group : &next.gshadow) = now;
		}
		load(&again, &next);
		rc = map_plan(&again, c->name, c->u, c->g, &reason);
		CHECK(rc == 0 && !again.f[0].changed && !again.f[1].changed && !again.f[2].changed,
		      "%s: the second plan changes something", c->what);
		map_plan_free(&again);
		map_plan_free(&p);
	}
}

/* The planned bytes, resolved: the ids, the home and the memberships. */
TEST(plan_resolves)
{
	struct mapplan p;
	struct target t;
	char *reason = NULL;

	load(&p, &cases[3]); /* gid taken: users 100, and a member of app 999 */
	if (!CHECK(map_plan(&p, "app", 1000, 100, &reason) == 0, "plan: %s", NN(reason)))
		return;
	struct dbfile pf = map_dbfile(&p.f[MAP_PASSWD]), gf = map_dbfile(&p.f[MAP_GROUP]);
	if (CHECK(resolve("app", &pf, &gf, 0, 0, &t, &reason) == 0, "resolve: %s", NN(reason))) {
		CHECK(t.uid == 1000 && t.gid == 100 && t.ngroups == 2 && t.groups[0] == 100 &&
		      t.groups[1] == 999 && !strcmp(t.home, "/home/app"),
		      "resolved to %u %u (%zu groups) %s", t.uid, t.gid, t.ngroups, t.home);
		target_free(&t);
	}
	/* Resolved twice from the same plan: the reader starts over. */
	if (CHECK(resolve("1000", &pf, &gf, 0, 0, &t, &reason) == 0, "resolve: %s", NN(reason))) {
		CHECK(t.uid == 1000 && t.gid == 100, "by uid: %u %u", t.uid, t.gid);
		target_free(&t);
	}
	map_plan_free(&p);
}
