#include "resolve.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errtext.h"
#include "scan.h"

/* Largest id a database field may hold: (uid_t)-1 means "no change". */
#define FILE_ID_MAX 4294967294
/* Largest id a spec may name without a matching entry (gosu's rule). */
#define SPEC_ID_MAX 2147483647
/* Numbers saturate here, past every valid id, so an overflowing number
 * can never compare equal to one. */
#define NUM_LIMIT ((int64_t)1 << 32)
/* How often a resolution is tried when a file changes while it is read. */
#define READ_TRIES 4

/* Go's Atoi grammar: an optional sign, then one or more ASCII digits. */
static bool parse_number(struct field f, int64_t *v)
{
	const char *p = f.p;
	size_t n = f.n;
	bool neg = false;
	int64_t m = 0;

	if (n > 0 && (*p == '+' || *p == '-')) {
		neg = *p == '-';
		p++, n--;
	}
	if (n == 0)
		return false;
	for (; n > 0; p++, n--) {
		if (*p < '0' || *p > '9')
			return false;
		/* No overflow: m stays at most NUM_LIMIT before the step. */
		if ((m = m * 10 + (*p - '0')) > NUM_LIMIT)
			m = NUM_LIMIT;
	}
	*v = neg ? -m : m;
	return true;
}

bool parse_file_id(struct field f, uint32_t *id)
{
	int64_t v;

	if (!parse_number(f, &v) || v < 0 || v > FILE_ID_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

void split(const char *p, size_t n, struct field *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++) {
		const char *colon = scan_byte(p, p + n, ':');
		size_t len = colon ? (size_t)(colon - p) : n;

		f[i] = (struct field){p, len};
		p += len + (colon != NULL);
		n -= len + (colon != NULL);
	}
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Blank lines, '#' comments and NIS compat lines ("+::::::", "-app:...":
 * include or exclude from NIS, not entries) are no entries. */
bool entry_of(const char *p, size_t n, struct field *line)
{
	while (n > 0 && is_space(*p))
		p++, n--;
	while (n > 0 && is_space(p[n - 1]))
		n--;
	*line = (struct field){p, n};
	return n > 0 && *p != '#' && *p != '+' && *p != '-';
}

/* The next entry of a database, trimmed: 1, 0 at the end, or a negative
 * error. */
static int next_entry(struct lines *l, struct field *line)
{
	const char *p;
	size_t n;
	int r;

	while ((r = lines_next(l, &p, &n)) > 0)
		if (entry_of(p, n, line))
			return 1;
	return r;
}

/* Whether an entry's first field is name: tells most lines apart before
 * they are split. */
static bool named(struct field line, struct field name)
{
	return line.n >= name.n && memcmp(line.p, name.p, name.n) == 0 &&
	       (line.n == name.n || line.p[name.n] == ':');
}

/* Whether the ','-separated list names name (not empty, without a ',')
 * as a whole member. The search (scan.c) tries many places at once
 * instead of splitting the list at every ','. */
static bool listed(struct field members, struct field name)
{
	const char *p = members.p, *end = members.p + members.n;

	for (; (p = scan_str(p, end, name.p, name.n)); p++)
		if ((p == members.p || p[-1] == ',') && (p + name.n == end || p[name.n] == ','))
			return true;
	return false;
}

struct resolution {
	struct field user, group; /* the two parts of the spec */
	uid_t ruid;
	struct buf why; /* the reason, once something failed */
	const char *changed; /* the file that changed while it was read */
	/* What is found so far: t.name is set once a passwd entry matched,
	 * t.groups has no duplicates. */
	struct target t;
	/* t.groups as a hash set, which finds duplicates in constant time,
	 * so 65536 memberships stay cheap. It shares t.groups' allocation,
	 * after the list (room for nslots / 2): freeing the list frees it. */
	uint32_t *slot; /* EMPTY_SLOT or a gid; valid gids never equal it */
	size_t nslots;  /* a power of two, at least 2 * t.ngroups */
};

#define EMPTY_SLOT UINT32_MAX

static uint32_t *slot_of(uint32_t *slot, size_t nslots, uint32_t g)
{
	size_t i = (size_t)(g * 2654435761u) & (nslots - 1); /* a 32-bit hash */

	while (slot[i] != EMPTY_SLOT && slot[i] != g)
		i = (i + 1) & (nslots - 1);
	return &slot[i];
}

static int fail_nomem(struct resolution *r)
{
	buf_adderr(&r->why, ENOMEM);
	return -1;
}

/* Appends g to t.groups unless it is there: 0, or -1 and the reason. */
static int add_group(struct resolution *r, gid_t g)
{
	size_t n = r->t.ngroups;

	if (r->nslots && *slot_of(r->slot, r->nslots, g) == g)
		return 0;
	if (n == MAX_GROUPS) {
		buf_fmt(&r->why, "user %v is a member of more than 65536 groups", r->t.name,
		        r->t.name_len);
		return -1;
	}
	if (2 * (n + 1) > r->nslots) {
		size_t nslots = r->nslots ? 2 * r->nslots : 16;
		gid_t *list = malloc((nslots / 2 + nslots) * sizeof *list);
		uint32_t *slot;

		if (!list)
			return fail_nomem(r);
		slot = list + nslots / 2;
		memset(slot, 0xff, nslots * sizeof *slot);
		for (size_t i = 0; i < n; i++) {
			list[i] = r->t.groups[i];
			*slot_of(slot, nslots, list[i]) = list[i];
		}
		free(r->t.groups);
		r->t.groups = list;
		r->slot = slot;
		r->nslots = nslots;
	}
	*slot_of(r->slot, r->nslots, g) = g;
	r->t.groups[r->t.ngroups++] = g;
	return 0;
}

static __attribute__((noinline)) int fail_malformed(struct resolution *r, const char *path,
                          unsigned long lineno, struct field name,
                          const char *what, struct field value)
{
	buf_fmt(&r->why, "malformed entry %q at %s line %U: %s", name.p, name.n, path,
	        lineno, what);
	if (value.p)
		buf_fmt(&r->why, " %q is not a number in range 0-4294967294", value.p, value.n);
	return -1;
}

/* "unable to find ...: <op> <path>: <error>", the last part as Go's
 * os.PathError prints. */
static int fail_file(struct resolution *r, bool in_group, const char *op,
                     const char *path, int err)
{
	if (in_group)
		buf_fmt(&r->why, "unable to find groups for spec %v: ", r->t.name, r->t.name_len);
	else if (r->user.n)
		buf_fmt(&r->why, "unable to find user %v: ", r->user.p, r->user.n);
	else
		buf_fmt(&r->why, "unable to find user %u: ", r->ruid);
	buf_fmt(&r->why, "%s %s: %e", op, path, err);
	return -1;
}

static char *dup_field(struct field f)
{
	char *s = malloc(f.n + 1);

	if (s) {
		if (f.n)
			memcpy(s, f.p, f.n);
		s[f.n] = '\0';
	}
	return s;
}

/* Takes what the selected entry e gives: its id field must be valid, and
 * a passwd entry's gid and home too. */
static __attribute__((noinline)) int take(struct resolution *r, const char *path, unsigned long lineno,
                const struct field *e, bool in_group, bool members)
{
	uint32_t id;

	if (!parse_file_id(e[2], &id))
		return fail_malformed(r, path, lineno, e[0], in_group ? "gid" : "uid", e[2]);
	if (members)
		return add_group(r, id);
	if (in_group) {
		r->t.gid = id;
		return 0;
	}
	r->t.uid = id;
	if (!parse_file_id(e[PW_GID], &r->t.gid))
		return fail_malformed(r, path, lineno, e[0], "gid", e[PW_GID]);
	/* The environment cannot carry it, and cutting it short would
	 * silently give another directory. */
	if (scan_byte(e[PW_HOME].p, e[PW_HOME].p + e[PW_HOME].n, '\0'))
		return fail_malformed(r, path, lineno, e[0], "home contains a NUL byte",
		                      (struct field){0});
	r->t.name_len = e[PW_NAME].n;
	if (!(r->t.name = dup_field(e[PW_NAME])) || !(r->t.home = dup_field(e[PW_HOME])))
		return fail_nomem(r);
	return 0;
}

/* One pass over a file for one part of the spec (the user part in
 * /etc/passwd, the group part in /etc/group): the first entry with that
 * name, or with that id (an empty user part asks for the caller's uid);
 * an empty group part asks for every group that lists the user. A part
 * that no entry matched stands for itself when it is a number, within
 * gosu's range; a name is an error.
 * A file that changed while it was read may have given lines of two
 * versions: then whatever was found or failed counts for nothing, and
 * r->changed asks for the whole resolution again. */
static int search(struct resolution *r, const struct dbfile *db, bool in_group)
{
	struct field part = in_group ? r->group : r->user, line, e[PW_NFIELDS];
	struct field name = {r->t.name, r->t.name_len};
	int64_t id = r->ruid;
	bool by_id = parse_number(part, &id) || part.n == 0;
	bool members = in_group && part.n == 0, found = false, unlisted = false;
	struct lines l;
	const char *op = "open";
	int err, more = 0;

	if (members) {
		if (name.n == 0) /* no passwd entry, or a nameless one */
			return 0;
		/* A name with a ',' can be in no member list. */
		unlisted = scan_byte(name.p, name.p + name.n, ',') != NULL;
	}
	if ((err = db->open(db, &l, &op)) && err != ENOENT)
		return fail_file(r, in_group, op, db->path, err);
	if (!err) {
		while ((members || !found) && (more = next_entry(&l, &line)) > 0) {
			uint32_t v;

			/* Most lines are told apart before they are split. */
			if (members ? unlisted || !scan_str(line.p, line.p + line.n, name.p, name.n)
			            : !by_id && !named(line, part))
				continue;
			split(line.p, line.n, e, PW_NFIELDS);
			if (members ? !listed(e[GR_MEMBERS], name)
			            : by_id && !(parse_file_id(e[2], &v) && v == id))
				continue;
			found = true;
			if ((err = take(r, db->path, l.lineno, e, in_group, members)))
				break;
		}
		if (more < 0)
			err = fail_file(r, in_group, "read", db->path, -more);
		if (lines_close(&l)) {
			r->changed = db->path;
			return -1;
		}
		if (err)
			return err;
	}
	if (found || part.n == 0)
		return 0;
	if (!by_id) {
		buf_fmt(&r->why, "unable to find %s %v: no matching entries in %s file",
		        in_group ? "group" : "user", part.p, part.n, in_group ? "group" : "passwd");
		return -1;
	}
	if (id < 0 || id > SPEC_ID_MAX) {
		buf_adds(&r->why, "uids and gids must be in range 0-2147483647");
		return -1;
	}
	*(in_group ? &r->t.gid : &r->t.uid) = (uint32_t)id;
	return 0;
}

int resolve(const char *spec, const struct dbfile *passwd,
            const struct dbfile *group, uid_t ruid, gid_t rgid,
            struct target *t, char **reason)
{
	int tries = 1;

again:;
	struct field parts[2] = {{0}}; /* split() fills both; gcc's analyzer cannot tell */
	struct resolution r = {.ruid = ruid, .t = {.uid = ruid, .gid = rgid}};
	int err;

	split(spec, strlen(spec), parts, 2);
	r.user = parts[0];
	r.group = parts[1];
	/* The primary gid comes first: before the memberships, or once the
	 * group part has named it. */
	err = search(&r, passwd, false) || (!r.group.n && add_group(&r, r.t.gid)) ||
	      search(&r, group, true) || (r.group.n && add_group(&r, r.t.gid));
	if (!err && !r.t.home && !(r.t.home = dup_field((struct field){"/", 1})))
		err = fail_nomem(&r);
	if (err) {
		target_free(&r.t);
		/* Bounded: a file that keeps changing is an error. */
		if (r.changed) {
			buf_free(&r.why);
			if (tries++ < READ_TRIES)
				goto again;
			buf_fmt(&r.why, "read %s: %e", r.changed, ERR_CHANGED);
		}
		*reason = buf_str(&r.why);
		return -1;
	}
	*t = r.t;
	return 0;
}

void target_free(struct target *t)
{
	free(t->groups);
	free(t->home);
	free(t->name);
	*t = (struct target){0};
}
